package io.tandem.storage.collection;

import java.util.ArrayList;
import java.util.List;

/**
 * Redis's listpack format ({@code listpack.c}, Redis 7.0), byte for byte: the off-heap encoding
 * of small collections. Using the real format (rather than a private one) means the RDB writer
 * (#4) can emit a small hash as {@code RDB_TYPE_HASH_LISTPACK} and a small list as a one-node
 * {@code RDB_TYPE_LIST_QUICKLIST_2} by copying the payload, and the loader can keep a listpack
 * it reads without re-encoding; it is also as compact as Redis (ints take 1-9 bytes).
 *
 * <pre>
 *   +-------------+-------------+---------+---------+-----+------+
 *   | total:4 LE  | count:2 LE  | entry 0 | entry 1 | ... | 0xFF |
 *   +-------------+-------------+---------+---------+-----+------+
 *   count is 65535 when the number of entries does not fit (then it is counted by a walk).
 *
 *   entry = encoding+data | backlen (1-5 bytes: the size of encoding+data, 7 bits per byte,
 *                                    readable from its last byte backwards)
 *   encodings (first byte):
 *     0xxxxxxx                         7-bit unsigned int 0..127
 *     10xxxxxx + data                  string of length < 64
 *     110xxxxx yyyyyyyy                13-bit signed int (-4096..4095)
 *     1110xxxx yyyyyyyy + data         string of length < 4096 (12-bit length, big end first)
 *     0xF0 len:4 LE + data             string of any length
 *     0xF1 / 0xF2 / 0xF3 / 0xF4        16 / 24 / 32 / 64-bit signed int, little-endian
 *     0xFF                             end of listpack
 * </pre>
 *
 * An element that is the canonical decimal text of a 64-bit integer ({@code lpStringToInt64})
 * is stored as an integer and read back as that same text, so the encoding is lossless.
 *
 * <p>Elements are read and written as {@code byte[]}; small collections are decoded and
 * re-encoded whole (O(n), n bounded by the listpack thresholds). Stateless and thread-safe.
 */
public final class Listpack {
    private Listpack() {}

    public static final int HEADER_SIZE = 6;
    public static final int EOF = 0xFF;
    /** The count field value meaning "unknown, walk to count". */
    static final int COUNT_UNKNOWN = 65535;

    /** An empty listpack (7 bytes). */
    public static byte[] empty() {
        return encode(List.of());
    }

    // ------------------------------------------------------------------ sizes

    /** Bytes of encoding+data for element {@code e} (without backlen). */
    static int encodedSize(byte[] e) {
        if (isInt(e)) {
            long v = parseInt(e);
            if (v >= 0 && v <= 127) return 1;
            if (v >= -4096 && v <= 4095) return 2;
            if (v >= -32768 && v <= 32767) return 3;
            if (v >= -8388608 && v <= 8388607) return 4;
            if (v >= -2147483648L && v <= 2147483647L) return 5;
            return 9;
        }
        int n = e.length;
        if (n < 64) return 1 + n;
        if (n < 4096) return 2 + n;
        return 5 + n;
    }

    static int backlenSize(int l) {
        if (l <= 127) return 1;
        if (l < 16383) return 2;
        if (l < 2097151) return 3;
        if (l < 268435455) return 4;
        return 5;
    }

    /** Bytes element {@code e} takes in a listpack, backlen included. */
    public static int entrySize(byte[] e) {
        int l = encodedSize(e);
        return l + backlenSize(l);
    }

    /** Total bytes of a listpack holding these elements. */
    public static long bytesFor(List<byte[]> elements) {
        long n = HEADER_SIZE + 1;
        for (byte[] e : elements) n += entrySize(e);
        return n;
    }

    // ------------------------------------------------------------------ integers

    /** {@code lpStringToInt64}: true if {@code s} is the canonical decimal form of a long. */
    static boolean isInt(byte[] s) {
        int n = s.length;
        if (n == 0 || n > 20) return false;
        if (n == 1 && s[0] == '0') return true;
        int i = 0;
        boolean neg = false;
        if (s[0] == '-') {
            neg = true;
            i = 1;
            if (n == 1) return false;
        }
        if (s[i] < '1' || s[i] > '9') return false;
        long v = 0;
        for (; i < n; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) return false;
            // accumulate as a negative number to reach Long.MIN_VALUE
            if (v < (Long.MIN_VALUE + d) / 10) return false;
            v = v * 10 - d;
        }
        return neg || v != Long.MIN_VALUE;
    }

    private static long parseInt(byte[] s) {
        boolean neg = s[0] == '-';
        long v = 0;
        for (int i = neg ? 1 : 0; i < s.length; i++) v = v * 10 - (s[i] - '0');
        return neg ? v : -v;
    }

    // ------------------------------------------------------------------ encode

    public static byte[] encode(List<byte[]> elements) {
        long total = bytesFor(elements);
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("listpack too large: " + total);
        byte[] out = new byte[(int) total];
        int p = HEADER_SIZE;
        for (byte[] e : elements) p = writeEntry(out, p, e);
        out[p] = (byte) EOF;
        writeHeader(out, elements.size());
        return out;
    }

    private static void writeHeader(byte[] out, int count) {
        int total = out.length;
        out[0] = (byte) total;
        out[1] = (byte) (total >>> 8);
        out[2] = (byte) (total >>> 16);
        out[3] = (byte) (total >>> 24);
        int c = Math.min(count, COUNT_UNKNOWN);
        out[4] = (byte) c;
        out[5] = (byte) (c >>> 8);
    }

    private static int writeEntry(byte[] out, int p, byte[] e) {
        int start = p;
        if (isInt(e)) {
            long v = parseInt(e);
            if (v >= 0 && v <= 127) {
                out[p++] = (byte) v;
            } else if (v >= -4096 && v <= 4095) {
                long u = v < 0 ? (1L << 13) + v : v;
                out[p++] = (byte) ((u >>> 8) | 0xC0);
                out[p++] = (byte) u;
            } else {
                int bytes;
                int tag;
                if (v >= -32768 && v <= 32767) { bytes = 2; tag = 0xF1; }
                else if (v >= -8388608 && v <= 8388607) { bytes = 3; tag = 0xF2; }
                else if (v >= -2147483648L && v <= 2147483647L) { bytes = 4; tag = 0xF3; }
                else { bytes = 8; tag = 0xF4; }
                out[p++] = (byte) tag;
                for (int i = 0; i < bytes; i++) out[p++] = (byte) (v >>> (8 * i));
            }
        } else {
            int n = e.length;
            if (n < 64) {
                out[p++] = (byte) (0x80 | n);
            } else if (n < 4096) {
                out[p++] = (byte) (0xE0 | (n >>> 8));
                out[p++] = (byte) n;
            } else {
                out[p++] = (byte) 0xF0;
                out[p++] = (byte) n;
                out[p++] = (byte) (n >>> 8);
                out[p++] = (byte) (n >>> 16);
                out[p++] = (byte) (n >>> 24);
            }
            System.arraycopy(e, 0, out, p, n);
            p += n;
        }
        int l = p - start;
        // lpEncodeBacklen: most significant 7-bit group first; every byte but the first has bit 7 set
        int b = backlenSize(l);
        for (int i = b - 1; i >= 0; i--) {
            int group = (l >>> (7 * i)) & 127;
            out[p++] = (byte) (i == b - 1 ? group : group | 128);
        }
        return p;
    }

    // ------------------------------------------------------------------ decode

    /** Number of elements (O(1) unless there are 65535 or more). */
    public static int count(byte[] lp) {
        int c = (lp[4] & 0xFF) | (lp[5] & 0xFF) << 8;
        if (c != COUNT_UNKNOWN) return c;
        int n = 0;
        for (int p = HEADER_SIZE; (lp[p] & 0xFF) != EOF; p = next(lp, p)) n++;
        return n;
    }

    /** Offset of the entry after the one at {@code p}. */
    static int next(byte[] lp, int p) {
        int l = entryLength(lp, p);
        return p + l + backlenSize(l);
    }

    /** Size of encoding+data of the entry at p. */
    private static int entryLength(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if ((b & 0x80) == 0) return 1;
        if ((b & 0xC0) == 0x80) return 1 + (b & 0x3F);
        if ((b & 0xE0) == 0xC0) return 2;
        if ((b & 0xF0) == 0xE0) return 2 + (((b & 0x0F) << 8) | (lp[p + 1] & 0xFF));
        return switch (b) {
            case 0xF0 -> 5 + readInt(lp, p + 1);
            case 0xF1 -> 3;
            case 0xF2 -> 4;
            case 0xF3 -> 5;
            case 0xF4 -> 9;
            default -> throw new IllegalArgumentException("bad listpack encoding byte " + Integer.toHexString(b) + " at " + p);
        };
    }

    private static int readInt(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    /** The element at offset p as bytes (an integer entry as its decimal text). */
    static byte[] element(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if ((b & 0x80) == 0) return digits(b);
        if ((b & 0xC0) == 0x80) return slice(lp, p + 1, b & 0x3F);
        if ((b & 0xE0) == 0xC0) {
            long u = ((b & 0x1F) << 8) | (lp[p + 1] & 0xFF);
            return digits(u >= 1 << 12 ? u - (1 << 13) : u);
        }
        if ((b & 0xF0) == 0xE0) return slice(lp, p + 2, ((b & 0x0F) << 8) | (lp[p + 1] & 0xFF));
        return switch (b) {
            case 0xF0 -> slice(lp, p + 5, readInt(lp, p + 1));
            case 0xF1 -> digits(signed(lp, p + 1, 2));
            case 0xF2 -> digits(signed(lp, p + 1, 3));
            case 0xF3 -> digits(signed(lp, p + 1, 4));
            case 0xF4 -> digits(signed(lp, p + 1, 8));
            default -> throw new IllegalArgumentException("bad listpack encoding byte " + Integer.toHexString(b) + " at " + p);
        };
    }

    private static long signed(byte[] b, int p, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | (b[p + i] & 0xFF);
        int shift = 64 - 8 * bytes;
        return (v << shift) >> shift;
    }

    private static byte[] slice(byte[] b, int p, int n) {
        byte[] out = new byte[n];
        System.arraycopy(b, p, out, 0, n);
        return out;
    }

    private static byte[] digits(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * Checks untrusted bytes (an RDB or DUMP payload) before they are used as a listpack: the
     * header's total size, every entry's encoding, length and backlen within bounds, the end
     * marker exactly at the end, and the header's count. Returns the number of elements.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static int validate(byte[] lp) {
        int n = lp.length;
        if (n < HEADER_SIZE + 1) throw new IllegalArgumentException("listpack shorter than its header");
        if (readInt(lp, 0) != n) throw new IllegalArgumentException("listpack size field " + readInt(lp, 0) + " != " + n);
        if ((lp[n - 1] & 0xFF) != EOF) throw new IllegalArgumentException("listpack does not end with 0xFF");
        int count = 0;
        int p = HEADER_SIZE;
        while ((lp[p] & 0xFF) != EOF) {
            int b = lp[p] & 0xFF;
            if (b >= 0xF5) throw new IllegalArgumentException("bad listpack encoding byte " + Integer.toHexString(b) + " at " + p);
            // the multi-byte headers must fit before their length is read
            int header = (b & 0xE0) == 0xC0 || (b & 0xF0) == 0xE0 ? 2 : b == 0xF0 ? 5 : 1;
            if (p + header > n - 1) throw new IllegalArgumentException("listpack entry at " + p + " runs past the end");
            long l = b == 0xF0 ? 5 + (readInt(lp, p + 1) & 0xFFFFFFFFL) : entryLength(lp, p);
            long end = p + l + backlenSize((int) Math.min(l, Integer.MAX_VALUE));
            if (end > n - 1) throw new IllegalArgumentException("listpack entry at " + p + " runs past the end");
            int bl = backlenSize((int) l);
            long back = 0;
            for (int i = 0; i < bl; i++) back = (back << 7) | (lp[p + (int) l + i] & 127);
            if (back != l) throw new IllegalArgumentException("listpack entry at " + p + " has a wrong backlen");
            p = (int) end;
            count++;
        }
        if (p != n - 1) throw new IllegalArgumentException("listpack end marker at " + p + " before its end");
        int declared = (lp[4] & 0xFF) | (lp[5] & 0xFF) << 8;
        if (declared != COUNT_UNKNOWN && declared != count) throw new IllegalArgumentException("listpack count " + declared + " != " + count);
        return count;
    }

    /** All elements, in order. */
    public static ArrayList<byte[]> decode(byte[] lp) {
        ArrayList<byte[]> out = new ArrayList<>(Math.min(count(lp), 1024));
        for (int p = HEADER_SIZE; (lp[p] & 0xFF) != EOF; p = next(lp, p)) out.add(element(lp, p));
        return out;
    }
}
