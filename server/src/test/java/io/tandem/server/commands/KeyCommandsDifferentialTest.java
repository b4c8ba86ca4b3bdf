package io.tandem.server.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sends the same key commands to a real redis-server 7.0 and to Tandem and requires identical
 * replies (errors by their full text), then identical DEBUG DIGESTs. Replies whose order Redis
 * does not define (KEYS, SCAN, RANDOMKEY) are compared as sets or by membership.
 */
class KeyCommandsDifferentialTest {
    private static RedisProcess redis;
    private static TandemTestServer tandem;
    private static RedisProcess.Client r;
    private static RedisProcess.Client t;

    @BeforeAll
    static void start() throws IOException {
        redis = RedisProcess.start();
        tandem = TandemTestServer.start(Map.of("port", Integer.toString(freePort())));
        r = redis.connect();
        t = RedisProcess.Client.connect("127.0.0.1", tandem.port());
    }

    /**
     * A free TCP port: TandemTestServer's default "port 0" means "do not listen on TCP" to the
     * network layer (as Redis's port 0), so tests pick a port.
     */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (r != null) r.close();
        if (t != null) t.close();
        if (tandem != null) tandem.close();
        if (redis != null) redis.close();
    }

    @BeforeEach
    void flush() throws IOException {
        same("FLUSHALL");
        same("SELECT", "0");
    }

    /** A reply as comparable text: +simple, $bulk, :int, -error, *[...]. */
    static String show(Object o) {
        if (o == null) return "(nil)";
        if (o instanceof RedisProcess.RedisError e) return "-" + e.getMessage();
        if (o instanceof String s) return "+" + s;
        if (o instanceof Long n) return ":" + n;
        if (o instanceof byte[] b) return "$" + new String(b, StandardCharsets.UTF_8);
        List<?> l = (List<?>) o;
        StringBuilder sb = new StringBuilder("*[");
        for (Object x : l) sb.append(show(x)).append(", ");
        return sb.append(']').toString();
    }

    private static Object[] req(Object... args) {
        return args;
    }

    static Object call(RedisProcess.Client c, Object... args) throws IOException {
        return c.pipeline(List.<Object[]>of(args)).get(0);
    }

    /** Sends to both, asserts equal replies, returns Redis's. */
    static Object same(Object... args) throws IOException {
        Object a = call(r, args);
        Object b = call(t, args);
        assertEquals(show(a), show(b), () -> "reply to " + Arrays.toString(args));
        return a;
    }

    /** Sends to both; the replies are arrays compared as sets of strings. */
    static TreeSet<String> sameSet(Object... args) throws IOException {
        TreeSet<String> a = asSet(call(r, args));
        TreeSet<String> b = asSet(call(t, args));
        assertEquals(a, b, () -> "reply to " + Arrays.toString(args));
        return a;
    }

    static TreeSet<String> asSet(Object o) {
        TreeSet<String> s = new TreeSet<>();
        if (o instanceof RedisProcess.RedisError e) {
            s.add("-" + e.getMessage());
            return s;
        }
        for (Object x : (List<?>) o) s.add(show(x));
        return s;
    }

    /** A whole SCAN iteration on one server: the keys seen (as a set). */
    static TreeSet<String> scanAll(RedisProcess.Client c, Object... options) throws IOException {
        TreeSet<String> keys = new TreeSet<>();
        String cursor = "0";
        int rounds = 0;
        do {
            List<Object> cmd = new ArrayList<>(List.of("SCAN", cursor));
            cmd.addAll(List.of(options));
            Object reply = call(c, cmd.toArray());
            assertTrue(reply instanceof List, () -> "SCAN reply " + show(reply));
            List<?> l = (List<?>) reply;
            cursor = new String((byte[]) l.get(0), StandardCharsets.UTF_8);
            for (Object k : (List<?>) l.get(1)) keys.add(show(k));
            assertTrue(++rounds < 100_000, "SCAN does not terminate");
        } while (!cursor.equals("0"));
        return keys;
    }

    static void sameScan(Object... options) throws IOException {
        TreeSet<String> a = scanAll(r, options);
        TreeSet<String> b = scanAll(t, options);
        assertEquals(a, b, () -> "SCAN " + Arrays.toString(options));
    }

    /** RANDOMKEY: nil on both or, on each, one of that server's keys. */
    static void sameRandomKey() throws IOException {
        Object a = call(r, "RANDOMKEY");
        Object b = call(t, "RANDOMKEY");
        assertEquals(a == null, b == null, "RANDOMKEY nil on one server only");
        if (a != null) {
            assertTrue(asSet(call(r, "KEYS", "*")).contains(show(a)));
            assertTrue(asSet(call(t, "KEYS", "*")).contains(show(b)), () -> "RANDOMKEY " + show(b) + " not a key");
        }
    }

    static void sameDigest() throws IOException {
        Object d = same("DEBUG", "DIGEST");
        assertNotNull(d);
    }

    @Test
    void renameAndRenamenx() throws IOException {
        same("RENAME", "nokey", "x");
        same("RENAMENX", "nokey", "x");
        same("RENAME", "nokey", "nokey");
        same("SET", "a", "1");
        same("RENAME", "a", "a");
        same("RENAMENX", "a", "a");
        same("PEXPIREAT", "a", Long.toString(System.currentTimeMillis() + 500_000));
        same("RENAME", "a", "b");
        same("EXISTS", "a", "b");
        same("PEXPIRETIME", "b");
        same("SET", "c", "hello");
        same("RENAMENX", "b", "c");
        same("RENAME", "b", "c");
        same("GET", "c");
        same("PEXPIRETIME", "c");
        same("OBJECT", "ENCODING", "c");
        same("RENAME", "c");
        same("RENAME", "c", "d", "e");
        same("RENAMENX", "c", "d");
        same("TYPE", "d");
        sameDigest();
    }

    @Test
    void moveCopySwapdb() throws IOException {
        same("SET", "k", "v");
        same("MOVE", "k", "0");
        same("MOVE", "k", "16");
        same("MOVE", "k", "-1");
        same("MOVE", "k", "x");
        same("MOVE", "k", "99999999999");
        same("MOVE", "nokey", "1");
        same("MOVE", "k", "1");
        same("EXISTS", "k");
        same("SET", "k", "other");
        same("SELECT", "1");
        same("MOVE", "k", "0"); // exists in target
        same("GET", "k");
        same("SELECT", "0");
        same("COPY", "k", "k");
        same("COPY", "k", "k", "DB", "0");
        same("COPY", "k", "k", "DB", "1");
        same("COPY", "k", "k", "DB", "1", "REPLACE");
        same("COPY", "k", "k2", "DB");
        same("COPY", "k", "k2", "DB", "x");
        same("COPY", "k", "k2", "DB", "16");
        same("COPY", "k", "k2", "FOO");
        same("COPY", "k", "k2", "DB", "2", "DB", "3");
        same("COPY", "nokey", "k2");
        same("SET", "n", "123");
        same("PEXPIREAT", "n", Long.toString(System.currentTimeMillis() + 800_000));
        same("COPY", "n", "n2");
        same("OBJECT", "ENCODING", "n2");
        same("PEXPIRETIME", "n2");
        same("COPY", "k", "n2");
        same("COPY", "k", "n2", "replace");
        same("GET", "n2");
        same("SWAPDB", "0", "1");
        same("SWAPDB", "0", "0");
        same("SWAPDB", "x", "0");
        same("SWAPDB", "0", "x");
        same("SWAPDB", "0", "16");
        same("SWAPDB", "-1", "0");
        same("SWAPDB", "0", "99999999999");
        same("DBSIZE");
        same("SELECT", "1");
        same("DBSIZE");
        sameSet("KEYS", "*");
        same("SWAPDB", "1", "3");
        same("DBSIZE");
        sameDigest();
    }

    @Test
    void keysScanRandomkey() throws IOException {
        same("RANDOMKEY");
        same("KEYS", "*");
        same("SCAN", "0");
        for (int i = 0; i < 300; i++) same("SET", "key:" + i, i % 3 == 0 ? "v" + i : Integer.toString(i));
        same("SET", "a[b", "x");
        same("SET", "h\\llo", "x");
        sameSet("KEYS", "*");
        sameSet("KEYS", "key:1*");
        sameSet("KEYS", "key:?");
        sameSet("KEYS", "key:[1-3]?");
        sameSet("KEYS", "key:[^1-3]?");
        sameSet("KEYS", "a\\[b");
        sameSet("KEYS", "*[");
        sameSet("KEYS", "h\\\\llo");
        sameSet("KEYS", "KEY:*");
        sameRandomKey();
        sameScan();
        sameScan("COUNT", "1");
        sameScan("COUNT", "1000");
        sameScan("MATCH", "key:2*");
        sameScan("MATCH", "*", "COUNT", "7");
        sameScan("TYPE", "string");
        sameScan("TYPE", "STRING", "MATCH", "key:1?");
        sameScan("TYPE", "list");
        sameScan("TYPE", "none");
        sameScan("TYPE", "nosuchtype");
        for (String bad : new String[] {"x", " 1", "1 ", "18446744073709551616", "-", "+", "0x1", "1.5"}) {
            same("SCAN", bad);
        }
        same("SCAN", "0", "COUNT", "0");
        same("SCAN", "0", "COUNT", "-1");
        same("SCAN", "0", "COUNT", "x");
        same("SCAN", "0", "COUNT");
        same("SCAN", "0", "MATCH");
        same("SCAN", "0", "TYPE");
        same("SCAN", "0", "FOO", "bar");
        same("SCAN");
        same("KEYS");
        same("RANDOMKEY", "x");
        // a key that expires is gone from KEYS / SCAN / RANDOMKEY
        same("FLUSHALL");
        same("SET", "short", "v");
        same("SET", "long", "v");
        same("PEXPIREAT", "short", Long.toString(System.currentTimeMillis() + 50));
        sleep(120);
        sameSet("KEYS", "*");
        sameScan();
        for (int i = 0; i < 5; i++) sameRandomKey();
        same("EXISTS", "short");
        sameDigest();
    }

    @Test
    void touchAndObject() throws IOException {
        same("SET", "s", "hello");
        same("SET", "i", "42");
        same("SET", "big", "12345");
        same("SET", "neg", "-1");
        same("SET", "raw", "x".repeat(60));
        same("TOUCH", "s", "i", "nokey", "s");
        same("TOUCH");
        for (String k : new String[] {"s", "i", "big", "neg", "raw", "nokey"}) {
            same("OBJECT", "ENCODING", k);
            same("OBJECT", "REFCOUNT", k);
            same("OBJECT", "FREQ", k);
        }
        Object idle = call(t, "OBJECT", "IDLETIME", "s");
        assertTrue(idle instanceof Long n && n <= 1, () -> "IDLETIME " + show(idle));
        same("OBJECT", "IDLETIME", "nokey");
        same("OBJECT", "HELP");
        same("OBJECT", "help");
        same("OBJECT", "FOO", "s");
        same("OBJECT");
        same("OBJECT", "ENCODING");
        same("OBJECT", "ENCODING", "s", "x");
        same("OBJECT", "HELP", "x");
        sameDigest();
    }

    /** Seeded random sequences of key commands, valid and not, on a few keys in three databases. */
    @Test
    void randomSequences() throws IOException {
        long seed = Long.getLong("tandem.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String[] keys = {"a", "b", "c", "d", "e", "f", "n1", "n2"};
        List<String> log = new ArrayList<>();
        try {
            for (int i = 0; i < 2000; i++) {
                Object[] cmd = randomCommand(rnd, keys);
                log.add(Arrays.toString(cmd));
                if (log.size() > 30) log.remove(0);
                String name = ((String) cmd[0]).toUpperCase();
                switch (name) {
                    case "KEYS" -> sameSet(cmd);
                    case "SCAN" -> sameScan(Arrays.copyOfRange(cmd, 1, cmd.length));
                    case "RANDOMKEY" -> sameRandomKey();
                    default -> same(cmd);
                }
            }
            sameDigest();
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + " (-Dtandem.seed), last commands:\n" + String.join("\n", log), e);
        }
    }

    private static Object[] randomCommand(Random rnd, String[] keys) {
        String k = keys[rnd.nextInt(keys.length)];
        String k2 = keys[rnd.nextInt(keys.length)];
        String db = Integer.toString(rnd.nextInt(20) == 0 ? 16 : rnd.nextInt(3));
        long future = System.currentTimeMillis() + 100_000 + rnd.nextInt(1_000_000);
        return switch (rnd.nextInt(24)) {
            case 0, 1 -> req("SET", k, value(rnd));
            case 2 -> req("DEL", k, k2);
            case 3 -> req("EXISTS", k, k2);
            case 4 -> req("TYPE", k);
            case 5 -> req("RENAME", k, k2);
            case 6 -> req("RENAMENX", k, k2);
            case 7 -> req("MOVE", k, rnd.nextInt(10) == 0 ? "x" : db);
            case 8 -> switch (rnd.nextInt(5)) {
                case 0 -> req("COPY", k, k2);
                case 1 -> req("COPY", k, k2, "REPLACE");
                case 2 -> req("COPY", k, k2, "DB", db);
                case 3 -> req("COPY", k, k2, "DB", db, "REPLACE");
                default -> req("COPY", k, k2, rnd.nextBoolean() ? "DB" : "BAD");
            };
            case 9 -> req("TOUCH", k, k2);
            case 10 -> req("OBJECT", "ENCODING", k);
            case 11 -> req("PEXPIREAT", k, Long.toString(rnd.nextInt(10) == 0 ? 1 : future));
            case 12 -> req("PEXPIRETIME", k);
            case 13 -> req("PERSIST", k);
            case 14 -> req("SWAPDB", db, Integer.toString(rnd.nextInt(3)));
            case 15 -> req("SELECT", Integer.toString(rnd.nextInt(3)));
            case 16 -> req("DBSIZE");
            case 17 -> req("KEYS", rnd.nextBoolean() ? "*" : "[a-c]*");
            case 18 -> rnd.nextBoolean() ? req("SCAN", "COUNT", Integer.toString(1 + rnd.nextInt(5)))
                    : req("SCAN", "MATCH", "n*", "TYPE", "string");
            case 19 -> req("RANDOMKEY");
            case 20 -> req("GET", k);
            case 21 -> req("EXPIRETIME", k);
            case 22 -> req(rnd.nextBoolean() ? "RENAME" : "MOVE", k);
            default -> req("OBJECT", rnd.nextBoolean() ? "FREQ" : "NOPE", k);
        };
    }

    private static String value(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> Integer.toString(rnd.nextInt(20000) - 100);
            case 1 -> "v" + rnd.nextInt(100);
            case 2 -> "x".repeat(40 + rnd.nextInt(20));
            default -> Long.toString(rnd.nextLong());
        };
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
