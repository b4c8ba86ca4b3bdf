package io.tandem.storage.rdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decoders for the compact encodings older Redis versions wrote into RDB files, read only (we
 * convert them to listpacks or plain lists as Redis 7.0 does on load). Every read is bounds
 * checked: a malformed blob raises IllegalArgumentException, never an out-of-bounds read.
 *
 * <p>ziplist ({@code ziplist.c}, Redis 2.6 to 6.2):
 * <pre>
 *   | zlbytes:4 LE | zltail:4 LE | zllen:2 LE | entry ... | 0xFF |
 *   entry = prevlen (1 byte &lt; 254, or 0xFE + 4 bytes LE) | encoding | data
 *   encoding: 00pppppp                 string, 6-bit length
 *             01pppppp qqqqqqqq        string, 14-bit length (big end first)
 *             10000000 + 4 bytes BE    string, 32-bit length
 *             11000000 int16 | 11010000 int32 | 11100000 int64 | 11110000 int24 | 11111110 int8  (LE)
 *             1111xxxx                 immediate 0..12 (xxxx - 1), xxxx in 0001..1101
 * </pre>
 * zipmap ({@code zipmap.c}, before 2.6):
 * <pre>
 *   | zmlen:1 | len field | len value | free:1 | value | free bytes | ... | 0xFF |
 *   len = 1 byte &lt; 254, or 254 + 4 bytes LE
 * </pre>
 * Stateless and thread-safe.
 */
public final class LegacyBlobs {
    private LegacyBlobs() {}

    /** The entries of a ziplist, integers as decimal text. */
    public static List<byte[]> ziplist(byte[] zl) {
        if (zl.length < 11) throw new IllegalArgumentException("ziplist shorter than its header");
        long zlbytes = readLE(zl, 0, 4);
        if (zlbytes != zl.length) throw new IllegalArgumentException("ziplist size field " + zlbytes + " != " + zl.length);
        int declared = (int) readLE(zl, 8, 2);
        List<byte[]> out = new ArrayList<>(Math.min(declared, 1024));
        int p = 10;
        while (true) {
            check(zl, p, 1);
            if ((zl[p] & 0xFF) == 0xFF) break;
            p += (zl[p] & 0xFF) == 0xFE ? 5 : 1; // prevlen
            check(zl, p, 1);
            int e = zl[p] & 0xFF;
            switch (e >>> 6) {
                case 0 -> {
                    int len = e & 0x3F;
                    out.add(slice(zl, p + 1, len));
                    p += 1 + len;
                }
                case 1 -> {
                    check(zl, p, 2);
                    int len = ((e & 0x3F) << 8) | (zl[p + 1] & 0xFF);
                    out.add(slice(zl, p + 2, len));
                    p += 2 + len;
                }
                case 2 -> {
                    if (e != 0x80) throw new IllegalArgumentException("invalid ziplist encoding " + e);
                    check(zl, p, 5);
                    long len = readBE(zl, p + 1, 4);
                    if (len > zl.length) throw new IllegalArgumentException("ziplist entry too long");
                    out.add(slice(zl, p + 5, (int) len));
                    p += 5 + (int) len;
                }
                default -> {
                    int n;
                    switch (e) {
                        case 0xC0 -> n = 2;
                        case 0xD0 -> n = 4;
                        case 0xE0 -> n = 8;
                        case 0xF0 -> n = 3;
                        case 0xFE -> n = 1;
                        default -> {
                            if (e >= 0xF1 && e <= 0xFD) {
                                out.add(digits((e & 0x0F) - 1));
                                p += 1;
                                continue;
                            }
                            throw new IllegalArgumentException("invalid ziplist encoding " + e);
                        }
                    }
                    check(zl, p + 1, n);
                    long v = readLE(zl, p + 1, n);
                    int shift = 64 - 8 * n;
                    out.add(digits((v << shift) >> shift));
                    p += 1 + n;
                }
            }
        }
        if (p != zl.length - 1) throw new IllegalArgumentException("ziplist end marker before its end");
        if (declared != 0xFFFF && declared != out.size()) throw new IllegalArgumentException("ziplist count " + declared + " != " + out.size());
        return out;
    }

    /** The field, value, field, value ... of a zipmap. */
    public static List<byte[]> zipmap(byte[] zm) {
        List<byte[]> out = new ArrayList<>();
        int p = 1;
        while (true) {
            check(zm, p, 1);
            int b = zm[p] & 0xFF;
            if (b == 0xFF) break;
            int[] fl = zipmapLen(zm, p);
            p = fl[1];
            out.add(slice(zm, p, fl[0]));
            p += fl[0];
            int[] vl = zipmapLen(zm, p);
            p = vl[1];
            check(zm, p, 1);
            int free = zm[p] & 0xFF;
            p++;
            out.add(slice(zm, p, vl[0]));
            p += vl[0] + free;
        }
        if (p != zm.length - 1) throw new IllegalArgumentException("zipmap end marker before its end");
        return out;
    }

    /** {length, offset after the length}. */
    private static int[] zipmapLen(byte[] zm, int p) {
        check(zm, p, 1);
        int b = zm[p] & 0xFF;
        if (b < 254) return new int[] {b, p + 1};
        if (b == 254) {
            check(zm, p + 1, 4);
            long len = readLE(zm, p + 1, 4);
            if (len > zm.length) throw new IllegalArgumentException("zipmap entry too long");
            return new int[] {(int) len, p + 5};
        }
        throw new IllegalArgumentException("zipmap entry where a length was expected");
    }

    private static void check(byte[] b, int p, int n) {
        if (p < 0 || n < 0 || p + (long) n > b.length) throw new IllegalArgumentException("entry runs past the end of the blob");
    }

    private static byte[] slice(byte[] b, int p, int n) {
        check(b, p, n);
        return java.util.Arrays.copyOfRange(b, p, p + n);
    }

    private static long readLE(byte[] b, int p, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[p + i] & 0xFF);
        return v;
    }

    private static long readBE(byte[] b, int p, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 8) | (b[p + i] & 0xFF);
        return v;
    }

    private static byte[] digits(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }
}
