package io.tandem.storage.digest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden values captured from redis-server 7.0.15 (DEBUG DIGEST / DEBUG DIGEST-VALUE), so the
 * algorithm stays pinned even where no redis-server is installed. The interop test checks far
 * more against a live server.
 */
class DatasetDigestTest {
    private static final long FAR = 4102444800000L; // 2100-01-01T00:00:00Z

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void emptyDatasetIsAllZeros() {
        assertEquals(DatasetDigest.EMPTY_HEX, new DatasetDigest().hex());
        // selecting databases without adding keys changes nothing
        assertEquals(DatasetDigest.EMPTY_HEX, new DatasetDigest().selectDb(3).selectDb(7).hex());
    }

    @Test
    void goldenValuesFromRedis7() {
        ValueDigest foo = ValueDigest.string(b("bar"));
        assertEquals("d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a",
                new DatasetDigest().key(b("foo"), DatasetDigest.NO_EXPIRE, foo).hex());
        assertEquals("68467c70ae30376e7ce005bcc8827f5ba7fd67dc", foo.hex(false));
        assertEquals("8ec3828f7209dd3abdf6ee448de8b0c0bd53265f", foo.hex(true));

        ValueDigest n = ValueDigest.string(12345);
        assertEquals("e1cf90774e995ae03de66e8109dc5cb9d9c2dc83", n.hex(false));
        assertEquals(n.hex(false), ValueDigest.string(b("12345")).hex(false));

        ValueDigest l = ValueDigest.list(List.of(b("a"), b("b"), b("c")));
        assertEquals("8bf72d812571eea9b927f3c11beb0c4165a6ff89", l.hex(false));
        assertEquals(l.hex(false), ValueDigest.listBuilder().add(b("a")).add(b("b")).add(b("c")).build().hex(false));

        ValueDigest s = ValueDigest.setBuilder().add(1).add(2).add(b("x")).build();
        assertEquals("4c6eef6b7853d1b76391c849d71b0d35d3faf18f", s.hex(false));

        ValueDigest z = ValueDigest.zsetBuilder()
                .add(b("a"), 1.5).add(b("b"), Double.NEGATIVE_INFINITY).add(b("c"), 1e300).build();
        assertEquals("a9dcd155ed0e604bc76c89b7cadb9cac8c2ac12c", z.hex(false));

        ValueDigest h = ValueDigest.hash(List.of(Map.entry(b("f1"), b("v1")), Map.entry(b("f2"), b("2"))));
        assertEquals("fc076e867f7dbf566ea58172a151d82d78b8f845", h.hex(false));

        ValueDigest st = ValueDigest.streamBuilder()
                .entry(1, 1, b("f"), b("v"), b("g"), b("w"))
                .entry(2, 0, b("a"), b("b"))
                .build();
        assertEquals("8bbcdc2dcdcccbe66e5b51ba9c4583ae2a3b96a4", st.hex(false));

        DatasetDigest all = new DatasetDigest()
                .selectDb(3).key(b("k3"), -1, ValueDigest.string(b("v3")))
                .selectDb(0)
                .key(b("st"), -1, st)
                .key(b("h"), -1, h)
                .key(b("foo"), FAR, foo)
                .key(b("n"), -1, n)
                .key(b("z"), -1, z)
                .key(b("s"), -1, s)
                .key(b("l"), -1, l);
        assertEquals("7317991c168dc3b44efdad356f4ba5a687c24eba", all.hex());

        assertEquals("ca1ca3c163c25b0650d3afe1417fd35e01ab7498",
                new DatasetDigest().selectDb(1).key(b("foo"), -1, foo).hex());
        ValueDigest one = ValueDigest.string(1);
        assertEquals("b4fc66738120fba0b5aa500ab5c2bf89cea1c5da", one.hex(false));
        assertEquals("943d800368fb9c0e951138f1bc0e313ac769d91f", new DatasetDigest().key(b("a"), -1, one).hex());
    }

    @Test
    void unorderedTypesIgnoreOrderListsDoNot() {
        assertEquals(ValueDigest.set(List.of(b("a"), b("b"))).hex(false),
                ValueDigest.set(List.of(b("b"), b("a"))).hex(false));
        assertNotEquals(ValueDigest.list(List.of(b("a"), b("b"))).hex(false),
                ValueDigest.list(List.of(b("b"), b("a"))).hex(false));
        // "fo","obar" vs "foo","bar"
        assertNotEquals(ValueDigest.list(List.of(b("fo"), b("obar"))).hex(false),
                ValueDigest.list(List.of(b("foo"), b("bar"))).hex(false));
    }

    @Test
    void databaseIdMattersAndKeyOrderDoesNot() {
        ValueDigest v = ValueDigest.string(b("v"));
        String db0 = new DatasetDigest().key(b("k"), -1, v).hex();
        String db1 = new DatasetDigest().selectDb(1).key(b("k"), -1, v).hex();
        assertNotEquals(db0, db1);

        DatasetDigest a = new DatasetDigest().key(b("x"), -1, v).selectDb(2).key(b("y"), -1, v);
        DatasetDigest c = new DatasetDigest().selectDb(2).key(b("y"), -1, v).selectDb(0).key(b("x"), -1, v);
        assertEquals(a.hex(), c.hex());

        DatasetDigest m1 = new DatasetDigest().key(b("x"), -1, v);
        DatasetDigest m2 = new DatasetDigest().selectDb(2).key(b("y"), -1, v);
        assertEquals(a.hex(), m1.merge(m2).hex());
    }

    @Test
    void expireValueIsNotDigestedOnlyItsPresence() {
        ValueDigest v = ValueDigest.string(b("v"));
        assertEquals(new DatasetDigest().key(b("k"), 1L, v).hex(),
                new DatasetDigest().key(b("k"), FAR, v).hex());
        assertNotEquals(new DatasetDigest().key(b("k"), FAR, v).hex(),
                new DatasetDigest().key(b("k"), -1, v).hex());
    }

    @Test
    void scoreFormatIsCPercentDot17g() {
        String[][] cases = {
            {"0.1", "0.10000000000000001"},
            {"1.5", "1.5"},
            {"1e300", "1.0000000000000001e+300"},
            {"Infinity", "inf"},
            {"-Infinity", "-inf"},
            {"0", "0"},
            {"-0.0", "-0"},
            {"1e-5", "1.0000000000000001e-05"},
            {"100", "100"},
            {"1e16", "10000000000000000"},
            {"1e17", "1e+17"},
            {"123456789012345678", "1.2345678901234568e+17"},
            {"4.9e-324", "4.9406564584124654e-324"},
            {"1.7976931348623157e308", "1.7976931348623157e+308"},
            {"0.0001", "0.0001"},
            {"0.00001234", "1.234e-05"},
            {"-2.5", "-2.5"},
            {"3", "3"},
            {"0.3333333333333333", "0.33333333333333331"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], ScoreFormat.g17(Double.parseDouble(c[0])), c[0]);
        }
    }
}
