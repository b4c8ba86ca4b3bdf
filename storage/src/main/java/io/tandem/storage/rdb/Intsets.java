package io.tandem.storage.rdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis's intset ({@code intset.c}), the compact form of a set of integers:
 * <pre>
 *   | encoding:4 LE (2, 4 or 8 = bytes per integer) | length:4 LE | integers, sorted ascending, LE |
 * </pre>
 * Stateless and thread-safe.
 */
public final class Intsets {
    private Intsets() {}

    /** Checks the header, the size and the strict ascending order; returns the length. */
    public static int validate(byte[] is) {
        if (is.length < 8) throw new IllegalArgumentException("intset shorter than its header");
        int enc = readInt(is, 0);
        if (enc != 2 && enc != 4 && enc != 8) throw new IllegalArgumentException("invalid intset encoding " + enc);
        long len = readInt(is, 4) & 0xFFFFFFFFL;
        if (8 + len * enc != is.length) throw new IllegalArgumentException("intset size does not match its length " + len);
        long prev = Long.MIN_VALUE;
        for (int i = 0; i < len; i++) {
            long v = get(is, enc, i);
            if (i > 0 && v <= prev) throw new IllegalArgumentException("intset not sorted or has duplicates");
            prev = v;
        }
        return (int) len;
    }

    public static int length(byte[] is) {
        return readInt(is, 4);
    }

    /** The members as decimal text. */
    public static List<byte[]> decode(byte[] is) {
        int enc = readInt(is, 0);
        int len = length(is);
        List<byte[]> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) out.add(Long.toString(get(is, enc, i)).getBytes(StandardCharsets.US_ASCII));
        return out;
    }

    /** An intset of these values (sorted and de-duplicated here), at the smallest encoding. */
    public static byte[] encode(long[] values) {
        long[] v = java.util.Arrays.stream(values).sorted().distinct().toArray();
        int enc = 2;
        for (long x : v) {
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) enc = 8;
            else if ((x < Short.MIN_VALUE || x > Short.MAX_VALUE) && enc < 4) enc = 4;
        }
        byte[] out = new byte[8 + v.length * enc];
        writeLE(out, 0, enc, 4);
        writeLE(out, 4, v.length, 4);
        for (int i = 0; i < v.length; i++) writeLE(out, 8 + i * enc, v[i], enc);
        return out;
    }

    private static long get(byte[] is, int enc, int i) {
        int p = 8 + i * enc;
        long v = 0;
        for (int k = enc - 1; k >= 0; k--) v = (v << 8) | (is[p + k] & 0xFF);
        int shift = 64 - 8 * enc;
        return (v << shift) >> shift;
    }

    private static int readInt(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    private static void writeLE(byte[] b, int p, long v, int n) {
        for (int i = 0; i < n; i++) b[p + i] = (byte) (v >>> (8 * i));
    }
}
