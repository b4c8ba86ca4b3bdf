package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sorted sets, differentially: the same commands go to a real Redis 7.0 (started with
 * {@code zset-max-listpack-entries 128}, {@code zset-max-listpack-value 64} explicitly) and to
 * Tandem; raw replies must be identical in RESP2 and RESP3, and at the end each key's encoding,
 * DIGEST-VALUE and the DEBUG DIGEST must match. ZRANDMEMBER picks are compared by membership;
 * a skiplist's ZSCAN (cursor order follows each server's hash table) by complete iterations.
 */
class ZSetRedisDifferentialTest {
    static RedisProcess redis;
    static TandemTestServer tandem;
    static RawResp r;
    static RawResp t;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start("--zset-max-listpack-entries", "128", "--zset-max-listpack-value", "64");
        tandem = TandemTestServer.start(Map.of("zset-max-listpack-entries", "128", "zset-max-listpack-value", "64"));
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

    static String encodingOf(RawResp c, String key) throws Exception {
        List<String> b = bulks(c.call("OBJECT", "ENCODING", key));
        return b.isEmpty() ? "none" : b.get(0);
    }

    static List<String> bulks(String raw) {
        return CollectionsRedisDifferentialTest.bulks(raw);
    }

    static void sameDataset(List<String> keys) throws Exception {
        for (String k : keys) {
            assertEquals(encodingOf(r, k), encodingOf(t, k), "encoding of " + k);
            same("DEBUG", "DIGEST-VALUE", k);
            same("TYPE", k);
            same("ZRANGE", k, "0", "-1", "WITHSCORES");
        }
        same("DEBUG", "DIGEST");
    }

    static void same(String... c) throws Exception {
        compare(c, "fixed");
    }

    /** Identical raw replies, except random picks (membership) and skiplist ZSCAN (full iterations). */
    static void compare(String[] c, String where) throws Exception {
        String a;
        String b;
        try {
            a = r.call(c);
            b = t.call(c);
        } catch (java.io.IOException e) {
            throw new AssertionError("no reply to " + String.join(" ", c) + " (" + where + ")", e);
        }
        if (a.equals(b)) return;
        String what = String.join(" ", c) + " (" + where + ")";
        String name = c[0].toUpperCase();
        if (name.equals("ZRANDMEMBER") && !a.startsWith("-")) {
            assertEquals(a.charAt(0), b.charAt(0), what);
            assertEquals(bulks(a).size(), bulks(b).size(), what);
            Set<String> members = new HashSet<>(bulks(r.call("ZRANGE", c[1], "0", "-1", "WITHSCORES")));
            for (String m : bulks(b)) assertTrue(members.contains(m), what + ": " + m + " not in the set");
            return;
        }
        if (name.equals("ZSCAN") && !a.startsWith("-") && encodingOf(r, c[1]).equals("skiplist")) {
            List<String> x = fullScan(r, c);
            List<String> y = fullScan(t, c);
            Collections.sort(x);
            Collections.sort(y);
            assertEquals(x, y, what);
            return;
        }
        assertEquals(show(a), show(b), "reply to " + what);
    }

    static List<String> fullScan(RawResp conn, String[] c) throws Exception {
        Set<String> seen = new HashSet<>();
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

    static String[][] fixedCases() {
        String long65 = "m".repeat(65);
        return new String[][] {
            // ZADD options and score parsing
            {"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZADD", "z", "1e3", "d"}, {"ZADD", "z", "inf", "e"},
            {"ZADD", "z", "+inf", "f"}, {"ZADD", "z", "-inf", "g"}, {"ZADD", "z", "nan", "h"}, {"ZADD", "z", " 1", "h"},
            {"ZADD", "z", "1 ", "h"}, {"ZADD", "z", "0x10", "h"}, {"ZADD", "z", "1e400", "h"}, {"ZADD", "z", "1e-400", "h"},
            {"ZADD", "z", "1e-310", "i"}, {"ZADD", "z", "", "h"}, {"ZADD", "z", "-0", "j"}, {"ZADD", "z", "0.1", "k"},
            {"ZADD", "z", "1.5e300", "l"}, {"ZADD", "z", "-2.5", "m"}, {"ZADD", "z", "12345678901234567890", "n"},
            {"ZADD", "z", "INFINITY", "o"}, {"ZADD", "z", "1.", "p"}, {"ZADD", "z", ".5", "q"}, {"ZADD", "z", "1e", "h"},
            {"ZADD", "z", "0x", "h"}, {"ZADD", "z", "0x1p3", "r"}, {"ZADD", "z", "1_0", "h"},
            {"ZADD", "z"}, {"ZADD", "z", "1"}, {"ZADD", "z", "1", "a", "2"}, {"ZADD", "z", "NX", "XX", "1", "a"},
            {"ZADD", "z", "NX", "XX", "1"}, {"ZADD", "z", "GT", "LT", "1", "a"}, {"ZADD", "z", "NX", "GT", "1", "a"},
            {"ZADD", "z", "INCR", "1", "a", "2", "b"}, {"ZADD", "z", "x", "a"}, {"ZADD", "z", "1", "a", "x", "b"},
            {"ZADD", "z", "XX", "5", "a", "5", "new"}, {"ZADD", "z", "NX", "9", "a", "9", "new2"},
            {"ZADD", "z", "CH", "GT", "0", "a", "50", "b", "1", "new3"}, {"ZADD", "z", "CH", "LT", "-1", "a", "60", "b"},
            {"ZADD", "z", "INCR", "2", "a"}, {"ZADD", "z", "XX", "INCR", "2", "missing"}, {"ZADD", "z", "NX", "INCR", "2", "a"},
            {"ZADD", "z", "GT", "INCR", "-2", "a"}, {"ZADD", "z", "LT", "INCR", "-2", "a"}, {"ZADD", "nokey", "XX", "1", "a"},
            {"ZADD", "nokey", "XX", "INCR", "1", "a"}, {"EXISTS", "nokey"}, {"ZADD", "z", "incr", "inf", "e"},
            {"ZADD", "z", "incr", "-inf", "e"}, {"ZINCRBY", "z", "-inf", "g"}, {"ZINCRBY", "z", "inf", "g"},
            {"ZINCRBY", "z", "1", "a"}, {"ZINCRBY", "z", "x", "a"}, {"ZINCRBY", "z", "nx", "a"}, {"ZINCRBY", "z2", "2.5", "a"},
            {"ZINCRBY", "z", "0.1", "k"}, {"ZINCRBY", "z", "0.2", "k"},
            // reads
            {"ZCARD", "z"}, {"ZCARD", "nokey"}, {"ZSCORE", "z", "a"}, {"ZSCORE", "z", "zz"}, {"ZSCORE", "nokey", "a"},
            {"ZSCORE", "z", "j"}, {"ZSCORE", "z", "i"}, {"ZSCORE", "z", "e"}, {"ZSCORE", "z", "l"}, {"ZSCORE", "z", "n"},
            {"ZMSCORE", "z", "a", "zz", "b"}, {"ZMSCORE", "nokey", "a", "b"}, {"ZRANK", "z", "a"}, {"ZRANK", "z", "zz"},
            {"ZREVRANK", "z", "a"}, {"ZRANK", "nokey", "a"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
            {"ZRANGE", "z", "0", "-1", "REV", "WITHSCORES"}, {"ZRANGE", "z", "-3", "-1"}, {"ZRANGE", "z", "5", "2"},
            {"ZRANGE", "z", "0", "99999999999"}, {"ZRANGE", "z", "-100", "1"}, {"ZRANGE", "z", "x", "1"},
            {"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}, {"ZRANGE", "z", "0", "1", "LIMIT", "5", "-1"},
            {"ZRANGE", "z", "0", "1", "LIMIT", "0"}, {"ZRANGE", "z", "0", "1", "FOO"}, {"ZRANGE", "nokey", "0", "-1"},
            {"ZRANGE", "z", "(1", "5", "BYSCORE"}, {"ZRANGE", "z", "5", "(1", "BYSCORE", "REV", "WITHSCORES"},
            {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "3"}, {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "3"},
            {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "-1"}, {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "0"},
            {"ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2", "WITHSCORES"},
            {"ZRANGE", "z", "[a", "[c", "BYLEX"}, {"ZRANGE", "z", "[a", "[c", "BYLEX", "WITHSCORES"},
            {"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"}, {"ZRANGE", "z", "0", "1", "REV", "REV"},
            {"ZRANGEBYSCORE", "z", "1", "3"}, {"ZRANGEBYSCORE", "z", "(1", "(3", "WITHSCORES"},
            {"ZRANGEBYSCORE", "z", " 1", "0x20"}, {"ZRANGEBYSCORE", "z", "", "("}, {"ZRANGEBYSCORE", "z", "a", "1"},
            {"ZRANGEBYSCORE", "z", "1", "nan"}, {"ZRANGEBYSCORE", "z", "-inf", "1e400"}, {"ZRANGEBYSCORE", "z", "1 ", "2"},
            {"ZRANGEBYSCORE", "z", "3", "1"}, {"ZRANGEBYSCORE", "z", "(1", "1"}, {"ZRANGEBYSCORE", "z", "1", "1"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0", "2", "WITHSCORES"}, {"ZRANGEBYSCORE", "z", "-inf", "+inf", "REV"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "x", "2"}, {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0"},
            {"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"}, {"ZREVRANGEBYSCORE", "z", "3", "(1", "LIMIT", "1", "1"},
            {"ZREVRANGEBYSCORE", "z", "-inf", "+inf"}, {"ZREVRANGE", "z", "0", "2", "WITHSCORES"}, {"ZREVRANGE", "z", "0", "2", "REV"},
            {"ZREVRANGE", "z", "0", "2", "BYSCORE"}, {"ZCOUNT", "z", "-inf", "+inf"}, {"ZCOUNT", "z", "(1", "3"},
            {"ZCOUNT", "z", "x", "3"}, {"ZCOUNT", "nokey", "1", "3"}, {"ZCOUNT", "nokey", "x", "3"}, {"ZCOUNT", "z", "5", "1"},
            // lex on equal scores
            {"ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "ab", "0", "", "0", "\u00ff"},
            {"ZRANGEBYLEX", "lex", "-", "+"}, {"ZRANGEBYLEX", "lex", "[b", "(d"}, {"ZRANGEBYLEX", "lex", "(a", "[c"},
            {"ZRANGEBYLEX", "lex", "[", "[a"}, {"ZRANGEBYLEX", "lex", "(", "+"}, {"ZRANGEBYLEX", "lex", "+", "-"},
            {"ZRANGEBYLEX", "lex", "-", "-"}, {"ZRANGEBYLEX", "lex", "[b", "[b"}, {"ZRANGEBYLEX", "lex", "(b", "[b"},
            {"ZRANGEBYLEX", "lex", "a", "[b"}, {"ZRANGEBYLEX", "lex", "[a", "b"}, {"ZRANGEBYLEX", "lex", "", "+"},
            {"ZRANGEBYLEX", "lex", "-x", "+"}, {"ZRANGEBYLEX", "lex", "-", "+", "LIMIT", "1", "2"},
            {"ZRANGEBYLEX", "lex", "-", "+", "WITHSCORES"}, {"ZREVRANGEBYLEX", "lex", "+", "-"},
            {"ZREVRANGEBYLEX", "lex", "[d", "(a", "LIMIT", "1", "10"}, {"ZREVRANGEBYLEX", "lex", "-", "+"},
            {"ZLEXCOUNT", "lex", "-", "+"}, {"ZLEXCOUNT", "lex", "[b", "(d"}, {"ZLEXCOUNT", "lex", "b", "d"},
            {"ZLEXCOUNT", "nokey", "-", "+"},
            // stores
            {"ZRANGESTORE", "dst", "z", "0", "2"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
            {"ZRANGESTORE", "dst", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "2"}, {"ZRANGESTORE", "dst", "lex", "[b", "+", "BYLEX", "REV"},
            {"ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"}, {"ZRANGESTORE", "dst2", "nokey", "0", "-1"},
            {"ZRANGESTORE", "dst", "z", "5", "1"}, {"EXISTS", "dst"}, {"SET", "str", "x"}, {"ZRANGESTORE", "str", "z", "0", "0"},
            {"TYPE", "str"}, {"SET", "str", "x"}, {"ZRANGESTORE", "dst", "str", "0", "1"},
            {"ZADD", "u1", "1", "a", "2", "b", "3", "c"}, {"ZADD", "u2", "10", "b", "20", "c", "30", "d"},
            {"ZUNION", "2", "u1", "u2"}, {"ZUNION", "2", "u1", "u2", "WITHSCORES"}, {"ZUNION", "2", "u1", "u2", "WEIGHTS", "2", "-1", "WITHSCORES"},
            {"ZUNION", "2", "u1", "u2", "AGGREGATE", "MIN", "WITHSCORES"}, {"ZUNION", "2", "u1", "u2", "AGGREGATE", "MAX", "WITHSCORES"},
            {"ZUNION", "2", "u1", "u2", "AGGREGATE", "AVG"}, {"ZUNION", "2", "u1", "u2", "WEIGHTS", "1"}, {"ZUNION", "2", "u1", "u2", "WEIGHTS", "1", "x"},
            {"ZUNION", "0", "u1"}, {"ZUNION", "3", "u1", "u2"}, {"ZUNION", "x", "u1"}, {"ZUNION", "2", "u1", "nokey", "WITHSCORES"},
            {"ZUNION", "2", "u1", "str"}, {"ZINTER", "2", "u1", "u2", "WITHSCORES"}, {"ZINTER", "2", "u1", "nokey"},
            {"ZINTER", "2", "u1", "u2", "WEIGHTS", "0", "inf", "WITHSCORES"}, {"ZINTER", "2", "u1", "u1", "AGGREGATE", "MAX", "WITHSCORES"},
            {"ZDIFF", "2", "u1", "u2", "WITHSCORES"}, {"ZDIFF", "2", "u1", "u2", "WEIGHTS", "1", "1"}, {"ZDIFF", "1", "nokey"},
            {"ZDIFF", "2", "u2", "nokey", "WITHSCORES"},
            {"ZUNIONSTORE", "us", "2", "u1", "u2", "WEIGHTS", "1", "0.5"}, {"ZUNIONSTORE", "us", "2", "u1", "u2", "WITHSCORES"},
            {"ZINTERSTORE", "is", "2", "u1", "u2"}, {"ZINTERSTORE", "is2", "2", "u1", "nokey"}, {"ZDIFFSTORE", "ds", "2", "u2", "u1"},
            {"ZUNIONSTORE", "us0", "1", "u1", "WEIGHTS", "-1"}, {"ZSCORE", "us0", "a"},
            {"ZUNIONSTORE", "x", "0", "u1"}, {"ZINTERCARD", "2", "u1", "u2"}, {"ZINTERCARD", "2", "u1", "u2", "LIMIT", "1"},
            {"ZINTERCARD", "2", "u1", "u2", "LIMIT", "-1"}, {"ZINTERCARD", "2", "u1", "u2", "LIMIT", "x"}, {"ZINTERCARD", "0", "u1"},
            {"ZINTERCARD", "1", "u1", "WITHSCORES"}, {"ZINTERCARD", "1", "nokey"},
            {"ZUNION", "2", "u1", "u2", "WEIGHTS", "inf", "-inf", "WITHSCORES"},
            // removals
            {"ZREM", "z", "a", "zz", "a"}, {"ZREM", "nokey", "a"}, {"ZREMRANGEBYRANK", "z", "0", "0"},
            {"ZREMRANGEBYRANK", "z", "100", "200"}, {"ZREMRANGEBYRANK", "z", "x", "1"}, {"ZREMRANGEBYSCORE", "z", "(1000", "+inf"},
            {"ZREMRANGEBYSCORE", "z", "x", "1"}, {"ZREMRANGEBYLEX", "lex", "[a", "(c"}, {"ZREMRANGEBYLEX", "lex", "a", "(c"},
            {"ZREMRANGEBYLEX", "nokey", "-", "+"}, {"ZREMRANGEBYRANK", "dst", "0", "-1"}, {"EXISTS", "dst"},
            // pops
            {"ZPOPMIN", "z"}, {"ZPOPMAX", "z"}, {"ZPOPMIN", "z", "2"}, {"ZPOPMIN", "z", "0"}, {"ZPOPMIN", "z", "-1"},
            {"ZPOPMIN", "z", "x"}, {"ZPOPMIN", "z", "1", "2"}, {"ZPOPMIN", "nokey"}, {"ZPOPMIN", "nokey", "2"},
            {"ZMPOP", "2", "nokey", "z", "MIN"}, {"ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "2"}, {"ZMPOP", "1", "nokey", "MIN"},
            {"ZMPOP", "0", "z", "MIN"}, {"ZMPOP", "x", "z", "MIN"}, {"ZMPOP", "5", "z", "MIN"}, {"ZMPOP", "1", "z", "MID"},
            {"ZMPOP", "1", "z", "MIN", "COUNT", "0"}, {"ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"},
            {"ZMPOP", "9223372036854775807", "z", "MIN"}, {"ZMPOP", "1", "str", "MIN"}, {"ZPOPMAX", "str"},
            {"ZADD", "z", "1", "p1", "2", "p2", "3", "p3"}, {"BZPOPMIN", "z", "0"}, {"BZPOPMAX", "nokey", "z", "0.5"}, {"BZPOPMIN", "z", "x"}, {"BZPOPMIN", "z", "-1"},
            {"ZADD", "z", "5", "five"}, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "5"}, {"BZMPOP", "0", "0", "z", "MIN"}, {"BZMPOP", "x", "1", "z", "MIN"},
            {"BZPOPMIN", "str", "0"}, {"ZPOPMAX", "z", "1000"}, {"EXISTS", "z"},
            // random, scan
            {"ZADD", "rz", "1", "a", "2", "b", "3", "c"}, {"ZRANDMEMBER", "nokey"}, {"ZRANDMEMBER", "nokey", "5"},
            {"ZRANDMEMBER", "rz", "0"}, {"ZRANDMEMBER", "rz", "10"}, {"ZRANDMEMBER", "rz", "10", "WITHSCORES"},
            {"ZRANDMEMBER", "rz", "2"}, {"ZRANDMEMBER", "rz", "-5", "WITHSCORES"}, {"ZRANDMEMBER", "rz"},
            {"ZRANDMEMBER", "rz", "1", "WITHSCORE"}, {"ZRANDMEMBER", "rz", "x"}, {"ZRANDMEMBER", "rz", "-9223372036854775808"},
            {"ZRANDMEMBER", "rz", "9223372036854775807", "WITHSCORES"}, {"ZRANDMEMBER", "rz", "1", "WITHSCORES", "x"},
            {"ZSCAN", "rz", "0"}, {"ZSCAN", "rz", "0", "MATCH", "[ab]"}, {"ZSCAN", "rz", "0", "COUNT", "0"}, {"ZSCAN", "rz", "x"},
            {"ZSCAN", "nokey", "0"}, {"ZSCAN", "str", "0"},
            // wrong type everywhere
            {"ZADD", "str", "1", "a"}, {"ZINCRBY", "str", "1", "a"}, {"ZREM", "str", "a"}, {"ZCARD", "str"}, {"ZSCORE", "str", "a"},
            {"ZMSCORE", "str", "a"}, {"ZRANK", "str", "a"}, {"ZRANGE", "str", "0", "1"}, {"ZRANGE", "str", "x", "1"},
            {"ZCOUNT", "str", "0", "1"}, {"ZLEXCOUNT", "str", "-", "+"}, {"ZREMRANGEBYRANK", "str", "0", "1"},
            {"ZRANDMEMBER", "str"}, {"ZRANDMEMBER", "str", "1"}, {"ZINTERCARD", "1", "str"}, {"ZDIFF", "2", "nokey", "str"},
            // conversions
            {"ZADD", "c1", "1", long65}, {"ZADD", "c2", "1", "a", "2", long65}, {"ZREM", "c2", long65},
            {"ZADD", "c3", "1", "m".repeat(64)}, {"ZRANGESTORE", "c4", "c2", "0", "-1"}, {"ZUNIONSTORE", "c5", "1", "c2"},
            {"ZADD", "neg0", "-0", "a"}, {"ZSCORE", "neg0", "a"}, {"ZUNIONSTORE", "c6", "1", "neg0", "WEIGHTS", "-1"},
        };
    }

    @Test
    void fixedCasesMatchRedis() throws Exception {
        for (String[] c : fixedCases()) compare(c, "fixed");
        // a big skiplist, -0 in a skiplist, ranges and stores on it
        List<String[]> grow = new ArrayList<>();
        for (int i = 0; i < 300; i++) grow.add(new String[] {"ZADD", "big", "" + (i % 37) * 0.5, "m" + i});
        for (String[] c : grow) compare(c, "grow");
        String[][] onBig = {
            {"ZADD", "big", "-0", "neg"}, {"ZSCORE", "big", "neg"}, {"ZRANK", "big", "neg"}, {"ZRANK", "big", "m150"},
            {"ZREVRANK", "big", "m150"}, {"ZRANGE", "big", "100", "110", "WITHSCORES"}, {"ZRANGE", "big", "-5", "-1", "REV"},
            {"ZRANGEBYSCORE", "big", "(3", "5", "LIMIT", "3", "7", "WITHSCORES"}, {"ZREVRANGEBYSCORE", "big", "5", "(3", "LIMIT", "2", "4"},
            {"ZCOUNT", "big", "1", "(10"}, {"ZRANGESTORE", "bs", "big", "0", "200"}, {"ZRANGESTORE", "bs2", "big", "0", "5"},
            {"ZRANGESTORE", "bs3", "big", "-inf", "+inf", "BYSCORE"}, {"ZRANGESTORE", "bs4", "big", "0", "2", "BYSCORE"},
            {"ZUNIONSTORE", "bu", "2", "big", "bs2"}, {"ZINTERSTORE", "bi", "2", "big", "bs2", "WEIGHTS", "-1", "1"},
            {"ZSCORE", "bi", "neg"}, {"ZDIFFSTORE", "bd", "2", "big", "bs"}, {"ZREMRANGEBYRANK", "big", "0", "9"},
            {"ZREMRANGEBYSCORE", "big", "(10", "12"}, {"ZPOPMIN", "big", "3"}, {"ZPOPMAX", "big", "3"}, {"ZCARD", "big"},
            {"ZRANDMEMBER", "big", "5", "WITHSCORES"}, {"ZRANDMEMBER", "big", "-5"}, {"ZSCAN", "big", "0", "COUNT", "20"},
            {"ZSCAN", "big", "0", "MATCH", "m1*"}, {"ZMSCORE", "big", "m299", "m0", "neg"},
        };
        for (String[] c : onBig) compare(c, "big");
        sameDataset(List.of("z2", "lex", "u1", "us", "is", "ds", "us0", "rz", "c1", "c2", "c3", "c4", "c5", "neg0", "c6",
                "big", "bs", "bs2", "bs3", "bs4", "bu", "bi", "bd"));
    }

    @Test
    void resp3ShapesMatchRedis() throws Exception {
        r.call("HELLO", "3");
        t.call("HELLO", "3");
        String[][] cmds = {
            {"ZADD", "z", "1", "a", "2.5", "b", "inf", "c", "-0", "d"}, {"ZSCORE", "z", "b"}, {"ZSCORE", "z", "c"},
            {"ZSCORE", "z", "zz"}, {"ZMSCORE", "z", "a", "zz"}, {"ZINCRBY", "z", "1", "a"}, {"ZADD", "z", "XX", "INCR", "1", "zz"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZRANGE", "z", "0", "-1"}, {"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"},
            {"ZRANGE", "nokey", "0", "-1"}, {"ZRANK", "nokey", "a"}, {"ZRANDMEMBER", "nokey"}, {"ZRANDMEMBER", "z", "10", "WITHSCORES"},
            {"ZUNION", "1", "z", "WITHSCORES"}, {"ZSCAN", "z", "0"}, {"ZPOPMIN", "z"}, {"ZPOPMIN", "z", "1"}, {"ZPOPMAX", "z", "5"},
            {"ZPOPMIN", "nokey"}, {"ZPOPMIN", "nokey", "2"}, {"ZADD", "z", "1", "a", "2", "b"}, {"ZMPOP", "1", "z", "MIN"},
            {"ZMPOP", "1", "nokey", "MIN"}, {"BZPOPMIN", "z", "0"}, {"ZADD", "z", "1", "a", "2", "b"}, {"BZMPOP", "0", "1", "z", "MIN"}, {"ZADD", "z", "1", "a"},
            {"MULTI"}, {"BZPOPMIN", "nokey", "0"}, {"BZMPOP", "0", "1", "nokey", "MAX"}, {"EXEC"},
        };
        for (String[] c : cmds) compare(c, "resp3");
        compare(new String[] {"ZRANDMEMBER", "z", "-4", "WITHSCORES"}, "resp3");
        String b = t.call("ZRANDMEMBER", "z", "-4", "WITHSCORES");
        assertEquals(4, b.split("\\*2\\r\\n", -1).length - 1, "4 picks, each an array of 2: " + show(b));
    }

    @Test
    void randomSequencesMatchRedis() throws Exception {
        Random rnd = new Random(20240611);
        String[] keys = {"z0", "z1", "z2"};
        r.call("SET", "str", "v");
        t.call("SET", "str", "v");
        for (int round = 0; round < 40; round++) {
            boolean resp3 = round % 5 == 4;
            r.call("HELLO", resp3 ? "3" : "2");
            t.call("HELLO", resp3 ? "3" : "2");
            for (int i = 0; i < 60; i++) compare(ZSetRandomOps.op(rnd, keys), "round " + round);
            // grow one key past the listpack limit now and then
            if (round % 10 == 3) {
                String k = keys[rnd.nextInt(keys.length)];
                List<String> cmd = new ArrayList<>(List.of("ZADD", k));
                for (int i = 0; i < 140; i++) {
                    cmd.add(ZSetRandomOps.score(rnd));
                    cmd.add("bulk" + i);
                }
                compare(cmd.toArray(new String[0]), "grow " + round);
            }
        }
        r.call("HELLO", "2");
        t.call("HELLO", "2");
        List<String> live = new ArrayList<>();
        for (String k : List.of("z0", "z1", "z2", "d0", "d1")) if (r.call("EXISTS", k).equals(":1\r\n")) live.add(k);
        assertTrue(live.size() > 0);
        sameDataset(live);
    }

    static final Pattern ENC = Pattern.compile("encoding:(\\S+)");

    static String debugEncoding(RawResp c, String key) throws Exception {
        Matcher m = ENC.matcher(c.call("DEBUG", "OBJECT", key));
        return m.find() ? m.group(1) : "";
    }
}
