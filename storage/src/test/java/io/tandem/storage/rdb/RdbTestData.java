package io.tandem.storage.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.tandem.storage.digest.DatasetDigest;
import io.tandem.storage.digest.ValueDigest;
import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbSet;
import io.tandem.storage.rdb.RdbValue.RdbString;
import io.tandem.storage.rdb.RdbValue.RdbZSet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Expected content of the golden files and helpers to compare values semantically. */
final class RdbTestData {
    private RdbTestData() {}

    static final long EXPIRE_AT = 4102444800000L;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<byte[]> bl(String... s) {
        List<byte[]> l = new ArrayList<>();
        for (String x : s) l.add(b(x));
        return l;
    }

    /** db -> key -> entry; mirrors make-golden.py's populate(). */
    static TreeMap<Integer, LinkedHashMap<String, RdbEntry>> allTypes() {
        TreeMap<Integer, LinkedHashMap<String, RdbEntry>> dbs = new TreeMap<>();
        LinkedHashMap<String, RdbEntry> d0 = new LinkedHashMap<>();
        put(d0, 0, "str:int", new RdbString(b("12345")), -1);
        put(d0, 0, "str:neg", new RdbString(b("-7")), -1);
        put(d0, 0, "str:int64", new RdbString(b("4294967296")), -1);
        put(d0, 0, "str:short", new RdbString(b("hello")), -1);
        put(d0, 0, "str:lzf", new RdbString(b("abc".repeat(1000))), -1);
        put(d0, 0, "str:empty", new RdbString(new byte[0]), -1);
        byte[] bin = new byte[256];
        for (int i = 0; i < 256; i++) bin[i] = (byte) i;
        put(d0, 0, "str:bin", new RdbString(bin), -1);
        put(d0, 0, "list:small", RdbList.of(bl("a", "b", "c", "1", "-2", "300", "70000")), -1);
        List<byte[]> big = new ArrayList<>();
        for (int i = 0; i < 3000; i++) big.add(b("e:" + i));
        put(d0, 0, "list:big", RdbList.of(big), -1);
        put(d0, 0, "set:int", RdbSet.of(bl("-5", "1", "2", "3", "100000")), -1);
        List<byte[]> sb = new ArrayList<>();
        for (int i = 0; i < 200; i++) sb.add(b("m:" + i));
        put(d0, 0, "set:big", RdbSet.of(sb), -1);
        put(d0, 0, "zset:small", RdbZSet.of(bl("c", "a", "b", "d"), new double[] {-3, 1, 2.5, Double.POSITIVE_INFINITY}), -1);
        double[] sc = new double[200];
        for (int i = 0; i < 200; i++) sc[i] = i * 1.5;
        put(d0, 0, "zset:big", RdbZSet.of(sb, sc), -1);
        put(d0, 0, "hash:small", RdbHash.of(bl("f1", "v1", "f2", "2", "f3", "-3")), -1);
        List<byte[]> hb = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            hb.add(b("f:" + i));
            hb.add(b("v:" + i));
        }
        put(d0, 0, "hash:big", RdbHash.of(hb), -1);
        put(d0, 0, "hash:longval", RdbHash.of(bl("f", "x".repeat(100))), -1);
        put(d0, 0, "exp:k", new RdbString(b("v")), EXPIRE_AT);
        put(d0, 0, "exp:h", RdbHash.of(bl("a", "b")), EXPIRE_AT);
        dbs.put(0, d0);
        LinkedHashMap<String, RdbEntry> d1 = new LinkedHashMap<>();
        put(d1, 1, "db1:k", new RdbString(b("one")), -1);
        dbs.put(1, d1);
        LinkedHashMap<String, RdbEntry> d5 = new LinkedHashMap<>();
        put(d5, 5, "db5:l", RdbList.of(bl("x", "y")), -1);
        dbs.put(5, d5);
        return dbs;
    }

    private static void put(Map<String, RdbEntry> m, int db, String k, RdbValue v, long exp) {
        m.put(k, RdbEntry.of(db, b(k), v, exp));
    }

    /** Reads a whole file into db -> key -> entry. */
    static TreeMap<Integer, LinkedHashMap<String, RdbEntry>> load(java.io.InputStream in) throws Exception {
        TreeMap<Integer, LinkedHashMap<String, RdbEntry>> dbs = new TreeMap<>();
        new RdbFileReader(in).read(e -> dbs.computeIfAbsent(e.db(), x -> new LinkedHashMap<>())
                .put(new String(e.key(), StandardCharsets.UTF_8), e));
        return dbs;
    }

    static void assertSameData(Map<Integer, LinkedHashMap<String, RdbEntry>> expected, Map<Integer, LinkedHashMap<String, RdbEntry>> actual) {
        assertEquals(expected.keySet(), actual.keySet(), "databases");
        for (int db : expected.keySet()) {
            assertEquals(expected.get(db).keySet(), actual.get(db).keySet(), "keys of db " + db);
            for (String k : expected.get(db).keySet()) {
                RdbEntry e = expected.get(db).get(k);
                RdbEntry a = actual.get(db).get(k);
                assertEquals(e.expireAtMs(), a.expireAtMs(), "expiry of " + k);
                assertSameValue(e.value(), a.value(), k);
            }
        }
    }

    static void assertSameValue(RdbValue e, RdbValue a, String what) {
        assertEquals(e.getClass(), a.getClass(), "type of " + what);
        if (e instanceof RdbString s) {
            assertArrayEquals(s.value(), ((RdbString) a).value(), what);
        } else if (e instanceof RdbList l) {
            assertEquals(strings(l.elements()), strings(((RdbList) a).elements()), what);
        } else if (e instanceof RdbSet s) {
            assertEquals(new HashSet<>(strings(s.members())), new HashSet<>(strings(((RdbSet) a).members())), what);
        } else if (e instanceof RdbZSet z) {
            assertEquals(zmap(z), zmap(assertInstanceOf(RdbZSet.class, a)), what);
        } else {
            assertEquals(hmap(((RdbHash) e).pairs()), hmap(((RdbHash) a).pairs()), what);
        }
    }

    static List<String> strings(List<byte[]> l) {
        List<String> out = new ArrayList<>();
        for (byte[] x : l) out.add(new String(x, StandardCharsets.ISO_8859_1));
        return out;
    }

    static Map<String, Double> zmap(RdbZSet z) {
        Map<String, Double> m = new HashMap<>();
        List<byte[]> mem = z.members();
        double[] s = z.scores();
        for (int i = 0; i < mem.size(); i++) m.put(new String(mem.get(i), StandardCharsets.ISO_8859_1), s[i]);
        return m;
    }

    static Map<String, String> hmap(List<byte[]> pairs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            m.put(new String(pairs.get(i), StandardCharsets.ISO_8859_1), new String(pairs.get(i + 1), StandardCharsets.ISO_8859_1));
        }
        return m;
    }

    static ValueDigest digest(RdbValue v) {
        if (v instanceof RdbString s) return ValueDigest.string(s.value());
        if (v instanceof RdbList l) return ValueDigest.list(l.elements());
        if (v instanceof RdbSet s) return ValueDigest.set(s.members());
        if (v instanceof RdbZSet z) {
            ValueDigest.ZSetBuilder b = ValueDigest.zsetBuilder();
            List<byte[]> m = z.members();
            double[] sc = z.scores();
            for (int i = 0; i < m.size(); i++) b.add(m.get(i), sc[i]);
            return b.build();
        }
        ValueDigest.HashBuilder b = ValueDigest.hashBuilder();
        List<byte[]> p = ((RdbHash) v).pairs();
        for (int i = 0; i < p.size(); i += 2) b.put(p.get(i), p.get(i + 1));
        return b.build();
    }

    /** DEBUG DIGEST of this content, as Redis computes it. */
    static String datasetDigest(Map<Integer, LinkedHashMap<String, RdbEntry>> dbs) {
        DatasetDigest d = new DatasetDigest();
        for (var db : dbs.entrySet()) {
            if (db.getValue().isEmpty()) continue;
            d.selectDb(db.getKey());
            for (RdbEntry e : db.getValue().values()) d.key(e.key(), e.expireAtMs(), digest(e.value()));
        }
        return d.hex();
    }

    static Set<String> keys(Map<Integer, LinkedHashMap<String, RdbEntry>> dbs, int db) {
        return dbs.get(db).keySet();
    }
}
