package io.tandem.storage.collection;

/**
 * Redis's intset format ({@code intset.c}, Redis 7.0), byte for byte: the off-heap encoding of a
 * small set whose members are all integers. Using the real format means the RDB writer (#4) can
 * emit such a set as {@code RDB_TYPE_SET_INTSET} (11) by copying the payload, and the loader can
 * keep an intset it reads as-is (after {@link #isValid}).
 *
 * <pre>
 *   +---------------+---------------+----------+----------+-----+
 *   | encoding:4 LE | length:4 LE   | int 0    | int 1    | ... |   ints: little-endian, signed,
 *   +---------------+---------------+----------+----------+-----+   strictly ascending, each
 *   encoding = bytes per int: 2 (INT16), 4 (INT32) or 8 (INT64)      `encoding` bytes wide
 * </pre>
 *
 * The encoding is the narrowest that holds every value ever added: adding a wider value upgrades
 * the whole array; removing it never downgrades (as Redis, so a payload equals Redis's after the
 * same commands). Members are the canonical decimal text of a long ({@link #parse}).
 *
 * <p>Arrays are values: {@link #add} and {@link #remove} return a new array (or the same one if
 * nothing changed) and never modify their argument. Stateless and thread-safe.
 */
public final class Intset {
    private Intset() {}

    public static final int HEADER_SIZE = 8;
    public static final int ENC_INT16 = 2;
    public static final int ENC_INT32 = 4;
    public static final int ENC_INT64 = 8;

    private static final byte[] EMPTY = {ENC_INT16, 0, 0, 0, 0, 0, 0, 0};

    /** An empty intset (INT16, length 0), as {@code intsetNew}. */
    public static byte[] empty() {
        return EMPTY.clone();
    }

    // ------------------------------------------------------------------ members as text

    /**
     * {@code string2ll} as {@code isSdsRepresentableAsLongLong} uses it: true if {@code s} is the
     * canonical decimal form of a long ("0", "-5", "123"; not "+1", "01", "-0", " 1", "").
     */
    public static boolean isInteger(byte[] s) {
        int n = s.length;
        if (n == 0 || n > 20) return false;
        if (n == 1 && s[0] == '0') return true;
        int i = 0;
        boolean neg = s[0] == '-';
        if (neg) {
            if (n == 1) return false;
            i = 1;
        }
        if (s[i] < '1' || s[i] > '9') return false;
        long v = 0; // accumulated negated, to reach Long.MIN_VALUE
        for (; i < n; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) return false;
            if (v < (Long.MIN_VALUE + d) / 10) return false;
            v = v * 10 - d;
        }
        return neg || v != Long.MIN_VALUE;
    }

    /** The value of a member for which {@link #isInteger} is true. */
    public static long parse(byte[] s) {
        boolean neg = s[0] == '-';
        long v = 0;
        for (int i = neg ? 1 : 0; i < s.length; i++) v = v * 10 - (s[i] - '0');
        return neg ? v : -v;
    }

    /** A value's member text (its decimal form). */
    public static byte[] text(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ reading

    public static int encoding(byte[] is) {
        return readInt(is, 0);
    }

    public static int length(byte[] is) {
        return readInt(is, 4);
    }

    /** The value at position i (0 = smallest). */
    public static long get(byte[] is, int i) {
        return read(is, encoding(is), i);
    }

    /** Binary search: the index of v, or {@code -(insertion point) - 1}. */
    public static int search(byte[] is, long v) {
        int enc = encoding(is);
        int lo = 0;
        int hi = length(is) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long x = read(is, enc, mid);
            if (x < v) lo = mid + 1;
            else if (x > v) hi = mid - 1;
            else return mid;
        }
        return -lo - 1;
    }

    public static boolean contains(byte[] is, long v) {
        return encodingFor(v) <= encoding(is) && search(is, v) >= 0;
    }

    /** The narrowest encoding holding v ({@code _intsetValueEncoding}). */
    public static int encodingFor(long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) return ENC_INT64;
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) return ENC_INT32;
        return ENC_INT16;
    }

    /**
     * {@code intsetValidateIntegrity} (deep): a known encoding, a size matching the length, and
     * strictly ascending values. For a loader that keeps payloads as they come.
     */
    public static boolean isValid(byte[] is) {
        if (is.length < HEADER_SIZE) return false;
        int enc = encoding(is);
        if (enc != ENC_INT16 && enc != ENC_INT32 && enc != ENC_INT64) return false;
        long len = length(is) & 0xFFFFFFFFL;
        if (HEADER_SIZE + len * enc != is.length) return false;
        for (int i = 1; i < len; i++) if (read(is, enc, i - 1) >= read(is, enc, i)) return false;
        return true;
    }

    // ------------------------------------------------------------------ writing

    /** Adds v; returns a new intset, or {@code is} itself if v was already a member. */
    public static byte[] add(byte[] is, long v) {
        int enc = encoding(is);
        int len = length(is);
        int venc = encodingFor(v);
        if (venc > enc) {
            // upgrade: v is below or above every member, so it goes first or last
            byte[] out = new byte[HEADER_SIZE + (len + 1) * venc];
            writeHeader(out, venc, len + 1);
            int shift = v < 0 ? 1 : 0;
            for (int i = 0; i < len; i++) write(out, venc, i + shift, read(is, enc, i));
            write(out, venc, v < 0 ? 0 : len, v);
            return out;
        }
        int at = search(is, v);
        if (at >= 0) return is;
        at = -at - 1;
        byte[] out = new byte[is.length + enc];
        System.arraycopy(is, HEADER_SIZE, out, HEADER_SIZE, at * enc);
        write(out, enc, at, v);
        System.arraycopy(is, HEADER_SIZE + at * enc, out, HEADER_SIZE + (at + 1) * enc, (len - at) * enc);
        writeHeader(out, enc, len + 1);
        return out;
    }

    /** Removes v; returns a new intset, or {@code is} itself if v was not a member. */
    public static byte[] remove(byte[] is, long v) {
        if (!contains(is, v)) return is;
        int enc = encoding(is);
        int len = length(is);
        int at = search(is, v);
        byte[] out = new byte[is.length - enc];
        System.arraycopy(is, HEADER_SIZE, out, HEADER_SIZE, at * enc);
        System.arraycopy(is, HEADER_SIZE + (at + 1) * enc, out, HEADER_SIZE + at * enc, (len - at - 1) * enc);
        writeHeader(out, enc, len - 1);
        return out;
    }

    /** Every value, ascending. */
    public static long[] toArray(byte[] is) {
        int enc = encoding(is);
        long[] out = new long[length(is)];
        for (int i = 0; i < out.length; i++) out[i] = read(is, enc, i);
        return out;
    }

    // ------------------------------------------------------------------ bytes

    private static void writeHeader(byte[] out, int enc, int len) {
        writeInt(out, 0, enc);
        writeInt(out, 4, len);
    }

    private static long read(byte[] is, int enc, int i) {
        int p = HEADER_SIZE + i * enc;
        return switch (enc) {
            case ENC_INT16 -> (short) ((is[p] & 0xFF) | (is[p + 1] & 0xFF) << 8);
            case ENC_INT32 -> readInt(is, p);
            default -> (readInt(is, p) & 0xFFFFFFFFL) | (long) readInt(is, p + 4) << 32;
        };
    }

    private static void write(byte[] out, int enc, int i, long v) {
        int p = HEADER_SIZE + i * enc;
        for (int k = 0; k < enc; k++) out[p + k] = (byte) (v >>> (8 * k));
    }

    private static int readInt(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    private static void writeInt(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
    }
}
