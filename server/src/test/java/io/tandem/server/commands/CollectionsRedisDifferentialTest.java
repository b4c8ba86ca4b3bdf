package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hashes and lists, differentially: the same command sequences (valid, invalid, WRONGTYPE, huge
 * ranges, encoding conversions) go to a real Redis 7.0 and to Tandem, and the raw reply bytes
 * must be identical; at the end every key's encoding and the DEBUG DIGEST must match. Both run
 * with the same small listpack thresholds so conversions happen often.
 */
class CollectionsRedisDifferentialTest {
    static final int HASH_ENTRIES = 16;
    static final int HASH_VALUE = 16;
    static RedisProcess redis;
    static TandemTestServer tandem;
    static RawResp r;
    static RawResp t;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start("--hash-max-listpack-entries", "" + HASH_ENTRIES, "--hash-max-listpack-value", "" + HASH_VALUE,
                "--list-max-listpack-size", "-2");
        tandem = TandemTestServer.start(Map.of());
        tandem.server().settings().hashMaxListpackEntries = HASH_ENTRIES;
        tandem.server().settings().hashMaxListpackValue = HASH_VALUE;
        tandem.server().settings().listMaxListpackSize = -2;
        r = new RawResp(redis.port());
        t = new RawResp(tandem.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (r != null) r.close();
        if (t != null) t.close();
        if (tandem != null) tandem.close();
        if (redis != null) redis.close();
    }

    @BeforeEach
    void flush() throws Exception {
        r.call("HELLO", "2");
        t.call("HELLO", "2");
        r.call("FLUSHALL");
        t.call("FLUSHALL");
    }

    static String show(String raw) {
        return raw.replace("\r\n", "\\r\\n");
    }

    /** Sends a batch to both servers; replies must be equal byte for byte (or per {@code relax}). */
    static void same(List<String[]> cmds) throws Exception {
        List<String> a = r.pipeline(cmds);
        List<String> b = t.pipeline(cmds);
        for (int i = 0; i < cmds.size(); i++) {
            assertEquals(show(a.get(i)), show(b.get(i)), "reply to " + String.join(" ", cmds.get(i)));
        }
    }

    static void same(String... cmd) throws Exception {
        same(List.<String[]>of(cmd));
    }

    static String encodingOf(RawResp c, String key) throws Exception {
        String o = c.call("DEBUG", "OBJECT", key);
        Matcher m = Pattern.compile("encoding:(\\S+)").matcher(o);
        return m.find() ? m.group(1) : o.trim();
    }

    /** Bulk payloads of a raw reply (enough to compare unordered replies of simple shapes). */
    static List<String> bulks(String raw) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\$(\\d+)\\r\\n").matcher(raw);
        int from = 0;
        while (m.find(from)) {
            int n = Integer.parseInt(m.group(1));
            out.add(raw.substring(m.end(), m.end() + n));
            from = m.end() + n + 2;
        }
        return out;
    }

    static void sameDataset(List<String> keys) throws Exception {
        for (String k : keys) {
            assertEquals(encodingOf(r, k), encodingOf(t, k), "encoding of " + k);
            same("DEBUG", "DIGEST-VALUE", k);
            same("TYPE", k);
        }
        same("DEBUG", "DIGEST");
    }

    static String rep(char ch, int n) {
        return String.valueOf(ch).repeat(n);
    }

    @Test
    void fixedHashCasesMatchRedis() throws Exception {
        String big = rep('v', HASH_VALUE + 1);
        String[][] cmds = {
            {"HSET", "h", "a", "1", "b", "2"}, {"HSET", "h", "a", "3"}, {"HSET", "h"}, {"HSET", "h", "a"},
            {"HMSET", "h", "c", "x", "d"}, {"HMSET", "h", "c", "x"}, {"HSETNX", "h", "c", "y"}, {"HSETNX", "h", "e", "5"},
            {"HGET", "h", "a"}, {"HGET", "h", "zz"}, {"HGET", "nokey", "a"}, {"HMGET", "h", "a", "zz", "b"},
            {"HMGET", "nokey", "a", "b"}, {"HLEN", "h"}, {"HLEN", "nokey"}, {"HSTRLEN", "h", "c"}, {"HSTRLEN", "h", "zz"},
            {"HEXISTS", "h", "a"}, {"HEXISTS", "h", "zz"}, {"HKEYS", "h"}, {"HVALS", "h"}, {"HGETALL", "h"},
            {"HKEYS", "nokey"}, {"HGETALL", "nokey"},
            {"HINCRBY", "h", "a", "10"}, {"HINCRBY", "h", "c", "1"}, {"HINCRBY", "h", "a", "x"},
            {"HINCRBY", "h", "n", "9223372036854775807"}, {"HINCRBY", "h", "n", "1"}, {"HINCRBY", "h", "m", "-9223372036854775808"},
            {"HINCRBY", "h", "m", "-1"}, {"HINCRBYFLOAT", "h", "f", "0.1"}, {"HINCRBYFLOAT", "h", "f", "0.2"},
            {"HINCRBYFLOAT", "h", "f", "1e300"}, {"HINCRBYFLOAT", "h", "g", "1.23456789012345678"},
            {"HINCRBYFLOAT", "h", "g", "-1.23456789012345678"}, {"HINCRBYFLOAT", "h", "a", "2.5"},
            {"HINCRBYFLOAT", "h", "c", "1"}, {"HINCRBYFLOAT", "h", "a", "abc"}, {"HINCRBYFLOAT", "h", "a", "inf"},
            {"HINCRBYFLOAT", "h", "a", "nan"}, {"HINCRBYFLOAT", "h", "a", " 1"}, {"HINCRBYFLOAT", "h", "a", "1e5000"},
            {"HINCRBYFLOAT", "h", "p", "3.0e3"}, {"HINCRBYFLOAT", "h", "q", "-0"}, {"HINCRBYFLOAT", "h", "r", ".5"},
            {"HINCRBYFLOAT", "h", "s", "5."}, {"HINCRBYFLOAT", "h", "t", "10.5e-3"},
            {"HGETALL", "h"}, {"HDEL", "h", "zz"}, {"HDEL", "h", "a", "b", "a"}, {"HDEL", "nokey", "a"},
            {"HRANDFIELD", "nokey"}, {"HRANDFIELD", "nokey", "5"}, {"HRANDFIELD", "nokey", "-5", "WITHVALUES"},
            {"HRANDFIELD", "h", "0"}, {"HRANDFIELD", "h", "100"}, {"HRANDFIELD", "h", "100", "WITHVALUES"},
            {"HRANDFIELD", "h", "5", "WITHVALUE"}, {"HRANDFIELD", "h", "5", "WITHVALUES", "x"}, {"HRANDFIELD", "h", "x"},
            {"HRANDFIELD", "h", "-9223372036854775808"}, {"HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"},
            {"HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"},
            {"HSCAN", "h", "0"}, {"HSCAN", "h", "0", "MATCH", "*"}, {"HSCAN", "h", "0", "MATCH", "[a-f]", "COUNT", "1"},
            {"HSCAN", "h", "0", "COUNT", "0"}, {"HSCAN", "h", "0", "COUNT", "x"}, {"HSCAN", "h", "x"},
            {"HSCAN", "h", "0", "FOO"}, {"HSCAN", "nokey", "0", "FOO"}, {"HSCAN", "h", "-1"}, {"HSCAN", "h", ""},
            {"HSCAN", "h", "18446744073709551616"},
            {"SET", "s", "x"}, {"HSET", "s", "a", "1"}, {"HGET", "s", "a"}, {"HGETALL", "s"}, {"HSCAN", "s", "0"},
            {"HSCAN", "s", "x"}, {"HINCRBY", "s", "a", "1"}, {"HINCRBY", "s", "a", "x"}, {"HINCRBYFLOAT", "s", "a", "x"},
            {"HRANDFIELD", "s"}, {"HRANDFIELD", "s", "x"}, {"HLEN", "s"}, {"HDEL", "s", "a"},
            // conversions: a long value, a long field, too many entries; HSETNX with a long value on an existing field
            {"HSET", "c1", "a", big}, {"HSET", "c2", big, "a"}, {"HSET", "c3", "a", "1"}, {"HSETNX", "c3", "a", big},
            {"HINCRBY", "c4", big, "1"}, {"HINCRBYFLOAT", "c5", big, "1"}, {"HSET", "c6", "k", rep('x', HASH_VALUE)},
            {"HGETALL", "c1"}, {"HDEL", "c1", "a"}, {"EXISTS", "c1"},
        };
        for (String[] c : cmds) compare(c, "fixed");
        List<String[]> grow = new ArrayList<>();
        for (int i = 0; i <= HASH_ENTRIES; i++) grow.add(new String[] {"HSET", "c7", "f" + i, "" + i});
        same(grow);
        same("HDEL", "c7", "f0", "f1", "f2", "f3", "f4", "f5");
        sameDataset(List.of("h", "s", "c2", "c3", "c4", "c5", "c6", "c7"));
    }

    @Test
    void fixedListCasesMatchRedis() throws Exception {
        String[][] cmds = {
            {"LPUSH", "l", "a", "b", "c"}, {"RPUSH", "l", "1", "2", "-3", "a"}, {"LPUSHX", "nokey", "a"}, {"RPUSHX", "l", "z"},
            {"LLEN", "l"}, {"LLEN", "nokey"}, {"LRANGE", "l", "0", "-1"}, {"LRANGE", "l", "0", "9999999999"},
            {"LRANGE", "l", "-100", "2"}, {"LRANGE", "l", "5", "2"}, {"LRANGE", "l", "x", "2"}, {"LRANGE", "nokey", "0", "-1"},
            {"LRANGE", "l", "0", "99999999999999999999"}, {"LINDEX", "l", "0"}, {"LINDEX", "l", "-1"}, {"LINDEX", "l", "100"},
            {"LINDEX", "l", "x"}, {"LINDEX", "nokey", "x"}, {"LSET", "l", "0", "new"}, {"LSET", "l", "-1", "last"},
            {"LSET", "l", "100", "x"}, {"LSET", "nokey", "0", "x"}, {"LSET", "l", "x", "y"},
            {"LINSERT", "l", "BEFORE", "a", "ins"}, {"LINSERT", "l", "after", "a", "ins2"}, {"LINSERT", "l", "after", "zz", "x"},
            {"LINSERT", "l", "middle", "a", "x"}, {"LINSERT", "nokey", "before", "a", "x"},
            {"LREM", "l", "0", "zz"}, {"LREM", "l", "1", "a"}, {"LREM", "l", "-1", "ins"}, {"LREM", "l", "x", "a"},
            {"RPUSH", "p", "a", "b", "a", "c", "a", "b"}, {"LPOS", "p", "a"}, {"LPOS", "p", "a", "RANK", "2"},
            {"LPOS", "p", "a", "RANK", "-1"}, {"LPOS", "p", "a", "COUNT", "0"}, {"LPOS", "p", "a", "COUNT", "2", "RANK", "-1"},
            {"LPOS", "p", "a", "MAXLEN", "2", "COUNT", "0"}, {"LPOS", "p", "zz"}, {"LPOS", "p", "zz", "COUNT", "1"},
            {"LPOS", "p", "a", "RANK", "0"}, {"LPOS", "p", "a", "RANK", "-9223372036854775808"}, {"LPOS", "p", "a", "COUNT", "-1"},
            {"LPOS", "p", "a", "COUNT", "x"}, {"LPOS", "p", "a", "MAXLEN", "-1"}, {"LPOS", "p", "a", "RANK"},
            {"LPOS", "p", "a", "FOO", "1"}, {"LPOS", "nokey", "a"}, {"LPOS", "nokey", "a", "COUNT", "0"},
            {"LPOP", "p"}, {"RPOP", "p"}, {"LPOP", "p", "2"}, {"RPOP", "p", "0"}, {"LPOP", "p", "-1"}, {"LPOP", "p", "x"},
            {"LPOP", "p", "1", "2"}, {"LPOP", "nokey"}, {"LPOP", "nokey", "2"}, {"LPOP", "p", "100"}, {"EXISTS", "p"},
            {"RPUSH", "m", "1", "2", "3"}, {"LMOVE", "m", "m", "LEFT", "RIGHT"}, {"LMOVE", "m", "n", "RIGHT", "LEFT"},
            {"LMOVE", "m", "n", "UP", "LEFT"}, {"LMOVE", "nokey", "n", "LEFT", "LEFT"}, {"RPOPLPUSH", "m", "n"},
            {"RPOPLPUSH", "m", "m"}, {"LRANGE", "n", "0", "-1"}, {"LMOVE", "m", "n", "LEFT", "LEFT"}, {"EXISTS", "m"},
            {"RPUSH", "one", "x"}, {"RPOPLPUSH", "one", "one"}, {"LRANGE", "one", "0", "-1"},
            {"LMPOP", "2", "nokey", "n", "LEFT"}, {"LMPOP", "2", "nokey", "n", "RIGHT", "COUNT", "10"}, {"LMPOP", "1", "nokey", "LEFT"},
            {"LMPOP", "0", "n", "LEFT"}, {"LMPOP", "x", "n", "LEFT"}, {"LMPOP", "5", "n", "LEFT"}, {"LMPOP", "1", "n", "MIDDLE"},
            {"LMPOP", "1", "n", "LEFT", "COUNT", "0"}, {"LMPOP", "1", "n", "LEFT", "COUNT", "1", "COUNT", "1"},
            {"LMPOP", "1", "n", "LEFT", "FOO"},
            {"RPUSH", "tr", "0", "1", "2", "3", "4", "5"}, {"LTRIM", "tr", "1", "-2"}, {"LRANGE", "tr", "0", "-1"},
            {"LTRIM", "tr", "0", "9999999999"}, {"LTRIM", "tr", "x", "1"}, {"LTRIM", "nokey", "0", "1"},
            {"LTRIM", "tr", "5", "1"}, {"EXISTS", "tr"},
            {"SET", "s", "x"}, {"LPUSH", "s", "a"}, {"LPUSHX", "s", "a"}, {"LPOP", "s"}, {"LPOP", "s", "x"}, {"LRANGE", "s", "0", "1"},
            {"LRANGE", "s", "x", "1"}, {"LINDEX", "s", "0"}, {"LSET", "s", "0", "x"}, {"LINSERT", "s", "before", "a", "b"},
            {"LREM", "s", "0", "a"}, {"LTRIM", "s", "0", "1"}, {"LPOS", "s", "a"}, {"LMOVE", "s", "n2", "LEFT", "LEFT"},
            {"RPUSH", "src", "q"}, {"LMOVE", "src", "s", "LEFT", "LEFT"}, {"LRANGE", "src", "0", "-1"}, {"LMPOP", "1", "s", "LEFT"},
            {"LLEN", "s"}, {"HSET", "l", "a", "b"}, {"HGET", "l", "a"},
        };
        for (String[] c : cmds) same(c);
        sameDataset(List.of("l", "n", "src", "one", "s", "m"));
    }

    @Test
    void resp3ShapesMatchRedis() throws Exception {
        r.call("HELLO", "3");
        t.call("HELLO", "3");
        String[][] cmds = {
            {"HSET", "h", "a", "1", "b", "2"}, {"HGETALL", "h"}, {"HGETALL", "nokey"}, {"HRANDFIELD", "h", "10", "WITHVALUES"},
            {"HRANDFIELD", "h", "2", "WITHVALUES"}, {"HRANDFIELD", "nokey", "-3", "WITHVALUES"}, {"HRANDFIELD", "nokey"},
            {"HGET", "h", "zz"}, {"HMGET", "h", "zz"}, {"HSCAN", "h", "0"}, {"HINCRBYFLOAT", "h", "a", "1.5"},
            {"LPOP", "nokey"}, {"LPOP", "nokey", "2"}, {"RPUSH", "l", "a"}, {"LPOP", "l", "0"}, {"LPOS", "l", "zz"},
            {"LPOS", "nokey", "zz", "COUNT", "0"}, {"LMPOP", "1", "nokey", "LEFT"}, {"LINDEX", "l", "9"}, {"LMOVE", "nokey", "x", "LEFT", "LEFT"},
        };
        for (String[] c : cmds) same(c);
        List<String> a = r.pipeline(List.<String[]>of(new String[] {"HRANDFIELD", "h", "-4", "WITHVALUES"}));
        List<String> b = t.pipeline(List.<String[]>of(new String[] {"HRANDFIELD", "h", "-4", "WITHVALUES"}));
        assertEquals(a.get(0).substring(0, 4), b.get(0).substring(0, 4), "4 pairs, each an array of 2");
        assertEquals(a.get(0).split("\\*2\\r\\n").length, b.get(0).split("\\*2\\r\\n").length);
    }

    /** Order of hashtable replies is Redis's dict order: compared as multisets. */
    static boolean orderFree(String[] c) {
        String n = c[0].toUpperCase();
        return n.equals("HKEYS") || n.equals("HVALS") || n.equals("HGETALL") || n.equals("HRANDFIELD");
    }

    /**
     * Sends one command to both: identical raw replies, except where Redis's answer depends on
     * chance or on its dict order (a hashtable's HKEYS/HVALS/HGETALL: compared as multisets;
     * random HRANDFIELD picks: same shape).
     */
    static void compare(String[] c, String where) throws Exception {
        String a = r.call(c);
        String b = t.call(c);
        if (a.equals(b)) return;
        String what = String.join(" ", c) + " (" + where + ")";
        boolean randField = c[0].equalsIgnoreCase("HRANDFIELD");
        boolean wholeHash = randField && c.length > 2 && c[2].equals("100");
        if (randField && !wholeHash) {
            assertEquals(a.charAt(0), b.charAt(0), what);
            if (c.length > 2) assertEquals(bulks(a).size(), bulks(b).size(), what);
            return;
        }
        boolean ht = c.length > 1 && encodingOf(r, c[1]).equals("hashtable");
        if (ht && c[0].equalsIgnoreCase("HSCAN") && !a.startsWith("-")) {
            // cursors follow each server's own table layout: compare what complete scans return
            List<String> x = fullScan(r, c);
            List<String> y = fullScan(t, c);
            Collections.sort(x);
            Collections.sort(y);
            assertEquals(x, y, what);
            return;
        }
        if (ht && orderFree(c)) {
            List<String> x = bulks(a);
            List<String> y = bulks(b);
            Collections.sort(x);
            Collections.sort(y);
            assertEquals(x, y, what);
            return;
        }
        assertEquals(show(a), show(b), "reply to " + what);
    }

    /** Field=value pairs of a complete HSCAN iteration with c's options (duplicates removed). */
    static List<String> fullScan(RawResp conn, String[] c) throws Exception {
        java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = "0";
        do {
            String[] cmd = c.clone();
            cmd[2] = cursor;
            List<String> parts = bulks(conn.call(cmd));
            cursor = parts.get(0);
            for (int i = 1; i + 1 < parts.size(); i += 2) seen.add(parts.get(i) + "=" + parts.get(i + 1));
        } while (!cursor.equals("0"));
        return new ArrayList<>(seen);
    }

    @Test
    void randomSequencesMatchRedis() throws Exception {
        Random rnd = new Random(20240603);
        String[] hashKeys = {"h0", "h1", "h2"};
        String[] listKeys = {"l0", "l1", "l2"};
        r.call("SET", "str", "v");
        t.call("SET", "str", "v");
        for (int round = 0; round < 60; round++) {
            List<String[]> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) batch.add(rnd.nextInt(2) == 0 ? RandomOps.hashOp(rnd, hashKeys) : RandomOps.listOp(rnd, listKeys));
            for (String[] c : batch) compare(c, "round " + round);
        }
        List<String> keys = new ArrayList<>(List.of(hashKeys));
        keys.addAll(List.of(listKeys));
        for (String k : List.copyOf(keys)) if (r.call("EXISTS", k).equals(":0\r\n")) keys.remove(k);
        assertTrue(keys.size() > 0);
        sameDataset(keys);
    }

    @Test
    void fullHscanOfAHashtableReturnsEveryField() throws Exception {
        List<String[]> cmds = new ArrayList<>();
        for (int i = 0; i < 500; i++) cmds.add(new String[] {"HSET", "big", "field:" + i, "v" + i});
        same(cmds);
        assertEquals("hashtable", encodingOf(t, "big"));
        java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            String raw = t.call("HSCAN", "big", cursor, "COUNT", "7");
            List<String> parts = bulks(raw);
            cursor = parts.get(0);
            for (int i = 1; i < parts.size(); i += 2) seen.add(parts.get(i) + "=" + parts.get(i + 1));
            calls++;
        } while (!cursor.equals("0"));
        assertEquals(500, seen.size());
        assertTrue(calls > 10, "COUNT is honoured: " + calls);
        same("HSCAN", "big", "0", "MATCH", "nomatch*", "COUNT", "1000");
        sameDataset(List.of("big"));
    }
}
