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
 * Sets, differentially: the same commands (valid, invalid, WRONGTYPE, huge counts, conversions
 * intset → hashtable) go to a real Redis 7.0 and to Tandem; raw replies must be identical, except
 * where Redis's answer depends on chance (SPOP, SRANDMEMBER: same shape, members from the set)
 * or on its dict order (hashtable members: compared as sorted multisets, reply type included).
 * An intset replies in ascending order in both, so those replies are compared exactly. At the
 * end every key's encoding and DEBUG DIGEST must match.
 */
class SetsRedisDifferentialTest {
    static final int MAX_INTSET = 512;
    static RedisProcess redis;
    static TandemTestServer tandem;
    static RawResp r;
    static RawResp t;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start("--set-max-intset-entries", "" + MAX_INTSET);
        tandem = TandemTestServer.start(Map.of("set-max-intset-entries", "" + MAX_INTSET));
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
        both("HELLO", "2");
        both("FLUSHALL");
        setMaxIntset(MAX_INTSET);
    }

    static void both(String... c) throws Exception {
        r.call(c);
        t.call(c);
    }

    static void setMaxIntset(int n) throws Exception {
        r.call("CONFIG", "SET", "set-max-intset-entries", "" + n);
        tandem.server().settings().setMaxIntsetEntries = n;
    }

    static String show(String raw) {
        return raw.replace("\r\n", "\\r\\n");
    }

    static void same(String... cmd) throws Exception {
        String a = r.call(cmd);
        String b = t.call(cmd);
        assertEquals(show(a), show(b), "reply to " + String.join(" ", cmd));
    }

    static String encodingOf(RawResp c, String key) throws Exception {
        Matcher m = Pattern.compile("encoding:(\\S+)").matcher(c.call("DEBUG", "OBJECT", key));
        return m.find() ? m.group(1) : "none";
    }

    static List<String> bulks(String raw) {
        return CollectionsRedisDifferentialTest.bulks(raw);
    }

    static List<String> sorted(List<String> l) {
        List<String> s = new ArrayList<>(l);
        Collections.sort(s);
        return s;
    }

    static void sameDataset(List<String> keys) throws Exception {
        for (String k : keys) {
            assertEquals(encodingOf(r, k), encodingOf(t, k), "encoding of " + k);
            same("DEBUG", "DIGEST-VALUE", k);
            same("TYPE", k);
        }
        same("DEBUG", "DIGEST");
    }

    static String header(String raw) {
        return raw.substring(0, raw.indexOf("\r\n"));
    }

    static Set<String> membersOn(RawResp c, String key) throws Exception {
        return new HashSet<>(bulks(c.call("SMEMBERS", key)));
    }

    /**
     * Sends one command to both and compares, tolerating only what Redis leaves to chance or to
     * its dict order (see the class comment). After an SPOP that took different members on the
     * two servers, each server gets its own popped members back, so the data stays identical.
     */
    static void compare(String[] c, String where) throws Exception {
        String name = c[0].toUpperCase();
        Set<String> before = name.equals("SPOP") || name.equals("SRANDMEMBER") ? membersOn(r, c[1]) : null;
        String a = r.call(c);
        String b = t.call(c);
        if (a.equals(b)) return;
        String what = String.join(" ", c) + " (" + where + ")";
        assertEquals(a.charAt(0), b.charAt(0), "reply type of " + what + ": " + show(a) + " vs " + show(b));
        if (a.startsWith("-") || (a.startsWith(":") && !name.equals("PTTL"))) assertEquals(show(a), show(b), what);
        switch (name) {
            case "SPOP", "SRANDMEMBER" -> {
                List<String> x = bulks(a);
                List<String> y = bulks(b);
                if (a.startsWith("*") || a.startsWith("~")) assertEquals(header(a), header(b), what);
                assertEquals(x.size(), y.size(), what);
                assertTrue(before.containsAll(y), what + ": members of the set, got " + y);
                boolean distinct = name.equals("SPOP") || c.length < 3 || !c[2].startsWith("-");
                if (distinct) assertEquals(y.size(), new HashSet<>(y).size(), what + ": distinct");
                if (name.equals("SPOP") && r.call("EXISTS", c[1]).equals(":1\r\n")) {
                    // give each server its own popped members back
                    List<String> ra = new ArrayList<>(List.of("SADD", c[1]));
                    ra.addAll(x);
                    List<String> ta = new ArrayList<>(List.of("SADD", c[1]));
                    ta.addAll(y);
                    r.call(ra.toArray(new String[0]));
                    t.call(ta.toArray(new String[0]));
                    assertEquals(membersOn(r, c[1]), membersOn(t, c[1]), what);
                } else if (name.equals("SPOP")) {
                    assertEquals(sorted(x), sorted(y), what + ": the whole set");
                }
            }
            case "SSCAN" -> {
                assertEquals("hashtable", encodingOf(r, c[1]), what + ": " + show(a) + " vs " + show(b));
                assertEquals(sorted(fullScan(r, c)), sorted(fullScan(t, c)), what);
            }
            case "SMEMBERS", "SINTER", "SUNION", "SDIFF" -> {
                if (name.equals("SMEMBERS")) assertEquals("hashtable", encodingOf(r, c[1]), what + ": an intset replies in order");
                assertEquals(header(a), header(b), what);
                assertEquals(sorted(bulks(a)), sorted(bulks(b)), what);
            }
            case "PTTL" -> assertTrue(Long.parseLong(header(a).substring(1)) > 0 && Long.parseLong(header(b).substring(1)) > 0, what);
            default -> assertEquals(show(a), show(b), "reply to " + what);
        }
    }

    static List<String> fullScan(RawResp conn, String[] c) throws Exception {
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        do {
            String[] cmd = c.clone();
            cmd[2] = cursor;
            List<String> parts = bulks(conn.call(cmd));
            cursor = parts.get(0);
            seen.addAll(parts.subList(1, parts.size()));
        } while (!cursor.equals("0"));
        return new ArrayList<>(seen);
    }

    static String[] cmd(List<String> head, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tail);
        return all.toArray(new String[0]);
    }

    static List<String> ints(int from, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Integer.toString(from + i));
        return out;
    }

    @Test
    void fixedCasesMatchRedis() throws Exception {
        String[][] cmds = {
            {"SADD", "i", "3", "1", "2", "-7", "2"}, {"SADD", "i"}, {"SMEMBERS", "i"}, {"SCARD", "i"}, {"SCARD", "nokey"},
            {"SISMEMBER", "i", "1"}, {"SISMEMBER", "i", "01"}, {"SISMEMBER", "i", "x"}, {"SISMEMBER", "nokey", "1"},
            {"SMISMEMBER", "i", "1", "5", "x", "-7"}, {"SMISMEMBER", "nokey", "1", "2"}, {"SMISMEMBER", "i"},
            {"SADD", "i", "70000"}, {"SADD", "i", "-9223372036854775808", "9223372036854775807"}, {"SMEMBERS", "i"},
            {"SREM", "i", "70000", "nope", "x"}, {"SREM", "nokey", "a"}, {"SREM", "i"}, {"SMEMBERS", "i"},
            {"SADD", "h", "a", "1", "b"}, {"SADD", "n", "01", "2"}, {"SADD", "z", "-0"}, {"SADD", "p", "+1"}, {"SADD", "e", ""},
            {"SISMEMBER", "h", "1"}, {"SISMEMBER", "n", "1"}, {"SISMEMBER", "n", "01"}, {"SMISMEMBER", "h", "a", "c"},
            {"SPOP", "nokey"}, {"SPOP", "nokey", "3"}, {"SPOP", "nokey", "0"}, {"SPOP", "nokey", "-1"}, {"SPOP", "nokey", "x"},
            {"SPOP", "i", "-1"}, {"SPOP", "i", "x"}, {"SPOP", "i", "0"}, {"SPOP", "i", "1", "2"}, {"SPOP", "i", "9223372036854775807"},
            {"EXISTS", "i"}, {"SADD", "one", "x"}, {"SPOP", "one"}, {"EXISTS", "one"},
            {"SRANDMEMBER", "nokey"}, {"SRANDMEMBER", "nokey", "5"}, {"SRANDMEMBER", "nokey", "-5"}, {"SRANDMEMBER", "nokey", "x"},
            {"SRANDMEMBER", "h", "0"}, {"SRANDMEMBER", "n", "100"}, {"SRANDMEMBER", "h", "x"}, {"SRANDMEMBER", "h", "1", "2"},
            {"SRANDMEMBER", "h", "-9223372036854775808"}, {"SRANDMEMBER", "n", "9223372036854775807"},
            {"SRANDMEMBER", "nokey", "-9223372036854775808"}, {"SRANDMEMBER", "h", "-9223372036854775809"},
            {"SADD", "a", "1", "2", "3", "4"}, {"SADD", "b", "3", "4", "5"}, {"SADD", "c", "4", "x"},
            {"SINTER", "a", "b"}, {"SINTER", "a", "b", "c"}, {"SINTER", "a", "nokey"}, {"SINTER", "nokey", "a"},
            {"SINTER", "a"}, {"SINTERSTORE", "d", "a", "b"}, {"SMEMBERS", "d"}, {"SINTERSTORE", "d", "a", "nokey"}, {"EXISTS", "d"},
            {"SINTERSTORE", "d", "a", "c"}, {"SMEMBERS", "d"}, {"SINTERSTORE", "d", "nokey"}, {"EXISTS", "d"},
            {"SINTERCARD", "2", "a", "b"}, {"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, {"SINTERCARD", "2", "a", "b", "LIMIT", "0"},
            {"SINTERCARD", "1", "a", "LIMIT", "3"}, {"SINTERCARD", "2", "a", "nokey"}, {"SINTERCARD", "0", "a"},
            {"SINTERCARD", "-1", "a"}, {"SINTERCARD", "x", "a"}, {"SINTERCARD", "3", "a", "b"}, {"SINTERCARD", "2", "a", "b", "LIMIT"},
            {"SINTERCARD", "2", "a", "b", "LIMIT", "-1"}, {"SINTERCARD", "2", "a", "b", "LIMIT", "x"},
            {"SINTERCARD", "2", "a", "b", "FOO", "1"}, {"SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "2"},
            {"SINTERCARD", "9223372036854775807", "a"}, {"SINTERCARD", "1"},
            {"SUNION", "a", "b"}, {"SUNION", "a", "nokey", "b"}, {"SUNION", "nokey"}, {"SUNIONSTORE", "u", "a", "b"},
            {"SMEMBERS", "u"}, {"SUNIONSTORE", "u", "nokey"}, {"EXISTS", "u"},
            {"SDIFF", "a", "b"}, {"SDIFF", "a", "nokey"}, {"SDIFF", "nokey", "a"}, {"SDIFF", "a", "a"}, {"SDIFF", "a", "b", "c"},
            {"SDIFFSTORE", "df", "a", "b"}, {"SMEMBERS", "df"}, {"SDIFFSTORE", "df", "a", "a"}, {"EXISTS", "df"},
            {"SMOVE", "a", "b", "1"}, {"SMOVE", "a", "b", "3"}, {"SMOVE", "a", "b", "99"}, {"SMOVE", "nokey", "b", "1"},
            {"SMOVE", "a", "a", "2"}, {"SMOVE", "a", "a", "99"}, {"SMOVE", "a", "new", "x"}, {"SMOVE", "a", "new", "2"},
            {"SMOVE", "b", "new2", "x"}, {"SMOVE", "c", "new3", "x"}, {"SMEMBERS", "new3"},
            {"SADD", "m", "only"}, {"SMOVE", "m", "new4", "only"}, {"EXISTS", "m"}, {"SMEMBERS", "new4"},
            {"SSCAN", "a", "0"}, {"SSCAN", "a", "0", "MATCH", "*"}, {"SSCAN", "a", "0", "MATCH", "[1-2]", "COUNT", "1"},
            {"SSCAN", "a", "0", "COUNT", "0"}, {"SSCAN", "a", "0", "COUNT", "x"}, {"SSCAN", "a", "x"}, {"SSCAN", "a", "0", "FOO"},
            {"SSCAN", "nokey", "0"}, {"SSCAN", "nokey", "0", "FOO"}, {"SSCAN", "a", "-1"}, {"SSCAN", "a", "18446744073709551616"},
            {"SSCAN", "h", "0", "MATCH", "a"},
            // WRONGTYPE
            {"SET", "s", "x"}, {"SADD", "s", "a"}, {"SREM", "s", "a"}, {"SISMEMBER", "s", "a"}, {"SMISMEMBER", "s", "a"},
            {"SCARD", "s"}, {"SMEMBERS", "s"}, {"SPOP", "s"}, {"SPOP", "s", "0"}, {"SPOP", "s", "x"}, {"SRANDMEMBER", "s"},
            {"SRANDMEMBER", "s", "0"}, {"SRANDMEMBER", "s", "x"}, {"SINTER", "a", "s"}, {"SINTER", "nokey", "s"},
            {"SINTER", "s", "nokey"}, {"SINTERSTORE", "d", "a", "s"}, {"SINTERCARD", "2", "a", "s"}, {"SUNION", "a", "s"},
            {"SUNION", "nokey", "s"}, {"SUNIONSTORE", "d", "s"}, {"SDIFF", "s", "a"}, {"SDIFF", "a", "s"},
            {"SDIFF", "nokey", "s"}, {"SDIFFSTORE", "d", "a", "s"}, {"SMOVE", "s", "a", "x"}, {"SMOVE", "a", "s", "2"},
            {"SMOVE", "nokey", "s", "2"}, {"SMOVE", "a", "s", "nope"}, {"SSCAN", "s", "0"}, {"SSCAN", "s", "x"},
            // *STORE overwrites any type and drops a TTL; the destination may be a source
            {"SUNIONSTORE", "s", "a", "b"}, {"TYPE", "s"}, {"EXPIRE", "s", "1000"}, {"SINTERSTORE", "s", "s", "b"},
            {"TTL", "s"}, {"EXPIRE", "b", "1000"}, {"SADD", "b", "77"}, {"SREM", "b", "77"}, {"TTL", "b"},
            {"SPOP", "b", "1"}, {"TTL", "b"}, {"SDIFFSTORE", "b", "b", "nokey"}, {"TTL", "b"},
            {"SADD", "str2", "a"}, {"SET", "str2", "v"}, {"SDIFFSTORE", "str2", "nokey"}, {"EXISTS", "str2"},
        };
        for (String[] c : cmds) compare(c, "fixed");
        sameDataset(List.of("h", "n", "z", "p", "e", "a", "b", "c", "d", "u", "new", "new2", "new3", "new4", "s"));
    }

    @Test
    void encodingsConvertAsRedis() throws Exception {
        // intset → hashtable past set-max-intset-entries, never back (SREM, SPOP case 2)
        r.pipeline(List.<String[]>of(cmd(List.of("SADD", "big"), ints(0, MAX_INTSET))));
        t.pipeline(List.<String[]>of(cmd(List.of("SADD", "big"), ints(0, MAX_INTSET))));
        assertEquals("intset", encodingOf(t, "big"));
        same("SADD", "big", "100000");
        assertEquals("hashtable", encodingOf(t, "big"));
        same(cmd(List.of("SREM", "big"), ints(10, 500)));
        sameDataset(List.of("big"));
        // a hashtable of integers: SINTERSTORE/SUNIONSTORE build fresh sets (intset again)
        for (String c : new String[] {"SINTERSTORE", "SUNIONSTORE"}) same(c, "fresh-" + c, "big");
        // SDIFF's second algorithm passes through a hashtable when the first set is one
        same(cmd(List.of("SADD", "strs"), List.of("a", "b", "c", "1", "2")));
        same("SADD", "tiny", "a", "b", "c");
        same("SDIFFSTORE", "d2", "strs", "tiny"); // algorithm 2: hashtable result of integers
        same("SDIFFSTORE", "d1", "strs", "tiny", "nokey", "nokey2", "nokey3"); // algorithm 1
        same("SADD", "many", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "1", "2");
        same("SDIFFSTORE", "d3", "strs", "many");
        // SPOP's rebuild strategy (remaining*5 <= count) builds a fresh set from what remains
        same(cmd(List.of("SADD", "sp"), ints(0, MAX_INTSET + 1)));
        String a = r.call("SPOP", "sp", "" + (MAX_INTSET - 10));
        String b = t.call("SPOP", "sp", "" + (MAX_INTSET - 10));
        assertEquals(bulks(a).size(), bulks(b).size());
        assertEquals(encodingOf(r, "sp"), encodingOf(t, "sp"));
        assertEquals("intset", encodingOf(t, "sp"));
        both("DEL", "sp"); // its members were chosen at random
        // a hashtable of strings grows past the compact size (invisible) and shrinks back
        List<String> strs = new ArrayList<>();
        for (int i = 0; i < 300; i++) strs.add("member:" + i);
        same(cmd(List.of("SADD", "hs"), strs));
        same("SCARD", "hs");
        compare(new String[] {"SSCAN", "hs", "0", "COUNT", "5"}, "hs");
        same(cmd(List.of("SREM", "hs"), strs.subList(0, 290)));
        compare(new String[] {"SMEMBERS", "hs"}, "hs");
        same("SADD", "long", "x".repeat(100), "y");
        same("SMOVE", "long", "hs", "x".repeat(100));
        same("SISMEMBER", "hs", "x".repeat(100));
        // set-max-intset-entries 0: an integer set is a hashtable from its first member
        setMaxIntset(0);
        same("SADD", "zero", "1");
        same("SINTERSTORE", "zero2", "zero");
        setMaxIntset(MAX_INTSET);
        sameDataset(List.of("big", "fresh-SINTERSTORE", "fresh-SUNIONSTORE", "d1", "d2", "d3", "hs", "long", "zero", "zero2"));
    }

    @Test
    void resp3ShapesMatchRedis() throws Exception {
        both("HELLO", "3");
        String[][] cmds = {
            {"SADD", "i", "1", "2", "3"}, {"SADD", "h", "a"}, {"SMEMBERS", "i"}, {"SMEMBERS", "h"}, {"SMEMBERS", "nokey"},
            {"SINTER", "i", "nokey"}, {"SINTER", "i", "i"}, {"SUNION", "i"}, {"SDIFF", "i", "h"}, {"SDIFF", "nokey"},
            {"SPOP", "nokey"}, {"SPOP", "nokey", "2"}, {"SPOP", "i", "0"}, {"SRANDMEMBER", "nokey"}, {"SRANDMEMBER", "nokey", "2"},
            {"SRANDMEMBER", "i", "5"}, {"SRANDMEMBER", "h", "-2"}, {"SMISMEMBER", "i", "1", "9"}, {"SSCAN", "i", "0"},
            {"SINTERCARD", "1", "i"}, {"SPOP", "h", "5"}, {"SPOP", "i", "1"},
        };
        for (String[] c : cmds) compare(c, "resp3");
    }

    /** Keyspace events of every set command, in order, as Redis fires them. */
    @Test
    void keyspaceEventsMatchRedis() throws Exception {
        both("CONFIG", "SET", "notify-keyspace-events", "KEA");
        try (RawResp rs = new RawResp(redis.port()); RawResp ts = new RawResp(tandem.port())) {
            rs.call("PSUBSCRIBE", "__key*__:*");
            ts.call("PSUBSCRIBE", "__key*__:*");
            String[][] cmds = {
                {"SADD", "a", "1", "2", "3"}, {"SADD", "a", "1"}, {"SREM", "a", "9"}, {"SREM", "a", "1"}, {"SADD", "b", "x"},
                {"SMOVE", "a", "b", "2"}, {"SMOVE", "a", "b", "3"}, {"SMOVE", "b", "b", "x"}, {"SADD", "c", "5"},
                {"SMOVE", "b", "c", "5"}, {"SPOP", "c"}, {"SADD", "d", "1", "2", "3", "4"}, {"SPOP", "d", "1"},
                {"SPOP", "d", "0"}, {"SPOP", "d", "10"}, {"SADD", "e", "1"}, {"SADD", "f", "1", "2"},
                {"SINTERSTORE", "g", "e", "f"}, {"SUNIONSTORE", "g", "e", "f"}, {"SDIFFSTORE", "g", "f", "e"},
                {"SDIFFSTORE", "g", "e", "f"}, {"SINTERSTORE", "e", "nokey"}, {"SUNIONSTORE", "f", "nokey"}, {"SREM", "b", "x", "2"},
            };
            for (String[] c : cmds) {
                r.call(c);
                t.call(c);
            }
            List<String> expected = events(rs);
            assertTrue(expected.size() > 40, expected.toString());
            assertEquals(expected, events(ts));
        } finally {
            both("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    /** Messages received until the answer to a PING (in subscribed mode: a "pong" message). */
    static List<String> events(RawResp sub) throws Exception {
        List<String> out = new ArrayList<>();
        for (String m : sub.pipeline(List.<String[]>of(new String[] {"PING"}))) out.add(m);
        while (!out.get(out.size() - 1).contains("pong")) out.add(sub.readReply());
        out.remove(out.size() - 1);
        List<String> shown = new ArrayList<>();
        for (String m : out) shown.add(String.join(" ", bulks(m)));
        return shown;
    }

    static String member(Random rnd) {
        int k = rnd.nextInt(30);
        if (k < 16) return Integer.toString(rnd.nextInt(24) - 4);
        return switch (k) {
            case 16 -> "70000";
            case 17 -> "9223372036854775807";
            case 18 -> "-9223372036854775808";
            case 19 -> "01";
            case 20 -> "-0";
            case 21 -> "";
            case 22 -> "1.5";
            case 23 -> "a-member-longer-than-sixty-four-bytes-".repeat(2);
            default -> "m" + rnd.nextInt(8);
        };
    }

    static String[] setOp(Random rnd, String[] keys) {
        String k = rnd.nextInt(40) == 0 ? "str" : RandomOps.pick(rnd, keys);
        String k2 = RandomOps.pick(rnd, keys);
        String k3 = rnd.nextInt(8) == 0 ? "nokey" : RandomOps.pick(rnd, keys);
        switch (rnd.nextInt(26)) {
            case 0, 1, 2, 3 -> {
                List<String> ms = new ArrayList<>();
                int n = 1 + rnd.nextInt(4);
                int big = rnd.nextInt(40);
                if (big == 0) ms.addAll(ints(rnd.nextInt(100), 400 + rnd.nextInt(200)));
                else if (big == 1) for (int i = 0; i < 140; i++) ms.add("s" + i);
                else for (int i = 0; i < n; i++) ms.add(member(rnd));
                return cmd(List.of("SADD", k), ms);
            }
            case 4, 5 -> {
                List<String> ms = new ArrayList<>();
                if (rnd.nextInt(10) == 0) ms.addAll(ints(rnd.nextInt(200), 300));
                else for (int i = 0; i < 1 + rnd.nextInt(3); i++) ms.add(member(rnd));
                return cmd(List.of("SREM", k), ms);
            }
            case 6 -> { return new String[] {"SISMEMBER", k, member(rnd)}; }
            case 7 -> { return new String[] {"SMISMEMBER", k, member(rnd), member(rnd)}; }
            case 8 -> { return new String[] {"SCARD", k}; }
            case 9 -> { return new String[] {"SMEMBERS", k}; }
            case 10 -> { return rnd.nextBoolean() ? new String[] {"SPOP", k} : new String[] {"SPOP", k, RandomOps.pick(rnd, new String[] {"0", "1", "3", "7", "50", rnd.nextInt(5) == 0 ? "1000" : "2"})}; }
            case 11 -> { return rnd.nextInt(3) == 0 ? new String[] {"SRANDMEMBER", k}
                    : new String[] {"SRANDMEMBER", k, RandomOps.pick(rnd, new String[] {"0", "1", "-1", "3", "-5", "50", "1000"})}; }
            case 12 -> { return new String[] {"SMOVE", k, k2, member(rnd)}; }
            case 13 -> { return new String[] {"SINTER", k, k2}; }
            case 14 -> { return new String[] {"SINTERSTORE", k3, k, k2}; }
            case 15 -> { return rnd.nextBoolean() ? new String[] {"SINTERCARD", "2", k, k2}
                    : new String[] {"SINTERCARD", "3", k, k2, k3, "LIMIT", Integer.toString(rnd.nextInt(4))}; }
            case 16 -> { return new String[] {"SUNION", k, k2, k3}; }
            case 17 -> { return new String[] {"SUNIONSTORE", k3, k, k2}; }
            case 18, 19 -> { return new String[] {"SDIFF", k, k2, k3}; }
            case 20 -> { return new String[] {"SDIFFSTORE", k3, k, k2}; }
            case 21 -> { return new String[] {"SSCAN", k, "0", "MATCH", RandomOps.pick(rnd, new String[] {"*", "1*", "m*", "[0-3]"})}; }
            case 22 -> { return new String[] {"SINTER", k}; }
            case 23 -> { return rnd.nextBoolean() ? new String[] {"EXPIRE", k, "10000"} : new String[] {"PTTL", k}; }
            case 24 -> { return new String[] {"SET", "str", "v"}; }
            default -> { return new String[] {"DEL", k}; }
        }
    }

    @Test
    void randomSequencesMatchRedis() throws Exception {
        String[] keys = {"s0", "s1", "s2", "s3"};
        both("SET", "str", "v");
        int[] thresholds = {MAX_INTSET, 8};
        int checked = 0;
        for (int phase = 0; phase < thresholds.length; phase++) {
            setMaxIntset(thresholds[phase]);
            Random rnd = new Random(20240611L + phase);
            for (int i = 0; i < 2500; i++) {
                compare(setOp(rnd, keys), "phase " + phase + " op " + i);
                if (i % 250 == 249) {
                    List<String> live = new ArrayList<>();
                    for (String k : keys) if (r.call("TYPE", k).equals("+set\r\n")) live.add(k);
                    sameDataset(live);
                    checked += live.size();
                }
            }
        }
        assertTrue(checked > 20, "sets compared: " + checked);
    }
}
