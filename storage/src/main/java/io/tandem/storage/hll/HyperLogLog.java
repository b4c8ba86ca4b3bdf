package io.tandem.storage.hll;

import java.util.Arrays;

/**
 * Redis 7.0's HyperLogLog (hyperloglog.c), byte for byte: a value PFADDed here reads back with
 * GET exactly as Redis would write it, and a value GET from Redis counts and merges here.
 *
 * <h2>Layout (a plain string value)</h2>
 * <pre>
 * +------+-----+--------+----------------------+------------------------------+
 * | HYLL | enc | 0 0 0  | card: 8 bytes LE     | registers                    |
 * +------+-----+--------+----------------------+------------------------------+
 *   0..3    4    5..7     8..15                  16..
 * </pre>
 * <ul>
 *   <li>{@code enc}: {@link #DENSE} 0 or {@link #SPARSE} 1 (2+ is not a HyperLogLog).</li>
 *   <li>{@code card}: the cached cardinality, valid while bit 7 of byte 15 is clear. A change
 *       only sets that bit ({@link #invalidateCache}); the stale lower bytes stay, as in Redis.</li>
 *   <li>Dense: 16384 registers of 6 bits, little-endian bit order, 12288 bytes (total
 *       {@link #DENSE_SIZE} = 12304). Register i occupies bits {@code 6i .. 6i+5}.</li>
 *   <li>Sparse: run-length opcodes covering all 16384 registers:
 *       {@code 00xxxxxx} ZERO (xxxxxx+1 zero registers, 1..64),
 *       {@code 01xxxxxx yyyyyyyy} XZERO (14-bit length + 1, 1..16384),
 *       {@code 1vvvvvxx} VAL (xx+1 registers, 1..4, set to vvvvv+1, 1..32). A new HLL is one
 *       XZERO of 16384 ({@code 7f ff}), 18 bytes in all. A sparse
 *       value turns dense when a register needs a value above 32 or when it would grow past
 *       hll-sparse-max-bytes.</li>
 * </ul>
 * Elements hash with MurmurHash64A (seed {@code 0xadc83b19}); the low 14 bits pick the register,
 * the run of zeros after them (plus one) is the count. Cardinality is Ertl's improved estimator
 * (Redis's hllCount), on a register histogram.
 *
 * <p>An instance is a mutable copy of one value ({@link #toBytes} gives the string back). Not
 * thread-safe.
 */
public final class HyperLogLog {
    public static final int P = 14;
    public static final int Q = 64 - P;
    public static final int REGISTERS = 1 << P;
    public static final int P_MASK = REGISTERS - 1;
    public static final int BITS = 6;
    public static final int REGISTER_MAX = (1 << BITS) - 1;
    public static final int HDR_SIZE = 16;
    public static final int DENSE_SIZE = HDR_SIZE + (REGISTERS * BITS + 7) / 8;
    public static final int DENSE = 0;
    public static final int SPARSE = 1;
    static final int MAX_ENCODING = 1;

    static final int SPARSE_VAL_MAX_VALUE = 32;
    static final int SPARSE_VAL_MAX_LEN = 4;
    static final int SPARSE_ZERO_MAX_LEN = 64;
    static final int SPARSE_XZERO_MAX_LEN = 16384;
    static final double ALPHA_INF = 0.721347520444481703680; // 0.5/ln(2)
    static final long SEED = 0xadc83b19L;

    /** Outcome of an add or set: the register changed, did not, or the value is corrupt. */
    public static final int UPDATED = 1;
    public static final int UNCHANGED = 0;
    public static final int CORRUPT = -1;

    /** The bytes; {@code b.length >= len + 1} always (Redis's sds NUL keeps dense access in range). */
    private byte[] b;
    private int len;

    private HyperLogLog(byte[] b, int len) {
        this.b = b;
        this.len = len;
    }

    // ------------------------------------------------------------------ creating, validating

    /** An empty HLL as PFADD creates it: sparse, one XZERO opcode, cached cardinality 0. */
    public static HyperLogLog create() {
        int sparseLen = HDR_SIZE + ((REGISTERS + (SPARSE_XZERO_MAX_LEN - 1)) / SPARSE_XZERO_MAX_LEN) * 2;
        byte[] b = new byte[sparseLen + 1];
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[4] = SPARSE;
        int p = HDR_SIZE;
        int aux = REGISTERS;
        while (aux > 0) {
            int xzero = Math.min(SPARSE_XZERO_MAX_LEN, aux);
            xzeroSet(b, p, xzero);
            p += 2;
            aux -= xzero;
        }
        return new HyperLogLog(b, sparseLen);
    }

    /** A mutable copy of a string value already checked by {@link #isValid}. */
    public static HyperLogLog of(byte[] value) {
        return new HyperLogLog(Arrays.copyOf(value, value.length + 1), value.length);
    }

    /**
     * Redis's isHLLObjectOrReply for a string value: at least a header, the magic "HYLL", a known
     * encoding, and exactly {@link #DENSE_SIZE} bytes if dense. (The registers are checked only
     * when read: a bad sparse run is {@link #CORRUPT}.)
     */
    public static boolean isValid(byte[] v) {
        if (v.length < HDR_SIZE) return false;
        if (v[0] != 'H' || v[1] != 'Y' || v[2] != 'L' || v[3] != 'L') return false;
        int enc = v[4] & 0xff;
        if (enc > MAX_ENCODING) return false;
        return enc != DENSE || v.length == DENSE_SIZE;
    }

    public byte[] toBytes() {
        return Arrays.copyOf(b, len);
    }

    public int encoding() {
        return b[4] & 0xff;
    }

    public int length() {
        return len;
    }

    // ------------------------------------------------------------------ the cached cardinality

    public boolean cacheValid() {
        return (b[15] & 0x80) == 0;
    }

    public void invalidateCache() {
        b[15] |= (byte) 0x80;
    }

    public long cachedCardinality() {
        long card = 0;
        for (int i = 7; i >= 0; i--) card = card << 8 | (b[8 + i] & 0xffL);
        return card;
    }

    public void setCachedCardinality(long card) {
        for (int i = 0; i < 8; i++) b[8 + i] = (byte) (card >>> (8 * i));
    }

    // ------------------------------------------------------------------ hashing

    /** MurmurHash64A as Redis compiles it on little-endian machines. */
    public static long murmurHash64A(byte[] key, int seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        int len = key.length;
        long h = (seed & 0xffffffffL) ^ (len * m);
        int end = len - (len & 7);
        for (int i = 0; i < end; i += 8) {
            long k = (key[i] & 0xffL) | (key[i + 1] & 0xffL) << 8 | (key[i + 2] & 0xffL) << 16 | (key[i + 3] & 0xffL) << 24
                    | (key[i + 4] & 0xffL) << 32 | (key[i + 5] & 0xffL) << 40 | (key[i + 6] & 0xffL) << 48
                    | (key[i + 7] & 0xffL) << 56;
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        switch (len & 7) {
            case 7: h ^= (key[end + 6] & 0xffL) << 48; // fall through
            case 6: h ^= (key[end + 5] & 0xffL) << 40; // fall through
            case 5: h ^= (key[end + 4] & 0xffL) << 32; // fall through
            case 4: h ^= (key[end + 3] & 0xffL) << 24; // fall through
            case 3: h ^= (key[end + 2] & 0xffL) << 16; // fall through
            case 2: h ^= (key[end + 1] & 0xffL) << 8; // fall through
            case 1:
                h ^= key[end] & 0xffL;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

    /** hllPatLen: {register index, count} for an element; count is 1..Q+1. */
    static long patLen(byte[] ele) {
        long hash = murmurHash64A(ele, (int) SEED);
        long index = hash & P_MASK;
        hash >>>= P;
        hash |= 1L << Q;
        int count = Long.numberOfTrailingZeros(hash) + 1;
        return index << 8 | count;
    }

    // ------------------------------------------------------------------ dense registers

    static int denseGet(byte[] b, int off, int regnum) {
        int bit = regnum * BITS;
        int byt = off + (bit >>> 3);
        int fb = bit & 7;
        int b0 = b[byt] & 0xff;
        int b1 = b[byt + 1] & 0xff;
        return ((b0 >>> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
    }

    static void denseSet(byte[] b, int off, int regnum, int val) {
        int bit = regnum * BITS;
        int byt = off + (bit >>> 3);
        int fb = bit & 7;
        int fb8 = 8 - fb;
        b[byt] &= (byte) ~(REGISTER_MAX << fb);
        b[byt] |= (byte) (val << fb);
        b[byt + 1] &= (byte) ~(REGISTER_MAX >>> fb8);
        b[byt + 1] |= (byte) (val >>> fb8);
    }

    /** The value of register i (either encoding); -1 if the sparse form does not cover it. */
    public int register(int i) {
        if (encoding() == DENSE) return denseGet(b, HDR_SIZE, i);
        int idx = 0;
        for (int p = HDR_SIZE; p < len; ) {
            int op = b[p] & 0xff;
            int run;
            int val = 0;
            if ((op & 0xc0) == 0) {
                run = (op & 0x3f) + 1;
                p++;
            } else if ((op & 0xc0) == 0x40) {
                run = ((op & 0x3f) << 8 | (b[p + 1] & 0xff)) + 1;
                p += 2;
            } else {
                run = (op & 3) + 1;
                val = ((op >>> 2) & 0x1f) + 1;
                p++;
            }
            if (i < idx + run) return val;
            idx += run;
        }
        return -1;
    }

    /** PFDEBUG DECODE: the sparse opcodes as "z:len", "Z:len", "v:value,len", space separated. */
    public String decodeSparse() {
        StringBuilder sb = new StringBuilder();
        for (int p = HDR_SIZE; p < len; ) {
            int op = b[p] & 0xff;
            if (sb.length() > 0) sb.append(' ');
            if (isZero(op)) {
                sb.append("z:").append(zeroLen(op));
                p++;
            } else if (isXzero(op)) {
                sb.append("Z:").append(xzeroLen(b, p));
                p += 2;
            } else {
                sb.append("v:").append(valValue(op)).append(',').append(valLen(op));
                p++;
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ sparse opcodes

    private static boolean isZero(int op) {
        return (op & 0xc0) == 0;
    }

    private static boolean isXzero(int op) {
        return (op & 0xc0) == 0x40;
    }

    private static boolean isVal(int op) {
        return (op & 0x80) != 0;
    }

    private static int zeroLen(int op) {
        return (op & 0x3f) + 1;
    }

    private static int xzeroLen(byte[] b, int p) {
        return (((b[p] & 0x3f) << 8) | (b[p + 1] & 0xff)) + 1;
    }

    private static int valValue(int op) {
        return ((op >>> 2) & 0x1f) + 1;
    }

    private static int valLen(int op) {
        return (op & 3) + 1;
    }

    private static byte valOp(int val, int len) {
        return (byte) (((val - 1) << 2 | (len - 1)) | 0x80);
    }

    private static void xzeroSet(byte[] b, int p, int len) {
        int l = len - 1;
        b[p] = (byte) ((l >>> 8) | 0x40);
        b[p + 1] = (byte) (l & 0xff);
    }

    // ------------------------------------------------------------------ adding

    /**
     * hllAdd: adds an element; {@link #UPDATED} if a register grew, {@link #UNCHANGED}, or
     * {@link #CORRUPT} (the registers do not decode; the value may be partly changed, as in
     * Redis).
     */
    public int add(byte[] ele, long sparseMaxBytes) {
        long pl = patLen(ele);
        return set((int) (pl >>> 8), (int) (pl & 0xff), sparseMaxBytes);
    }

    /** Raises register index to count if lower (hllDenseSet / hllSparseSet). */
    public int set(int index, int count, long sparseMaxBytes) {
        return switch (encoding()) {
            case DENSE -> denseSetIfGreater(index, count);
            case SPARSE -> sparseSet(index, count, sparseMaxBytes);
            default -> CORRUPT;
        };
    }

    private int denseSetIfGreater(int index, int count) {
        if (count > denseGet(b, HDR_SIZE, index)) {
            denseSet(b, HDR_SIZE, index, count);
            return UPDATED;
        }
        return UNCHANGED;
    }

    private void ensureRoom(int extra) {
        if (len + extra + 1 > b.length) b = Arrays.copyOf(b, Math.max(len + extra + 1, b.length * 2));
    }

    /** hllSparseSet, step for step (including where it gives up with a corrupt value). */
    private int sparseSet(int index, int count, long sparseMaxBytes) {
        if (count > SPARSE_VAL_MAX_VALUE) return promote(index, count);
        ensureRoom(3);
        // Step 1: find the opcode covering index.
        final int sparse = HDR_SIZE;
        int p = sparse;
        int end = len;
        long first = 0;
        int prev = -1;
        long span = 0;
        while (p < end) {
            int op = b[p] & 0xff;
            int oplen = 1;
            if (isZero(op)) {
                span = zeroLen(op);
            } else if (isVal(op)) {
                span = valLen(op);
            } else {
                span = xzeroLen(b, p);
                oplen = 2;
            }
            if (index <= first + span - 1) break;
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) return CORRUPT;
        int op = b[p] & 0xff;
        int next = isXzero(op) ? p + 2 : p + 1;
        if (next >= end) next = -1;
        boolean zero = false;
        boolean xzero = false;
        boolean val = false;
        long runlen;
        if (isZero(op)) {
            zero = true;
            runlen = zeroLen(op);
        } else if (isXzero(op)) {
            xzero = true;
            runlen = xzeroLen(b, p);
        } else {
            val = true;
            runlen = valLen(op);
        }
        boolean done = false;
        // Step 2: the cases that update in place.
        if (val) {
            int old = valValue(op);
            if (old >= count) return UNCHANGED;
            if (runlen == 1) {
                b[p] = valOp(count, 1);
                done = true;
            }
        }
        if (!done && zero && runlen == 1) {
            b[p] = valOp(count, 1);
            done = true;
        }
        if (!done) {
            // General case: split the opcode into up to three (at most 5 bytes).
            byte[] seq = new byte[5];
            int n = 0;
            long last = first + span - 1;
            if (zero || xzero) {
                if (index != first) {
                    int l = (int) (index - first);
                    if (l > SPARSE_ZERO_MAX_LEN) {
                        xzeroSet(seq, n, l);
                        n += 2;
                    } else {
                        seq[n++] = (byte) (l - 1);
                    }
                }
                seq[n++] = valOp(count, 1);
                if (index != last) {
                    int l = (int) (last - index);
                    if (l > SPARSE_ZERO_MAX_LEN) {
                        xzeroSet(seq, n, l);
                        n += 2;
                    } else {
                        seq[n++] = (byte) (l - 1);
                    }
                }
            } else {
                int curval = valValue(op);
                if (index != first) seq[n++] = valOp(curval, (int) (index - first));
                seq[n++] = valOp(count, 1);
                if (index != last) seq[n++] = valOp(curval, (int) (last - index));
            }
            // Step 3: put the new sequence in place of the old opcode.
            int oldlen = xzero ? 2 : 1;
            int delta = n - oldlen;
            if (delta > 0 && (long) len + delta > sparseMaxBytes) return promote(index, count);
            if (delta != 0 && next >= 0) System.arraycopy(b, next, b, next + delta, end - next);
            len += delta;
            System.arraycopy(seq, 0, b, p, n);
            end += delta;
            b[len] = 0; // sdsIncrLen's terminator
        }
        // Step 4: merge adjacent VAL opcodes with equal values, scanning up to 5 opcodes from prev.
        p = prev >= 0 ? prev : sparse;
        int scanlen = 5;
        while (p < end && scanlen-- > 0) {
            int o = b[p] & 0xff;
            if (isXzero(o)) {
                p += 2;
                continue;
            } else if (isZero(o)) {
                p++;
                continue;
            }
            if (p + 1 < end && isVal(b[p + 1] & 0xff)) {
                int v1 = valValue(o);
                int v2 = valValue(b[p + 1] & 0xff);
                if (v1 == v2) {
                    int l = valLen(o) + valLen(b[p + 1] & 0xff);
                    if (l <= SPARSE_VAL_MAX_LEN) {
                        b[p + 1] = valOp(v1, l);
                        System.arraycopy(b, p + 1, b, p, end - p); // moves the NUL too
                        len--;
                        end--;
                        continue;
                    }
                }
            }
            p++;
        }
        invalidateCache();
        return UPDATED;
    }

    /** The promote: label of hllSparseSet: to dense, then set (which must update). */
    private int promote(int index, int count) {
        if (!toDense()) return CORRUPT;
        denseSetIfGreater(index, count);
        return UPDATED;
    }

    /**
     * hllSparseToDense: rewrites a sparse value as dense, keeping the header (cached cardinality
     * and its validity bit included). False, leaving the value as it was, if the opcodes do not
     * cover exactly 16384 registers.
     */
    public boolean toDense() {
        if (encoding() == DENSE) return true;
        byte[] d = new byte[DENSE_SIZE + 1];
        System.arraycopy(b, 0, d, 0, HDR_SIZE);
        d[4] = DENSE;
        int idx = 0;
        int p = HDR_SIZE;
        while (p < len) {
            int op = b[p] & 0xff;
            if (isZero(op)) {
                idx += zeroLen(op);
                p++;
            } else if (isXzero(op)) {
                idx += xzeroLen(b, p);
                p += 2;
            } else {
                int runlen = valLen(op);
                int regval = valValue(op);
                if (runlen + idx > REGISTERS) break;
                while (runlen-- > 0) denseSet(d, HDR_SIZE, idx++, regval);
                p++;
            }
        }
        if (idx != REGISTERS) return false;
        b = d;
        len = DENSE_SIZE;
        return true;
    }

    // ------------------------------------------------------------------ merging and counting

    /**
     * hllMerge: max[i] = max(max[i], register i) over a valid (see {@link #isValid}) value;
     * false if its sparse opcodes are corrupt (max may be partly updated, as in Redis).
     */
    public static boolean mergeInto(byte[] max, byte[] v) {
        if ((v[4] & 0xff) == DENSE) {
            for (int i = 0; i < REGISTERS; i++) {
                int val = denseGetPadded(v, i);
                if (val > (max[i] & 0xff)) max[i] = (byte) val;
            }
            return true;
        }
        int i = 0;
        int p = HDR_SIZE;
        int end = v.length;
        while (p < end) {
            int op = v[p] & 0xff;
            if (isZero(op)) {
                i += zeroLen(op);
                p++;
            } else if (isXzero(op)) {
                i += xzeroLenPadded(v, p);
                p += 2;
            } else {
                int runlen = valLen(op);
                int regval = valValue(op);
                if (runlen + i > REGISTERS) break;
                while (runlen-- > 0) {
                    if (regval > (max[i] & 0xff)) max[i] = (byte) regval;
                    i++;
                }
                p++;
            }
        }
        return i == REGISTERS;
    }

    /** denseGet on an unpadded array (the last register's second byte is Redis's NUL). */
    private static int denseGetPadded(byte[] v, int regnum) {
        int bit = regnum * BITS;
        int byt = HDR_SIZE + (bit >>> 3);
        int fb = bit & 7;
        int b0 = v[byt] & 0xff;
        int b1 = byt + 1 < v.length ? v[byt + 1] & 0xff : 0;
        return ((b0 >>> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
    }

    /** XZERO length where a truncated opcode reads Redis's NUL as its second byte. */
    private static int xzeroLenPadded(byte[] v, int p) {
        return (((v[p] & 0x3f) << 8) | (p + 1 < v.length ? v[p + 1] & 0xff : 0)) + 1;
    }

    /**
     * hllCount on this value's registers; returns -1 if the sparse opcodes do not cover exactly
     * 16384 registers (Redis's {@code invalid}).
     */
    public long count() {
        int[] histo = new int[64];
        if (encoding() == DENSE) {
            for (int j = 0; j < REGISTERS; j++) histo[denseGet(b, HDR_SIZE, j)]++;
        } else {
            int idx = 0;
            int p = HDR_SIZE;
            while (p < len) {
                int op = b[p] & 0xff;
                if (isZero(op)) {
                    int run = zeroLen(op);
                    idx += run;
                    histo[0] += run;
                    p++;
                } else if (isXzero(op)) {
                    int run = xzeroLen(b, p); // b[len] is the NUL pad, as in Redis
                    idx += run;
                    histo[0] += run;
                    p += 2;
                } else {
                    int run = valLen(op);
                    idx += run;
                    histo[valValue(op)] += run;
                    p++;
                }
            }
            if (idx != REGISTERS) return -1;
        }
        return estimate(histo);
    }

    /** hllCount of raw 8-bit registers (PFCOUNT of several keys). */
    public static long countRaw(byte[] registers) {
        int[] histo = new int[64];
        for (int j = 0; j < REGISTERS; j++) histo[registers[j] & 0x3f]++;
        return estimate(histo);
    }

    /** Otmar Ertl's estimator, as Redis's hllCount. */
    static long estimate(int[] reghisto) {
        double m = REGISTERS;
        double z = m * tau((m - reghisto[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += reghisto[j];
            z *= 0.5;
        }
        z += m * sigma(reghisto[0] / m);
        double e = ALPHA_INF * m * m / z;
        return llround(e);
    }

    /** llroundl for a non-negative double (half away from zero); +inf/NaN never occur here but map to 0. */
    static long llround(double e) {
        if (!(e >= 0) || Double.isInfinite(e)) return e == Double.POSITIVE_INFINITY ? Long.MIN_VALUE : 0;
        long r = (long) e;
        if (e - r >= 0.5) r++;
        return r;
    }

    static double sigma(double x) {
        if (x == 1.) return Double.POSITIVE_INFINITY;
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    static double tau(double x) {
        if (x == 0. || x == 1.) return 0.;
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            double d = 1 - x;
            z -= d * d * y;
        } while (zPrime != z);
        return z / 3;
    }
}
