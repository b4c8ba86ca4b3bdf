package io.tandem.storage.digest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.storage.testing.RedisProcess;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loads data of every type into a real redis-server 7.0 and checks that {@link DatasetDigest} and
 * {@link ValueDigest}, fed the same data, give exactly DEBUG DIGEST and DEBUG DIGEST-VALUE.
 * Skipped without redis-server (failed when CI=true), see {@link RedisProcess}.
 */
class RedisDigestInteropTest {
    /** 2100-01-01T00:00:00Z: far enough for no key to expire during the test. */
    private static final long FAR = 4102444800000L;

    private static RedisProcess redis;

    @BeforeAll
    static void startRedis() {
        // Pin the encoding thresholds (packagers' defaults differ) so every encoding is exercised.
        redis = RedisProcess.start(
                "--hash-max-listpack-entries", "128", "--hash-max-listpack-value", "64",
                "--zset-max-listpack-entries", "128", "--zset-max-listpack-value", "64",
                "--set-max-intset-entries", "512", "--list-max-listpack-size", "-2");
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void flush() {
        redis.call("SELECT", 0);
        redis.call("FLUSHALL");
    }

    // ------------------------------------------------------------------ model

    /** A value: how to write it to Redis, and its digest from the same data. */
    private interface Val {
        void load(byte[] key, List<Object[]> cmds);

        ValueDigest digest();
    }

    private record Str(byte[] v) implements Val {
        public void load(byte[] key, List<Object[]> cmds) {
            cmds.add(new Object[] {"SET", key, v});
        }

        public ValueDigest digest() {
            return ValueDigest.string(v);
        }
    }

    /** Written as decimal text; Redis keeps it int-encoded; digested through string(long). */
    private record IntStr(long v) implements Val {
        public void load(byte[] key, List<Object[]> cmds) {
            cmds.add(new Object[] {"SET", key, Long.toString(v)});
        }

        public ValueDigest digest() {
            return ValueDigest.string(v);
        }
    }

    private record Lst(List<byte[]> elements) implements Val {
        public void load(byte[] key, List<Object[]> cmds) {
            for (int i = 0; i < elements.size(); i += 100) {
                List<Object> c = new ArrayList<>(List.of("RPUSH", key));
                c.addAll(elements.subList(i, Math.min(elements.size(), i + 100)));
                cmds.add(c.toArray());
            }
        }

        public ValueDigest digest() {
            return ValueDigest.list(elements);
        }
    }

    /** Members must be distinct. */
    private record St(List<byte[]> members) implements Val {
        public void load(byte[] key, List<Object[]> cmds) {
            for (int i = 0; i < members.size(); i += 100) {
                List<Object> c = new ArrayList<>(List.of("SADD", key));
                c.addAll(members.subList(i, Math.min(members.size(), i + 100)));
                cmds.add(c.toArray());
            }
        }

        public ValueDigest digest() {
            // feed in a different order than inserted: must not matter
            List<byte[]> rev = new ArrayList<>(members);
            java.util.Collections.reverse(rev);
            return ValueDigest.set(rev);
        }
    }

    /** Members must be distinct. */
    private record ZS(List<Map.Entry<byte[], Double>> entries) implements Val {
        public void load(byte[] key, List<Object[]> cmds) {
            for (int i = 0; i < entries.size(); i += 100) {
                List<Object> c = new ArrayList<>(List.of("ZADD", key));
                for (Map.Entry<byte[], Double> e : entries.subList(i, Math.min(entries.size(), i + 100))) {
                    c.add(scoreArg(e.getValue()));
                    c.add(e.getKey());
                }
                cmds.add(c.toArray());
            }
        }

        public ValueDigest digest() {
            return ValueDigest.zset(entries);
        }
    }

    /** Fields must be distinct. */
    private record Hs(List<Map.Entry<byte[], byte[]>> entries) implements Val {
        public void load(byte[] key, List<Object[]> cmds) {
            for (int i = 0; i < entries.size(); i += 100) {
                List<Object> c = new ArrayList<>(List.of("HSET", key));
                for (Map.Entry<byte[], byte[]> e : entries.subList(i, Math.min(entries.size(), i + 100))) {
                    c.add(e.getKey());
                    c.add(e.getValue());
                }
                cmds.add(c.toArray());
            }
        }

        public ValueDigest digest() {
            return ValueDigest.hash(entries);
        }
    }

    private record StreamEntry(long ms, long seq, byte[][] fieldsAndValues, boolean deleted) {}

    /** Entries in ascending id order; deleted ones are XADDed then XDELed. */
    private record Strm(List<StreamEntry> entries) implements Val {
        public void load(byte[] key, List<Object[]> cmds) {
            for (StreamEntry e : entries) {
                List<Object> c = new ArrayList<>(List.of("XADD", key, id(e)));
                c.addAll(List.of((Object[]) e.fieldsAndValues()));
                cmds.add(c.toArray());
            }
            for (StreamEntry e : entries) {
                if (e.deleted()) {
                    cmds.add(new Object[] {"XDEL", key, id(e)});
                }
            }
        }

        private static String id(StreamEntry e) {
            return Long.toUnsignedString(e.ms()) + "-" + Long.toUnsignedString(e.seq());
        }

        public ValueDigest digest() {
            ValueDigest.StreamBuilder b = ValueDigest.streamBuilder();
            for (StreamEntry e : entries) {
                if (!e.deleted()) {
                    b.entry(e.ms(), e.seq(), e.fieldsAndValues());
                }
            }
            return b.build();
        }
    }

    private record Key(byte[] name, long expireAt, Val value) {}

    /** db -> keys. */
    private final Map<Integer, List<Key>> dataset = new TreeMap<>();

    private void put(int db, String key, long expireAt, Val v) {
        put(db, b(key), expireAt, v);
    }

    private void put(int db, byte[] key, long expireAt, Val v) {
        dataset.computeIfAbsent(db, k -> new ArrayList<>()).add(new Key(key, expireAt, v));
    }

    private void loadIntoRedis() {
        List<Object[]> cmds = new ArrayList<>();
        for (Map.Entry<Integer, List<Key>> db : dataset.entrySet()) {
            cmds.add(new Object[] {"SELECT", db.getKey()});
            for (Key k : db.getValue()) {
                k.value().load(k.name(), cmds);
                if (k.expireAt() != -1) {
                    cmds.add(new Object[] {"PEXPIREAT", k.name(), k.expireAt()});
                }
            }
        }
        cmds.add(new Object[] {"SELECT", 0});
        List<Object> replies = redis.pipeline(cmds);
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i) instanceof RedisProcess.RedisError e) {
                throw new AssertionError("command " + i + " " + cmds.get(i)[0] + " failed: " + e.getMessage());
            }
        }
    }

    /** Our digest of the model, fed in reverse db order and reverse key order: must not matter. */
    private String modelDigest() {
        DatasetDigest d = new DatasetDigest();
        List<Integer> dbs = new ArrayList<>(dataset.keySet());
        java.util.Collections.reverse(dbs);
        for (int db : dbs) {
            d.selectDb(db);
            List<Key> keys = new ArrayList<>(dataset.get(db));
            java.util.Collections.reverse(keys);
            for (Key k : keys) {
                d.key(k.name(), k.expireAt(), k.value().digest());
            }
        }
        return d.hex();
    }

    private void assertDigestsMatchRedis() {
        // per key first: a mismatch there names the culprit
        for (Map.Entry<Integer, List<Key>> db : dataset.entrySet()) {
            redis.call("SELECT", db.getKey());
            List<Key> keys = db.getValue();
            for (int i = 0; i < keys.size(); i += 200) {
                List<Key> batch = keys.subList(i, Math.min(keys.size(), i + 200));
                List<Object> cmd = new ArrayList<>(List.of("DEBUG", "DIGEST-VALUE"));
                batch.forEach(k -> cmd.add(k.name()));
                List<?> got = (List<?>) redis.call(cmd.toArray());
                for (int j = 0; j < batch.size(); j++) {
                    Key k = batch.get(j);
                    assertEquals(got.get(j), k.value().digest().hex(k.expireAt() != -1),
                            "DIGEST-VALUE of db " + db.getKey() + " key " + new String(k.name(), UTF_8));
                }
            }
        }
        redis.call("SELECT", 0);
        assertEquals(redis.callString("DEBUG", "DIGEST"), modelDigest(), "DEBUG DIGEST");
    }

    private static String encoding(int db, String key) {
        redis.call("SELECT", db);
        String enc = redis.callString("OBJECT", "ENCODING", key);
        redis.call("SELECT", 0);
        return enc;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void emptyDataset() {
        assertEquals(DatasetDigest.EMPTY_HEX, redis.callString("DEBUG", "DIGEST"));
        assertEquals(DatasetDigest.EMPTY_HEX, new DatasetDigest().hex());
        // DIGEST-VALUE of a missing key is all zeros as well
        assertEquals(List.of(DatasetDigest.EMPTY_HEX), redis.call("DEBUG", "DIGEST-VALUE", "nope"));
    }

    @Test
    void everyTypeAndEncodingAcrossDatabases() {
        // strings: int, embstr, raw, empty, binary, not-quite-integers
        put(0, "s:int", -1, new IntStr(12345));
        put(0, "s:neg", -1, new IntStr(-42));
        put(0, "s:zero", -1, new IntStr(0));
        put(0, "s:min", -1, new IntStr(Long.MIN_VALUE));
        put(0, "s:max", FAR, new IntStr(Long.MAX_VALUE));
        put(0, "s:embstr", -1, new Str(b("hello world")));
        put(0, "s:raw", -1, new Str(b("x".repeat(100))));
        put(0, "s:big", FAR, new Str(b("y".repeat(100_000))));
        put(0, "s:empty", -1, new Str(new byte[0]));
        put(0, "s:lead0", -1, new Str(b("007")));
        put(0, "s:plus", -1, new Str(b("+5")));
        put(0, "s:float", -1, new Str(b("1.5")));
        put(0, "s:bin", -1, new Str(new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\r', '\n'}));
        put(0, new byte[] {'k', 0, (byte) 0xc3, (byte) 0x28}, -1, new Str(b("binary key")));
        put(0, new byte[0], -1, new Str(b("empty key")));

        // lists: small, with ints, long (several quicklist nodes), big elements
        put(0, "l:small", -1, new Lst(List.of(b("a"), b("b"), b("c"), b("a"))));
        put(0, "l:ints", FAR, new Lst(List.of(b("1"), b("-2"), b("300000000000"), b(""), b("04"))));
        List<byte[]> longList = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            longList.add(b("element-" + i));
        }
        put(0, "l:long", -1, new Lst(longList));
        put(0, "l:bigel", -1, new Lst(List.of(b("z".repeat(20_000)), b("q"), b("z".repeat(9000)))));

        // sets: intset, intset grown into hashtable, strings (hashtable)
        put(0, "set:intset", -1, new St(List.of(b("1"), b("2"), b("3"), b("-5"), b("9223372036854775807"))));
        List<byte[]> bigInts = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            bigInts.add(b(Integer.toString(i * 7 - 1000)));
        }
        put(0, "set:bigint", -1, new St(bigInts));
        put(0, "set:str", FAR, new St(List.of(b("apple"), b("banana"), b(""), b("10"), b("007"))));

        // sorted sets: listpack and skiplist, special scores
        List<Map.Entry<byte[], Double>> zsmall = List.of(
                Map.entry(b("a"), 1.5),
                Map.entry(b("b"), Double.NEGATIVE_INFINITY),
                Map.entry(b("c"), Double.POSITIVE_INFINITY),
                Map.entry(b("d"), 1e300),
                Map.entry(b("e"), 0.1),
                Map.entry(b("f"), 1e16),
                Map.entry(b("g"), 0.0),
                Map.entry(b("123"), 42.0),
                Map.entry(b("h"), 1e-7),
                Map.entry(b("i"), 123456789012345678.0),
                Map.entry(b("j"), Double.MIN_VALUE),
                Map.entry(b("k"), -Double.MAX_VALUE),
                Map.entry(b("l"), 1.0 / 3));
        put(0, "z:listpack", -1, new ZS(zsmall));
        List<Map.Entry<byte[], Double>> zbig = new ArrayList<>(zsmall);
        for (int i = 0; i < 300; i++) {
            zbig.add(Map.entry(b("m" + i), i * 0.37 - 20));
        }
        put(0, "z:skiplist", FAR, new ZS(zbig));
        put(0, "z:longmember", -1, new ZS(List.of(Map.entry(b("w".repeat(100)), 2.5))));

        // hashes: listpack (with int fields/values) and hashtable
        put(0, "h:listpack", -1, new Hs(List.of(
                Map.entry(b("f1"), b("v1")),
                Map.entry(b("42"), b("-7")),
                Map.entry(b("empty"), b("")),
                Map.entry(b(""), b("empty field")))));
        List<Map.Entry<byte[], byte[]>> hbig = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            hbig.add(Map.entry(b("field:" + i), b(i % 3 == 0 ? Integer.toString(i) : "value-" + i)));
        }
        put(0, "h:hashtable", FAR, new Hs(hbig));
        put(0, "h:longvalue", -1, new Hs(List.of(Map.entry(b("f"), b("v".repeat(200))))));

        // streams, incl. an XDELed entry and an id with an unsigned 64-bit ms part
        put(0, "x:stream", -1, new Strm(List.of(
                new StreamEntry(1, 1, new byte[][] {b("f"), b("v"), b("g"), b("w")}, false),
                new StreamEntry(1, 2, new byte[][] {b("f"), b("v2"), b("g"), b("w2")}, true),
                new StreamEntry(2, 0, new byte[][] {b("a"), b("b")}, false),
                new StreamEntry(-1L, 5, new byte[][] {b("n"), b("123")}, false))));

        // same names in other databases: db id must separate them
        put(1, "s:int", -1, new IntStr(12345));
        put(1, "l:small", FAR, new Lst(List.of(b("a"), b("b"), b("c"), b("a"))));
        put(5, "only-in-5", -1, new St(List.of(b("x"))));
        put(15, "s:int", FAR, new IntStr(12345));
        put(15, "h", -1, new Hs(List.of(Map.entry(b("k"), b("v")))));

        loadIntoRedis();

        // make sure the encodings we meant to cover are really there
        assertEquals("int", encoding(0, "s:min"));
        assertEquals("embstr", encoding(0, "s:embstr"));
        assertEquals("raw", encoding(0, "s:raw"));
        assertEquals("quicklist", encoding(0, "l:long"));
        assertEquals("intset", encoding(0, "set:intset"));
        assertEquals("hashtable", encoding(0, "set:bigint"));
        assertEquals("hashtable", encoding(0, "set:str"));
        assertEquals("listpack", encoding(0, "z:listpack"));
        assertEquals("skiplist", encoding(0, "z:skiplist"));
        assertEquals("skiplist", encoding(0, "z:longmember"));
        assertEquals("listpack", encoding(0, "h:listpack"));
        assertEquals("hashtable", encoding(0, "h:hashtable"));
        assertEquals("hashtable", encoding(0, "h:longvalue"));
        assertEquals(-1L, redis.call("PTTL", "s:int"));
        assertEquals(FAR, redis.call("PEXPIRETIME", "s:max"));

        assertDigestsMatchRedis();
    }

    @Test
    void negativeZeroScore() {
        // ZADD "-0" stores +0 (so does a listpack): digested as "0".
        redis.call("ZADD", "zadd", "-0", "m");
        assertEquals(ValueDigest.zsetBuilder().add(b("m"), 0.0).build().hex(false),
                ((List<?>) redis.call("DEBUG", "DIGEST-VALUE", "zadd")).get(0));
        // A skiplist can hold a real -0.0 (0 * -1 from ZUNIONSTORE WEIGHTS): digested as "-0".
        redis.call("CONFIG", "SET", "zset-max-listpack-entries", "0");
        try {
            redis.call("ZUNIONSTORE", "neg", 1, "zadd", "WEIGHTS", -1);
            assertEquals("skiplist", encoding(0, "neg"));
            assertEquals("-0", redis.callString("ZSCORE", "neg", "m"));
            assertEquals(ValueDigest.zsetBuilder().add(b("m"), -0.0).build().hex(false),
                    ((List<?>) redis.call("DEBUG", "DIGEST-VALUE", "neg")).get(0));
        } finally {
            redis.call("CONFIG", "SET", "zset-max-listpack-entries", "128");
        }
    }

    @Test
    void expireChangesDigestButItsValueDoesNot() {
        put(0, "k", FAR, new Str(b("v")));
        loadIntoRedis();
        String far = redis.callString("DEBUG", "DIGEST");
        redis.call("PEXPIREAT", "k", FAR + 123_456_789L);
        assertEquals(far, redis.callString("DEBUG", "DIGEST"), "Redis digests the presence of an expire only");
        assertEquals(far, new DatasetDigest().key(b("k"), FAR + 123_456_789L, ValueDigest.string(b("v"))).hex());
        redis.call("PERSIST", "k");
        assertEquals(new DatasetDigest().key(b("k"), -1, ValueDigest.string(b("v"))).hex(),
                redis.callString("DEBUG", "DIGEST"));
    }

    @Test
    void randomScoresFormatLikeRedis() {
        Random rnd = new Random(20240607L);
        List<Map.Entry<byte[], Double>> scores = new ArrayList<>();
        TreeSet<Double> seen = new TreeSet<>();
        while (scores.size() < 3000) {
            double d;
            switch (scores.size() % 5) {
                case 0 -> d = Double.longBitsToDouble(rnd.nextLong()); // any exponent
                case 1 -> d = rnd.nextInt(1_000_000) / 1000.0;        // short decimals
                case 2 -> d = (double) (rnd.nextLong() >> rnd.nextInt(64)); // integers
                case 3 -> d = rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20);
                default -> d = Math.scalb(rnd.nextDouble(), rnd.nextInt(2100) - 1075); // incl. subnormals
            }
            if (Double.isNaN(d) || !seen.add(d)) {
                continue;
            }
            scores.add(Map.entry(b("m"), d));
        }
        // one single-member zset per score, so a mismatch names the score
        for (int i = 0; i < scores.size(); i++) {
            put(0, "z" + i, -1, new ZS(List.of(scores.get(i))));
        }
        loadIntoRedis();
        for (int i = 0; i < scores.size(); i += 500) {
            List<Object> cmd = new ArrayList<>(List.of("DEBUG", "DIGEST-VALUE"));
            for (int j = i; j < Math.min(scores.size(), i + 500); j++) {
                cmd.add("z" + j);
            }
            List<?> got = (List<?>) redis.call(cmd.toArray());
            for (int j = 0; j < got.size(); j++) {
                Map.Entry<byte[], Double> e = scores.get(i + j);
                assertEquals(got.get(j), ValueDigest.zsetBuilder().add(e.getKey(), e.getValue()).build().hex(false),
                        () -> "score " + e.getValue() + " formatted " + ScoreFormat.g17(e.getValue()));
            }
        }
        assertEquals(redis.callString("DEBUG", "DIGEST"), modelDigest());
    }

    @Test
    void randomDatasetManyKeys() {
        Random rnd = new Random(7L);
        for (int i = 0; i < 2000; i++) {
            int db = rnd.nextInt(16);
            long expire = rnd.nextInt(4) == 0 ? FAR + rnd.nextInt(1_000_000) : -1;
            Val v = switch (rnd.nextInt(6)) {
                case 0 -> rnd.nextBoolean() ? new IntStr(rnd.nextLong() >> rnd.nextInt(64)) : new Str(randomBytes(rnd));
                case 1 -> {
                    List<byte[]> l = new ArrayList<>();
                    for (int j = rnd.nextInt(20) + 1; j > 0; j--) {
                        l.add(randomBytes(rnd));
                    }
                    yield new Lst(l);
                }
                case 2 -> new St(new ArrayList<>(distinct(rnd, rnd.nextInt(20) + 1).values()));
                case 3 -> {
                    List<Map.Entry<byte[], Double>> z = new ArrayList<>();
                    for (byte[] m : distinct(rnd, rnd.nextInt(200) + 1).values()) {
                        z.add(Map.entry(m, rnd.nextInt(3) == 0 ? (double) rnd.nextInt(100) : rnd.nextGaussian() * 1e6));
                    }
                    yield new ZS(z);
                }
                case 4 -> {
                    List<Map.Entry<byte[], byte[]>> h = new ArrayList<>();
                    for (byte[] f : distinct(rnd, rnd.nextInt(200) + 1).values()) {
                        h.add(Map.entry(f, randomBytes(rnd)));
                    }
                    yield new Hs(h);
                }
                default -> {
                    List<StreamEntry> es = new ArrayList<>();
                    long ms = rnd.nextInt(1000);
                    long seq = 0;
                    for (int j = rnd.nextInt(10) + 1; j > 0; j--) {
                        int step = rnd.nextInt(3);
                        ms += step;
                        seq = step == 0 ? seq + 1 : rnd.nextInt(3);
                        es.add(new StreamEntry(ms, seq, new byte[][] {b("f"), randomBytes(rnd), randomBytes(rnd), b("x")},
                                rnd.nextInt(5) == 0));
                    }
                    yield new Strm(es);
                }
            };
            put(db, b("key:" + i), expire, v);
        }
        loadIntoRedis();
        assertDigestsMatchRedis();
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] randomBytes(Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0:
                return b(Long.toString(rnd.nextLong() >> rnd.nextInt(64)));
            case 1:
                return b("s" + rnd.nextInt(100_000));
            case 2: {
                byte[] r = new byte[rnd.nextInt(80)];
                rnd.nextBytes(r);
                return r;
            }
            default:
                return new byte[0];
        }
    }

    /** Distinct random members, keyed by their text to dedupe. */
    private static Map<String, byte[]> distinct(Random rnd, int n) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byte[] x = randomBytes(rnd);
            m.put(new String(x, java.nio.charset.StandardCharsets.ISO_8859_1), x);
        }
        return m;
    }

    /** A ZADD score argument that strtod parses back to exactly d. */
    private static String scoreArg(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "+inf" : "-inf";
        }
        if (d == 0 && 1 / d < 0) {
            return "-0";
        }
        return new BigDecimal(d).toString(); // exact decimal value of the double
    }

    @Test
    void scoreArgRoundTrips() {
        // sanity of the test's own helper
        for (double d : new double[] {0.1, 1e300, Double.MIN_VALUE, -123.456}) {
            assertTrue(Double.parseDouble(scoreArg(d)) == d);
        }
    }
}
