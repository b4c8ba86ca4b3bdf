package io.tandem.storage.collection;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntsetTest {
    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] of(long... values) {
        byte[] is = Intset.empty();
        for (long v : values) is = Intset.add(is, v);
        return is;
    }

    /**
     * The intsets inside Redis 7.0.15's {@code DUMP} payloads (RDB type 0x0b = set intset, then
     * the intset as a length-prefixed string):
     * {@code SADD s1 5 -3 1000} dumps {@code 0b 0e 02000000 03000000 fdff 0500 e803 ...} and
     * {@code SADD s2 5 70000} dumps {@code 0b 10 04000000 02000000 05000000 70110100 ...}.
     */
    @Test
    void encodingMatchesRedisByteForByte() {
        assertEquals("02000000" + "03000000" + "fdff" + "0500" + "e803", hex(of(5, -3, 1000)));
        assertEquals("04000000" + "02000000" + "05000000" + "70110100", hex(of(5, 70000)));
        assertEquals("0200000000000000", hex(Intset.empty()));
    }

    @Test
    void upgradesAndNeverDowngrades() {
        byte[] is = of(1, 2);
        assertEquals(Intset.ENC_INT16, Intset.encoding(is));
        is = Intset.add(is, Long.MIN_VALUE); // goes first
        assertEquals(Intset.ENC_INT64, Intset.encoding(is));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 1, 2}, Intset.toArray(is));
        is = Intset.add(is, 1L << 40); // goes last
        assertArrayEquals(new long[] {Long.MIN_VALUE, 1, 2, 1L << 40}, Intset.toArray(is));
        is = Intset.remove(Intset.remove(is, Long.MIN_VALUE), 1L << 40);
        assertEquals(Intset.ENC_INT64, Intset.encoding(is), "removal keeps the encoding, as Redis");
        assertEquals(Intset.HEADER_SIZE + 2 * 8, is.length);
        assertTrue(Intset.isValid(is));
        assertFalse(Intset.contains(is, 3));
        assertFalse(Intset.contains(of(1), 1L << 40), "a value wider than the encoding is absent");
    }

    @Test
    void unchangedReturnsTheSameArray() {
        byte[] is = of(7, 8);
        assertSame(is, Intset.add(is, 7));
        assertSame(is, Intset.remove(is, 9));
    }

    @Test
    void followsATreeSetModel() {
        Random rnd = new Random(5);
        TreeSet<Long> model = new TreeSet<>();
        byte[] is = Intset.empty();
        long[] ranges = {100, 40000, 3_000_000_000L, Long.MAX_VALUE};
        for (int i = 0; i < 20000; i++) {
            long range = ranges[rnd.nextInt(ranges.length)];
            long v = range == Long.MAX_VALUE ? rnd.nextLong() : rnd.nextLong() % range;
            if (rnd.nextInt(3) == 0) {
                byte[] after = Intset.remove(is, v);
                assertEquals(model.remove(v), after != is);
                is = after;
            } else {
                byte[] after = Intset.add(is, v);
                assertEquals(model.add(v), after != is);
                is = after;
            }
        }
        long[] expect = model.stream().mapToLong(Long::longValue).toArray();
        assertArrayEquals(expect, Intset.toArray(is));
        assertEquals(model.size(), Intset.length(is));
        assertTrue(Intset.isValid(is));
        for (long v : expect) assertTrue(Intset.contains(is, v));
    }

    @Test
    void validationRejectsCorruptPayloads() {
        assertFalse(Intset.isValid(new byte[4]));
        byte[] bad = of(1, 2, 3);
        bad[0] = 3;
        assertFalse(Intset.isValid(bad), "unknown encoding");
        byte[] unsorted = of(1, 2);
        unsorted[8] = 5; // first value 5 > second 2
        assertFalse(Intset.isValid(unsorted));
        assertFalse(Intset.isValid(java.util.Arrays.copyOf(of(1, 2), 11)), "length mismatch");
    }

    @Test
    void membersAreCanonicalDecimalLongs() {
        String[] yes = {"0", "-1", "5", "9223372036854775807", "-9223372036854775808", "100"};
        String[] no = {"", "-", "-0", "01", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1.0", "abc",
            "123456789012345678901"};
        for (String s : yes) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            assertTrue(Intset.isInteger(b), s);
            assertEquals(Long.parseLong(s), Intset.parse(b));
            assertArrayEquals(b, Intset.text(Intset.parse(b)));
        }
        for (String s : no) assertFalse(Intset.isInteger(s.getBytes(StandardCharsets.US_ASCII)), s);
    }
}
