package io.tandem.server.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.server.testing.RawRespClient;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sends the same string-command sequences to a real redis-server 7.0 and to Tandem and asserts
 * that every raw reply is byte-identical (RESP2 and RESP3), that OBJECT encodings agree (via
 * DEBUG OBJECT), and that DEBUG DIGEST agrees at the end of each sequence.
 *
 * <p>Both servers run with {@code proto-max-bulk-len 1mb} (Redis's minimum) so the size limits
 * of SETRANGE, APPEND, SETBIT and BITFIELD are exercised without 512 MB strings. Replies that
 * depend on the clock (PTTL) are compared by sign only.
 */
class StringDifferentialTest {
    static final String MAX_BULK = "1048576";

    static RedisProcess redis;
    static TandemTestServer tandem;
    static int compared;

    @BeforeAll
    static void start() {
        redis = RedisProcess.start("--proto-max-bulk-len", MAX_BULK);
        tandem = TandemTestServer.start(Map.of("proto-max-bulk-len", MAX_BULK));
    }

    @AfterAll
    static void stop() {
        if (tandem != null) tandem.close();
        if (redis != null) redis.close();
        System.out.println("StringDifferentialTest: " + compared + " commands compared");
    }

    /** A pair of connections, one to each server, in the same protocol. */
    static final class Pair implements AutoCloseable {
        final RawRespClient r;
        final RawRespClient t;

        Pair(int protocol) throws IOException {
            r = new RawRespClient(redis.host(), redis.port());
            t = new RawRespClient("127.0.0.1", tandem.port());
            if (protocol == 3) {
                r.call(args("HELLO", "3"));
                t.call(args("HELLO", "3"));
            }
            assertEquals(r.call(args("FLUSHALL")), t.call(args("FLUSHALL")));
        }

        /** Runs the commands on both (pipelined) and compares replies one by one. */
        void run(List<byte[][]> cmds) throws IOException {
            for (int from = 0; from < cmds.size(); from += 200) {
                List<byte[][]> batch = cmds.subList(from, Math.min(cmds.size(), from + 200));
                List<String> a = r.pipeline(batch);
                List<String> b = t.pipeline(batch);
                for (int i = 0; i < batch.size(); i++) {
                    byte[][] cmd = batch.get(i);
                    assertEquals(normalize(cmd, a.get(i)), normalize(cmd, b.get(i)),
                            () -> "reply to " + show(cmd) + " (redis vs tandem), after:\n" + history(cmds, cmd));
                    compared++;
                }
            }
        }

        void assertSameDigest() throws IOException {
            assertEquals(r.call(args("DEBUG", "DIGEST")), t.call(args("DEBUG", "DIGEST")), "DEBUG DIGEST");
        }

        @Override
        public void close() throws IOException {
            r.close();
            t.close();
        }
    }

    static final Pattern ENCODING = Pattern.compile("encoding:(\\S+)");

    static String normalize(byte[][] cmd, String reply) {
        String name = new String(cmd[0], StandardCharsets.US_ASCII).toLowerCase();
        if ((name.equals("pttl") || name.equals("ttl")) && reply.startsWith(":") && !reply.startsWith(":-")) {
            return ":<positive>";
        }
        if (name.equals("debug") && reply.startsWith("+")) {
            Matcher m = ENCODING.matcher(reply);
            return m.find() ? "encoding " + m.group(1) : reply;
        }
        return reply;
    }

    static String history(List<byte[][]> cmds, byte[][] upTo) {
        StringBuilder sb = new StringBuilder();
        int end = cmds.indexOf(upTo);
        for (int i = Math.max(0, end - 60); i <= end; i++) sb.append("  ").append(show(cmds.get(i))).append('\n');
        return sb.toString();
    }

    static String show(byte[][] cmd) {
        StringBuilder sb = new StringBuilder();
        for (byte[] a : cmd) {
            String s = new String(a, StandardCharsets.ISO_8859_1);
            sb.append(s.isEmpty() || s.contains(" ") ? '"' + s + '"' : s).append(' ');
        }
        return sb.toString().trim();
    }

    static byte[][] args(Object... a) {
        byte[][] out = new byte[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] instanceof byte[] b ? b : a[i].toString().getBytes(StandardCharsets.ISO_8859_1);
        }
        return out;
    }

    /** Commands written as lines; tokens split on spaces, '' is the empty string. */
    static List<byte[][]> script(String... lines) {
        List<byte[][]> out = new ArrayList<>();
        for (String line : lines) {
            String[] tok = line.trim().split(" +");
            Object[] a = new Object[tok.length];
            for (int i = 0; i < tok.length; i++) a[i] = tok[i].equals("''") ? "" : tok[i].replace("\\s", " ");
            out.add(args(a));
        }
        return out;
    }

    // ---------------------------------------------------------------- hand-written edge cases

    static final String[] EDGE_CASES = {
        // SET options, conflicts, repeats, expire errors
        "SET k v", "SET k v NX", "SET k v2 XX", "GET k", "SET k v NX XX", "SET k v XX NX", "SET k v EX 10 EX 20",
        "PTTL k", "SET k v PX 100000 PX 200000", "SET k v EX 10 PX 10", "SET k v KEEPTTL EX 10", "SET k v EX 10 KEEPTTL",
        "SET k v EX", "SET k v EX 0", "SET k v EX -1", "SET k v EX x", "SET k v EX 9223372036854775807",
        "SET k v PX 9223372036854775807", "SET k v EXAT 9223372036854775807", "SET k v PXAT 9223372036854775807",
        "PTTL k", "SET k v KEEPTTL", "PTTL k", "SET k v GET", "SET k v3 GET GET", "SET nokey v NX GET", "SET nokey v2 NX GET",
        "SET nokey2 v XX GET", "EXISTS nokey2", "SET k v FOO", "SET k", "SET k v get EX 100", "PTTL k",
        "SET k v PXAT 1", "EXISTS k", "SET k v EXAT 1 GET", "GET k", "SET k 12345", "DEBUG OBJECT k",
        "SET k 01", "DEBUG OBJECT k", "SET k -0", "DEBUG OBJECT k", "SET k 9223372036854775808", "DEBUG OBJECT k",
        "SET k -9223372036854775808", "DEBUG OBJECT k", "SET k 12345678901234567890123456789012345678901234",
        "DEBUG OBJECT k", "SET k 123456789012345678901234567890123456789012345", "DEBUG OBJECT k",
        // SETNX / SETEX / PSETEX / MSETNX / GETSET / GETDEL
        "FLUSHALL", "SETNX a 1", "SETNX a 2", "GET a", "SETEX a 100 v", "PTTL a", "SETEX a 0 v", "SETEX a -5 v",
        "SETEX a x v", "SETEX a 9223372036854775807 v", "PSETEX a 100000 w", "PTTL a", "PSETEX a 0 w",
        "PSETEX a 9223372036854775807 w", "SETEX a 100", "MSETNX a 1 b 2", "MSETNX b 1 c 2", "MGET a b c d",
        "MSETNX b 1 c", "MSET b 1 c", "MSET x 1 x 2", "GET x", "GETSET a new", "PTTL a", "GETSET zz v", "GETDEL zz",
        "GETDEL zz", "EXISTS zz", "SETEX e 100 v", "GETSET e w", "PTTL e",
        // GETEX
        "SET g v", "GETEX g", "GETEX g EX 100", "PTTL g", "GETEX g PERSIST", "PTTL g", "GETEX g PERSIST",
        "GETEX g PX 100000", "GETEX g EXAT 9999999999", "PTTL g", "GETEX g PXAT 99999999999999", "GETEX g EX 1 PX 1",
        "GETEX g PERSIST EX 1", "GETEX g EX 1 PERSIST", "GETEX g EX 0", "GETEX g EX -1", "GETEX g EX x", "GETEX g EX",
        "GETEX g KEEPTTL", "GETEX g NX", "GETEX missing EX -1", "GETEX missing FOO", "GETEX g EX 9223372036854775807",
        "GETEX g EXAT 1", "EXISTS g", "SET g v", "GETEX g PXAT 1", "GET g",
        // APPEND / STRLEN / GETRANGE / SETRANGE
        "FLUSHALL", "APPEND s hello", "DEBUG OBJECT s", "APPEND s \\sworld", "DEBUG OBJECT s", "STRLEN s", "STRLEN nos",
        "SET n 10", "APPEND n 5", "DEBUG OBJECT n", "GET n", "SET n 10", "APPEND n ''", "DEBUG OBJECT n", "APPEND new ''",
        "EXISTS new", "DEBUG OBJECT new", "SET i 12", "DEBUG OBJECT i", "STRLEN i",
        "GETRANGE s 0 4", "GETRANGE s -5 -1", "GETRANGE s 5 2", "GETRANGE s -1 -5", "GETRANGE s -100 -200",
        "GETRANGE s -200 -100", "GETRANGE s 0 -100", "GETRANGE s 100 200", "GETRANGE s 0 9223372036854775807",
        "GETRANGE s -9223372036854775808 -1", "GETRANGE s a 1", "GETRANGE s 1 b", "GETRANGE nos 0 -1",
        "SUBSTR s 1 3", "GETRANGE i 0 0", "SET e ''", "GETRANGE e 0 -1", "GETRANGE e -1 0",
        "SETRANGE r 5 x", "GET r", "DEBUG OBJECT r", "SETRANGE r 0 ''", "SETRANGE nor 5 ''", "EXISTS nor",
        "SETRANGE r -1 x", "SETRANGE r x x", "SETRANGE i 1 9", "GET i", "DEBUG OBJECT i", "SETRANGE r 1048575 x",
        "STRLEN r", "SETRANGE r 1048576 x", "SETRANGE big 1048576 x", "SETRANGE r 9223372036854775807 x",
        "SETRANGE r 1048576 ''", "APPEND r x", "SETRANGE r 2 hello", "GETRANGE r 0 10", "DEL r",
        "SETEX t 100 abc", "SETRANGE t 1 X", "PTTL t", "APPEND t Y", "PTTL t", "INCRBYFLOAT t2 1", "SETEX t2 100 1",
        "INCR t2", "PTTL t2", "INCRBYFLOAT t2 1.5", "PTTL t2",
        // INCR family
        "SET c 9223372036854775806", "INCR c", "INCR c", "DECRBY c -1", "SET c -9223372036854775807", "DECR c", "DECR c",
        "DECRBY c 9223372036854775807", "DECRBY x -9223372036854775808", "INCRBY x -9223372036854775808",
        "INCRBY x 9223372036854775808", "INCRBY x 1.5", "INCRBY x ''", "SET c \\s1", "INCR c", "SET c 1x", "INCR c",
        "SET c 007", "INCR c", "SET c -0", "INCR c", "SET c 10", "INCRBY c +5", "INCRBY c 05", "DEBUG OBJECT c",
        // INCRBYFLOAT formatting and limits
        "FLUSHALL", "INCRBYFLOAT f 10.5", "INCRBYFLOAT f 0.1", "INCRBYFLOAT f -5.0e3", "INCRBYFLOAT f 5.0e3",
        "DEBUG OBJECT f", "INCRBYFLOAT g 0.1", "INCRBYFLOAT g 0.2", "INCRBYFLOAT g 0.3", "INCRBYFLOAT h 1e400",
        "INCRBYFLOAT h -1e400", "INCRBYFLOAT h 1.7976931348623157e308", "INCRBYFLOAT h 1.7976931348623157e308",
        "INCRBYFLOAT h2 inf", "INCRBYFLOAT h2 -inf", "INCRBYFLOAT h2 nan", "INCRBYFLOAT h2 infinity",
        "INCRBYFLOAT h2 1e5000", "INCRBYFLOAT h2 1e-5000", "INCRBYFLOAT h2 1e-30", "INCRBYFLOAT h3 0x10",
        "INCRBYFLOAT h3 0x1.8p1", "INCRBYFLOAT h3 0x", "INCRBYFLOAT h3 .5", "INCRBYFLOAT h3 5.", "INCRBYFLOAT h3 .",
        "INCRBYFLOAT h3 1e", "INCRBYFLOAT h3 1e+", "INCRBYFLOAT h3 +1", "INCRBYFLOAT h3 \\s1", "INCRBYFLOAT h3 1\\s",
        "INCRBYFLOAT h3 ''", "INCRBYFLOAT h3 abc", "INCRBYFLOAT h3 -0", "INCRBYFLOAT h4 -0.0", "GET h4",
        "INCRBYFLOAT h4 3.0000000000000000001", "INCRBYFLOAT h5 1.23456789012345678901234567890",
        "INCRBYFLOAT h6 123456789012345678901234567890", "INCRBYFLOAT h6 0.000000000000000001",
        "INCRBYFLOAT h7 0.000000000000000005", "INCRBYFLOAT h7 -0.000000000000000015", "SET s abc",
        "INCRBYFLOAT s 1", "SET s 1.5e3", "INCRBYFLOAT s 1", "DEBUG OBJECT s", "SET s 5", "INCRBYFLOAT s 0",
        "DEBUG OBJECT s", "INCRBYFLOAT h6 1e20", "INCRBYFLOAT big 1e30", "INCRBYFLOAT big -1e-30",
        "INCRBYFLOAT big2 0.1e-4", "INCRBYFLOAT big3 9223372036854775807", "INCRBYFLOAT big3 1",
        // LCS
        "FLUSHALL", "MSET a ohmytext b mynewtext", "LCS a b", "LCS a b LEN", "LCS a b IDX", "LCS a b IDX MINMATCHLEN 4",
        "LCS a b IDX WITHMATCHLEN", "LCS a b IDX MINMATCHLEN 2 WITHMATCHLEN", "LCS a b LEN IDX", "LCS a b MINMATCHLEN",
        "LCS a b MINMATCHLEN x", "LCS a b MINMATCHLEN -5 IDX", "LCS a b FOO", "LCS a nokey", "LCS nokey nokey2 IDX",
        "LCS a a IDX WITHMATCHLEN", "LCS a", "SET c aaaa", "SET d aa", "LCS c d IDX", "LCS d c IDX WITHMATCHLEN",
        // SETBIT / GETBIT
        "FLUSHALL", "SETBIT b 7 1", "GET b", "DEBUG OBJECT b", "SETBIT b 7 1", "SETBIT b 7 0", "SETBIT b 100 1",
        "STRLEN b", "GETBIT b 100", "GETBIT b 101", "GETBIT b 100000", "GETBIT nob 0", "SETBIT b -1 1",
        "SETBIT b x 1", "SETBIT b 0 2", "SETBIT b 0 -1", "SETBIT b 0 x", "SETBIT b 8388608 1", "SETBIT b 8388607 1",
        "STRLEN b", "GETBIT b 8388608", "GETBIT b 9223372036854775807", "SET n 5", "GETBIT n 2", "GETBIT n 7",
        "SETBIT n 6 0", "DEBUG OBJECT n", "SET n 5", "SETBIT n 7 1", "DEBUG OBJECT n", "GET n",
        // BITCOUNT / BITPOS
        "FLUSHALL", "SET s foobar", "BITCOUNT s", "BITCOUNT s 0 0", "BITCOUNT s 1 1", "BITCOUNT s 1 1 BYTE",
        "BITCOUNT s 5 30 BIT", "BITCOUNT s 0 -1 BIT", "BITCOUNT s -3 -1 BIT", "BITCOUNT s -1 -3", "BITCOUNT s -1 -3 FOO",
        "BITCOUNT s 0", "BITCOUNT s 0 1 BIT x", "BITCOUNT s 0 1 FOO", "BITCOUNT s a 1", "BITCOUNT s 0 b",
        "BITCOUNT nos", "BITCOUNT nos 0", "BITCOUNT nos a b c d", "BITCOUNT s 100 200", "BITCOUNT s -100 -50",
        "BITCOUNT s -9223372036854775808 9223372036854775807", "BITCOUNT s 9 9 BIT", "SET e ''", "BITCOUNT e",
        "BITCOUNT e 0 -1", "BITCOUNT e 0 -1 BIT", "SET n 123", "BITCOUNT n",
        "SET p \\xff\\xf0\\x00", "BITPOS p 0", "BITPOS p 1", "BITPOS p 0 1", "BITPOS p 1 2", "BITPOS p 1 2 -1",
        "BITPOS p 0 0 0", "BITPOS p 0 0 0 BIT", "BITPOS p 0 8 15 BIT", "BITPOS p 1 12 23 BIT", "BITPOS p 0 3 5 BIT",
        "BITPOS p 1 3 5 BIT", "BITPOS p 0 1 BIT", "BITPOS p 2", "BITPOS p -1", "BITPOS p x", "BITPOS nop 0", "BITPOS nop 1",
        "BITPOS nop 1 x y z w", "BITPOS p 1 0 1 FOO", "BITPOS p 1 0 x FOO", "BITPOS p 1 x", "BITPOS p 1 0 x",
        "BITPOS p 1 0 1 BIT x", "SET f \\xff\\xff", "BITPOS f 0", "BITPOS f 0 0", "BITPOS f 0 0 -1", "BITPOS f 0 0 15 BIT",
        "BITPOS f 0 1", "BITPOS f 0 -1", "BITPOS f 1 -1", "BITPOS f 1 5 2", "BITPOS e 0", "BITPOS e 1", "BITPOS e 0 0",
        "SET z \\x00\\x00\\x00", "BITPOS z 1", "BITPOS z 0", "BITPOS z 0 -1", "BITPOS z 1 7 16 BIT", "SET n 8", "BITPOS n 1",
        // BITOP
        "FLUSHALL", "SET a abc", "SET b \\xff", "BITOP AND d a b", "GET d", "DEBUG OBJECT d", "BITOP OR d a b", "GET d",
        "BITOP XOR d a b nokey", "GET d", "BITOP NOT d a", "GET d", "BITOP NOT d a b", "BITOP FOO d a", "BITOP AND d",
        "BITOP AND d nokey", "EXISTS d", "SETEX d 100 x", "BITOP OR d a", "PTTL d", "BITOP AND d nokey nokey2",
        "EXISTS d", "SET n 12", "BITOP OR d n", "GET d", "BITOP and d a a",
        // BITFIELD
        "FLUSHALL", "BITFIELD bf", "BITFIELD bf GET u8 0", "EXISTS bf", "BITFIELD bf SET u8 0 255 GET u8 0",
        "DEBUG OBJECT bf", "BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1", "BITFIELD bf INCRBY i5 100 1",
        "BITFIELD bf GET i8 #0 GET i8 #1 SET i8 #1 -100", "BITFIELD bf OVERFLOW FAIL INCRBY i8 8 -100",
        "BITFIELD bf OVERFLOW WRAP INCRBY i8 8 -100 OVERFLOW SAT INCRBY i8 8 -100 INCRBY u8 8 1000",
        "BITFIELD bf SET i64 0 -1 GET u63 0 GET i64 0", "BITFIELD bf INCRBY i64 0 -9223372036854775808",
        "BITFIELD bf OVERFLOW SAT INCRBY i64 0 -9223372036854775808", "BITFIELD bf OVERFLOW FAIL SET u8 0 256",
        "BITFIELD bf OVERFLOW FAIL SET u8 0 -1", "BITFIELD bf OVERFLOW SAT SET u8 0 -1", "BITFIELD bf SET u8 0 -1",
        "BITFIELD bf SET i8 0 200", "BITFIELD bf OVERFLOW SAT SET i8 0 200 SET i8 0 -200", "BITFIELD bf GET u64 0",
        "BITFIELD bf GET i65 0", "BITFIELD bf GET u0 0", "BITFIELD bf GET x8 0", "BITFIELD bf GET '' 0",
        "BITFIELD bf GET i8 -1", "BITFIELD bf GET i8 #-1", "BITFIELD bf GET i8 x", "BITFIELD bf GET i8 8388608",
        "BITFIELD bf GET i8 #1048576", "BITFIELD bf GET i8 #1048575", "BITFIELD bf GET u8 #", "BITFIELD bf GET u8",
        "BITFIELD bf SET u8 0", "BITFIELD bf SET u8 0 x", "BITFIELD bf OVERFLOW", "BITFIELD bf OVERFLOW FOO GET u8 0",
        "BITFIELD bf FOO", "BITFIELD bf GET U8 0 get I8 0", "BITFIELD bf OVERFLOW FAIL", "BITFIELD nobf OVERFLOW FAIL SET u8 0 999",
        "EXISTS nobf", "GET nobf", "BITFIELD_RO bf GET u8 0 GET i4 4", "BITFIELD_RO bf SET u8 0 1", "BITFIELD_RO bf",
        "BITFIELD_RO bf INCRBY u8 0 x", "BITFIELD_RO nobf2 GET u8 0", "SET n 7", "BITFIELD n GET u8 0",
        "BITFIELD n SET u8 0 1", "DEBUG OBJECT n", "BITFIELD big SET u8 8388600 1", "BITFIELD big SET u8 8388601 1",
        "BITFIELD big INCRBY u1 5 1 INCRBY u1 5 1 INCRBY u1 5 1 OVERFLOW FAIL INCRBY u1 5 1",
        "BITFIELD big INCRBY u63 0 9223372036854775807 INCRBY u63 0 1 OVERFLOW SAT INCRBY u63 0 5 INCRBY u63 0 -9223372036854775808",
        "BITFIELD big OVERFLOW WRAP INCRBY u63 0 -9223372036854775808 INCRBY i3 1 -5 INCRBY i3 1 -5",
        "DEBUG OBJECT nokey",
    };

    @Test
    void handWrittenEdgeCasesResp2() throws IOException {
        try (Pair p = new Pair(2)) {
            p.run(edgeCases());
            p.assertSameDigest();
        }
    }

    @Test
    void handWrittenEdgeCasesResp3() throws IOException {
        try (Pair p = new Pair(3)) {
            p.run(edgeCases());
            p.assertSameDigest();
        }
    }

    static List<byte[][]> edgeCases() {
        List<byte[][]> out = script(EDGE_CASES);
        // \xNN escapes for binary values
        for (byte[][] cmd : out) {
            for (int i = 0; i < cmd.length; i++) cmd[i] = unescape(cmd[i]);
        }
        return out;
    }

    static byte[] unescape(byte[] a) {
        String s = new String(a, StandardCharsets.ISO_8859_1);
        if (!s.contains("\\x")) return a;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.startsWith("\\x", i)) {
                sb.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                sb.append(s.charAt(i));
            }
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- random sequences

    @Test
    void randomSequencesResp2() throws IOException {
        for (long seed = 1; seed <= 4; seed++) {
            try (Pair p = new Pair(2)) {
                p.run(new Generator(seed).commands(1500));
                p.assertSameDigest();
            }
        }
    }

    @Test
    void randomSequencesResp3() throws IOException {
        for (long seed = 101; seed <= 102; seed++) {
            try (Pair p = new Pair(3)) {
                p.run(new Generator(seed).commands(1500));
                p.assertSameDigest();
            }
        }
    }

    /** A seeded generator of string commands over a few keys, valid and invalid arguments mixed. */
    static final class Generator {
        final Random rnd;
        final long future = System.currentTimeMillis() / 1000 + 100_000;

        Generator(long seed) {
            rnd = new Random(seed);
        }

        static final String[] KEYS = {"k1", "k2", "k3", "k4", "{k}5"};
        static final String[] INTS = {"0", "1", "-1", "2", "3", "5", "7", "8", "10", "13", "100", "-2", "-5", "-100",
            "9223372036854775807", "-9223372036854775808", "x", "", "1.5", "01", "+1", "64", "1000"};
        static final String[] FLOATS = {"1", "1.5", "0.1", "-0.1", "1e3", "5.0e3", "-2.5", "inf", "-inf", "nan", "abc",
            "1e400", "0x1p3", ".5", "5.", "1e", " 1", "3", "-3", "1e-20", "1.7976931348623157e308", "0", "-0",
            "123456789.123456789", "0.3333333333333333333", "1e17", "1e18", "12345678901234567890.5"};

        String key() {
            return KEYS[rnd.nextInt(KEYS.length)];
        }

        String anyInt() {
            return rnd.nextInt(4) == 0 ? INTS[rnd.nextInt(INTS.length)] : Integer.toString(rnd.nextInt(41) - 20);
        }

        Object value() {
            switch (rnd.nextInt(9)) {
                case 0: return "";
                case 1: return Integer.toString(rnd.nextInt(2000) - 1000);
                case 2: return INTS[rnd.nextInt(INTS.length)];
                case 3: return FLOATS[rnd.nextInt(FLOATS.length)];
                case 4: {
                    byte[] b = new byte[rnd.nextInt(12)];
                    rnd.nextBytes(b);
                    return b;
                }
                case 5: return "x".repeat(40 + rnd.nextInt(10));
                default: {
                    StringBuilder sb = new StringBuilder();
                    int n = 1 + rnd.nextInt(8);
                    for (int i = 0; i < n; i++) sb.append((char) ('a' + rnd.nextInt(4)));
                    return sb.toString();
                }
            }
        }

        String expireOpt() {
            return new String[] {"EX", "PX", "EXAT", "PXAT", "ex"}[rnd.nextInt(5)];
        }

        String expireVal(String opt) {
            int r = rnd.nextInt(10);
            if (r == 0) return new String[] {"0", "-1", "x", "9223372036854775807"}[rnd.nextInt(4)];
            // An absolute time in the past expires (or deletes) the key at once; a short relative one
            // would race with the pipeline, so relative expiries stay far in the future.
            if (r == 1 && opt.toUpperCase().endsWith("AT")) return "1";
            return switch (opt.toUpperCase()) {
                case "EX" -> Integer.toString(1000 + rnd.nextInt(1000));
                case "PX" -> Integer.toString(1_000_000 + rnd.nextInt(1000));
                case "EXAT" -> Long.toString(future + rnd.nextInt(1000));
                default -> Long.toString(future * 1000 + rnd.nextInt(1000));
            };
        }

        String typeArg() {
            int r = rnd.nextInt(12);
            if (r == 0) return new String[] {"u64", "i65", "u0", "x8", "i", ""}[rnd.nextInt(6)];
            boolean signed = rnd.nextBoolean();
            int bits = 1 + rnd.nextInt(signed ? 64 : 63);
            if (rnd.nextInt(3) == 0) bits = new int[] {8, 16, 32}[rnd.nextInt(3)];
            return (signed ? "i" : "u") + bits;
        }

        String offsetArg() {
            int r = rnd.nextInt(10);
            if (r == 0) return new String[] {"-1", "x", "#-1", "8388608", "#", "#1048576"}[rnd.nextInt(6)];
            if (r < 3) return "#" + rnd.nextInt(6);
            return Integer.toString(rnd.nextInt(90));
        }

        String bitOffset() {
            int r = rnd.nextInt(12);
            if (r == 0) return new String[] {"-1", "x", "8388608", "4294967296", "9223372036854775807"}[rnd.nextInt(5)];
            return Integer.toString(rnd.nextInt(80));
        }

        List<byte[][]> commands(int n) {
            List<byte[][]> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(args(command()));
            return out;
        }

        Object[] command() {
            List<Object> a = new ArrayList<>();
            switch (rnd.nextInt(34)) {
                case 0, 1 -> a.addAll(List.of("GET", key()));
                case 2, 3 -> {
                    a.addAll(List.of("SET", key(), value()));
                    int opts = rnd.nextInt(4);
                    for (int i = 0; i < opts; i++) {
                        switch (rnd.nextInt(6)) {
                            case 0 -> a.add(rnd.nextBoolean() ? "NX" : "XX");
                            case 1 -> a.add("GET");
                            case 2 -> a.add("KEEPTTL");
                            default -> {
                                String o = expireOpt();
                                a.add(o);
                                if (rnd.nextInt(15) != 0) a.add(expireVal(o));
                            }
                        }
                    }
                }
                case 4 -> a.addAll(List.of("SETNX", key(), value()));
                case 5 -> a.addAll(List.of(rnd.nextBoolean() ? "SETEX" : "PSETEX", key(), expireVal(rnd.nextBoolean() ? "EX" : "PX"), value()));
                case 6 -> {
                    a.add(rnd.nextBoolean() ? "MSET" : "MSETNX");
                    int n = 1 + rnd.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        a.add(key());
                        a.add(value());
                    }
                    if (rnd.nextInt(10) == 0) a.remove(a.size() - 1);
                }
                case 7 -> {
                    a.add("MGET");
                    int n = 1 + rnd.nextInt(4);
                    for (int i = 0; i < n; i++) a.add(key());
                }
                case 8 -> a.addAll(List.of("GETSET", key(), value()));
                case 9 -> a.addAll(List.of("GETDEL", key()));
                case 10 -> {
                    a.addAll(List.of("GETEX", key()));
                    int r = rnd.nextInt(5);
                    if (r == 1) a.add("PERSIST");
                    if (r >= 2) {
                        String o = expireOpt();
                        a.add(o);
                        a.add(expireVal(o));
                    }
                    if (rnd.nextInt(12) == 0) a.add(new String[] {"PERSIST", "EX", "KEEPTTL", "NX"}[rnd.nextInt(4)]);
                }
                case 11, 12 -> a.addAll(List.of("APPEND", key(), value()));
                case 13 -> a.addAll(List.of("STRLEN", key()));
                case 14 -> a.addAll(List.of(new String[] {"INCR", "DECR"}[rnd.nextInt(2)], key()));
                case 15 -> a.addAll(List.of(new String[] {"INCRBY", "DECRBY"}[rnd.nextInt(2)], key(), anyInt()));
                case 16, 17 -> a.addAll(List.of("INCRBYFLOAT", key(), rnd.nextBoolean() ? FLOATS[rnd.nextInt(FLOATS.length)]
                        : (rnd.nextInt(2000) - 1000) / Math.pow(10, rnd.nextInt(6)) + ""));
                case 18 -> a.addAll(List.of(rnd.nextBoolean() ? "GETRANGE" : "SUBSTR", key(), anyInt(), anyInt()));
                case 19 -> a.addAll(List.of("SETRANGE", key(), rnd.nextInt(8) == 0 ? anyInt() : Integer.toString(rnd.nextInt(30)), value()));
                case 20 -> {
                    a.addAll(List.of("LCS", key(), key()));
                    int n = rnd.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        switch (rnd.nextInt(5)) {
                            case 0 -> a.add("LEN");
                            case 1, 2 -> a.add("IDX");
                            case 3 -> a.add("WITHMATCHLEN");
                            default -> {
                                a.add("MINMATCHLEN");
                                a.add(anyInt());
                            }
                        }
                    }
                }
                case 21, 22 -> a.addAll(List.of("SETBIT", key(), bitOffset(), rnd.nextInt(10) == 0 ? anyInt() : Integer.toString(rnd.nextInt(2))));
                case 23 -> a.addAll(List.of("GETBIT", key(), bitOffset()));
                case 24, 25 -> {
                    a.addAll(List.of("BITCOUNT", key()));
                    int r = rnd.nextInt(6);
                    if (r >= 1) a.add(anyInt());
                    if (r >= 2) a.add(anyInt());
                    if (r >= 4) a.add(new String[] {"BIT", "BYTE", "bit", "FOO"}[rnd.nextInt(4)]);
                }
                case 26, 27 -> {
                    a.addAll(List.of("BITPOS", key(), rnd.nextInt(10) == 0 ? anyInt() : Integer.toString(rnd.nextInt(2))));
                    int r = rnd.nextInt(6);
                    if (r >= 1) a.add(anyInt());
                    if (r >= 2) a.add(anyInt());
                    if (r >= 4) a.add(new String[] {"BIT", "BYTE", "byte", "FOO"}[rnd.nextInt(4)]);
                }
                case 28 -> {
                    a.addAll(List.of("BITOP", new String[] {"AND", "OR", "XOR", "NOT", "not", "FOO"}[rnd.nextInt(6)], key()));
                    int n = 1 + rnd.nextInt(3);
                    for (int i = 0; i < n; i++) a.add(key());
                }
                case 29, 30 -> {
                    boolean ro = rnd.nextInt(4) == 0;
                    a.addAll(List.of(ro ? "BITFIELD_RO" : "BITFIELD", key()));
                    int n = rnd.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        switch (rnd.nextInt(ro ? 8 : 4)) {
                            case 0 -> a.addAll(List.of("SET", typeArg(), offsetArg(), anyInt()));
                            case 1 -> a.addAll(List.of("INCRBY", typeArg(), offsetArg(), anyInt()));
                            case 2 -> {
                                a.add("OVERFLOW");
                                a.add(new String[] {"WRAP", "SAT", "FAIL", "fail", "FOO"}[rnd.nextInt(5)]);
                            }
                            default -> a.addAll(List.of("GET", typeArg(), offsetArg()));
                        }
                    }
                    if (rnd.nextInt(20) == 0) a.remove(a.size() - 1);
                }
                case 31 -> a.addAll(List.of("DEL", key()));
                case 32 -> a.addAll(List.of("PTTL", key()));
                default -> a.addAll(List.of("DEBUG", "OBJECT", key()));
            }
            return a.toArray();
        }
    }
}
