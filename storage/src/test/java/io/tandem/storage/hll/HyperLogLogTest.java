package io.tandem.storage.hll;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HLL representation checked against a plain model (an int per register) under random adds:
 * sparse and dense agree with the model register for register, adds report changes exactly,
 * promotion happens where the limit says, merges take maxima, estimates are close. Byte
 * identity with Redis itself is HyperLogLogDifferentialTest's job (server module).
 */
class HyperLogLogTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void emptyHllIsOneXzeroOpcode() {
        HyperLogLog h = HyperLogLog.create();
        byte[] expected = new byte[18];
        System.arraycopy(b("HYLL"), 0, expected, 0, 4);
        expected[4] = 1;
        expected[16] = 0x7f;
        expected[17] = (byte) 0xff;
        assertArrayEquals(expected, h.toBytes());
        assertTrue(HyperLogLog.isValid(h.toBytes()));
        assertTrue(h.cacheValid());
        assertEquals(0, h.count());
        assertEquals("Z:16384", h.decodeSparse());
    }

    @Test
    void validity() {
        assertFalse(HyperLogLog.isValid(b("HYLL")));
        assertFalse(HyperLogLog.isValid(b("HYLX\u0001\0\0\0\0\0\0\0\0\0\0\0")));
        assertFalse(HyperLogLog.isValid(b("HYLL\u0002\0\0\0\0\0\0\0\0\0\0\0")));
        assertTrue(HyperLogLog.isValid(b("HYLL\u0001\0\0\0\0\0\0\0\0\0\0\0"))); // header only: corrupt when read
        byte[] dense = new byte[HyperLogLog.DENSE_SIZE];
        System.arraycopy(b("HYLL"), 0, dense, 0, 4);
        assertTrue(HyperLogLog.isValid(dense));
        assertFalse(HyperLogLog.isValid(Arrays.copyOf(dense, dense.length - 1)));
        assertEquals(-1, HyperLogLog.of(b("HYLL\u0001\0\0\0\0\0\0\0\0\0\0\0")).count());
    }

    @Test
    void randomAddsAgreeWithAModelThroughPromotion() {
        Random rnd = new Random(42);
        for (long limit : new long[] {3000, 100, 0}) {
            HyperLogLog h = HyperLogLog.create();
            int[] model = new int[HyperLogLog.REGISTERS];
            boolean sawDense = false;
            for (int i = 0; i < 20000; i++) {
                byte[] e = b("el:" + rnd.nextInt(50000));
                long pl = HyperLogLog.patLen(e);
                int reg = (int) (pl >>> 8);
                int count = (int) (pl & 0xff);
                assertTrue(count >= 1 && count <= HyperLogLog.Q + 1);
                boolean grows = count > model[reg];
                int wasEncoding = h.encoding();
                assertEquals(grows ? HyperLogLog.UPDATED : HyperLogLog.UNCHANGED, h.add(e, limit));
                if (grows) model[reg] = count;
                assertEquals(model[reg], h.register(reg));
                if (h.encoding() == HyperLogLog.SPARSE) assertTrue(h.length() <= Math.max(limit, 18 + 3) || wasEncoding != h.encoding());
                sawDense |= h.encoding() == HyperLogLog.DENSE;
                if (i % 2000 == 0) assertRegisters(model, h);
            }
            assertTrue(sawDense, "promoted with limit " + limit);
            assertRegisters(model, h);
        }
    }

    static void assertRegisters(int[] model, HyperLogLog h) {
        HyperLogLog dense = HyperLogLog.of(h.toBytes());
        assertTrue(dense.toDense());
        byte[] max = new byte[HyperLogLog.REGISTERS];
        assertTrue(HyperLogLog.mergeInto(max, h.toBytes()));
        for (int i = 0; i < model.length; i++) {
            assertEquals(model[i], dense.register(i), "register " + i);
            assertEquals(model[i], max[i], "merged register " + i);
        }
        assertEquals(h.count(), dense.count());
        assertEquals(h.count(), HyperLogLog.countRaw(max));
    }

    @Test
    void sparseSplitsAndMergesAdjacentValues() {
        HyperLogLog h = HyperLogLog.create();
        assertEquals(HyperLogLog.UPDATED, h.set(100, 3, 3000));
        assertEquals("Z:100 v:3,1 Z:16283", h.decodeSparse());
        assertEquals(HyperLogLog.UPDATED, h.set(101, 3, 3000));
        assertEquals("Z:100 v:3,2 Z:16282", h.decodeSparse());
        assertEquals(HyperLogLog.UNCHANGED, h.set(101, 2, 3000));
        assertEquals(HyperLogLog.UPDATED, h.set(5, 1, 3000));
        assertEquals("z:5 v:1,1 Z:94 v:3,2 Z:16282", h.decodeSparse());
        assertEquals(HyperLogLog.UPDATED, h.set(0, 40, 3000)); // above 32: dense at once
        assertEquals(HyperLogLog.DENSE, h.encoding());
        assertEquals(HyperLogLog.DENSE_SIZE, h.length());
        assertEquals(40, h.register(0));
        assertEquals(3, h.register(101));
        assertEquals(1, h.register(5));
        assertFalse(h.cacheValid());
    }

    @Test
    void lastDenseRegisterAndCachedCardinality() {
        HyperLogLog h = HyperLogLog.create();
        assertTrue(h.toDense());
        h.set(HyperLogLog.REGISTERS - 1, 63, 3000);
        assertEquals(63, h.register(HyperLogLog.REGISTERS - 1));
        assertEquals(0, h.register(HyperLogLog.REGISTERS - 2));
        byte[] v = h.toBytes();
        assertEquals((byte) 0xfc, v[v.length - 1]);
        h.setCachedCardinality(0x0102030405060708L);
        assertEquals(0x0102030405060708L, h.cachedCardinality());
        assertTrue(h.cacheValid());
        h.invalidateCache();
        assertFalse(h.cacheValid());
    }

    @Test
    void estimatesAreClose() {
        HyperLogLog h = HyperLogLog.create();
        int n = 200_000;
        for (int i = 0; i < n; i++) h.add(b(Integer.toString(i)), 3000);
        long est = h.count();
        assertTrue(Math.abs(est - n) < n * 0.02, "estimate " + est);
        HyperLogLog small = HyperLogLog.create();
        for (int i = 0; i < 100; i++) small.add(b("s" + i), 3000);
        assertEquals(100, small.count(), 2);
    }
}
