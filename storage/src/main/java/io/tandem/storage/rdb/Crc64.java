package io.tandem.storage.rdb;

/**
 * Redis's CRC-64 ({@code crc64.c}): the Jones polynomial {@code 0xad93d23594c935a9}, reflected
 * input and output, initial value 0, no final xor. {@code crc64(0, "123456789") == 0xe9c6d914c4b8d9ca}.
 * Used for the RDB file trailer and the DUMP payload footer (both stored little-endian).
 *
 * <p>Table driven, 8 bytes per step (slicing-by-8). Stateless and thread-safe.
 */
public final class Crc64 {
    private Crc64() {}

    /** The Jones polynomial bit-reversed, for the reflected (LSB-first) algorithm. */
    static final long POLY_REFLECTED = Long.reverse(0xad93d23594c935a9L);
    private static final long[][] T = new long[8][256];

    static {
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            T[0][n] = c;
        }
        for (int n = 0; n < 256; n++) {
            long c = T[0][n];
            for (int k = 1; k < 8; k++) {
                c = T[0][(int) (c & 0xFF)] ^ (c >>> 8);
                T[k][n] = c;
            }
        }
    }

    /** Continues {@code crc} over {@code b[off, off+len)}. */
    public static long update(long crc, byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            long x = crc ^ ((b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
                    | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48 | (b[i + 7] & 0xFFL) << 56);
            crc = T[7][(int) (x & 0xFF)] ^ T[6][(int) ((x >>> 8) & 0xFF)] ^ T[5][(int) ((x >>> 16) & 0xFF)]
                    ^ T[4][(int) ((x >>> 24) & 0xFF)] ^ T[3][(int) ((x >>> 32) & 0xFF)] ^ T[2][(int) ((x >>> 40) & 0xFF)]
                    ^ T[1][(int) ((x >>> 48) & 0xFF)] ^ T[0][(int) (x >>> 56)];
            i += 8;
        }
        for (; i < end; i++) crc = T[0][(int) ((crc ^ b[i]) & 0xFF)] ^ (crc >>> 8);
        return crc;
    }

    public static long of(byte[] b) {
        return update(0, b, 0, b.length);
    }
}
