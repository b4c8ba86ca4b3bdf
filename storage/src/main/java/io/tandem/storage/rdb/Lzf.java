package io.tandem.storage.rdb;

import com.ning.compress.lzf.ChunkDecoder;
import com.ning.compress.lzf.LZFException;
import com.ning.compress.lzf.impl.VanillaChunkDecoder;
import com.ning.compress.lzf.impl.VanillaChunkEncoder;

/**
 * Raw LZF blocks as Redis stores compressed strings ({@code lzf_compress}/{@code lzf_decompress}
 * of liblzf: no header, no chunking, 13-bit back-reference offsets). Delegates to compress-lzf
 * (com.ning), whose chunk encoder and decoder work on exactly this raw format: its "LZF chunk"
 * wraps such a block in a 5-7 byte header, which we neither write nor expect.
 *
 * <p>The pure-Java ("vanilla") codec is used, not the Unsafe one, so malformed input raises an
 * exception instead of reading out of bounds. Thread-safe (an encoder per thread).
 */
public final class Lzf {
    private Lzf() {}

    private static final ChunkDecoder DECODER = new VanillaChunkDecoder();

    /**
     * One encoder per thread: its hash table (64K entries) is reused. Stale entries from earlier
     * inputs are harmless: every candidate match is verified against the current input.
     */
    private static final ThreadLocal<RawEncoder> ENCODER = ThreadLocal.withInitial(RawEncoder::new);

    /** Exposes the raw block compressor that compress-lzf keeps protected. */
    private static final class RawEncoder extends VanillaChunkEncoder {
        RawEncoder() {
            super(0xFFFF, false);
        }

        int compress(byte[] in, int off, int len, byte[] out) {
            return tryCompress(in, off, off + len, out, 0);
        }
    }

    /**
     * Compresses {@code in} as Redis's {@code rdbSaveLzfStringObject} would use it: returns the
     * compressed block, or null when it would not save at least 4 bytes (Redis then stores the
     * string raw).
     */
    public static byte[] compress(byte[] in) {
        int len = in.length;
        if (len <= 4) return null;
        // worst case of the encoder: every 32 literals take a 1-byte run header
        byte[] out = new byte[len + len / 32 + 16];
        int n = ENCODER.get().compress(in, 0, len, out);
        if (n <= 0 || n > len - 4) return null;
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Decompresses a raw block that must expand to exactly {@code rawLen} bytes.
     *
     * @throws IllegalArgumentException if the block is malformed or of another length
     */
    public static byte[] decompress(byte[] block, int rawLen) {
        byte[] out = new byte[rawLen];
        if (rawLen == 0) {
            if (block.length != 0) throw new IllegalArgumentException("LZF block for an empty string is not empty");
            return out;
        }
        try {
            DECODER.decodeChunk(block, 0, out, 0, rawLen);
        } catch (LZFException | RuntimeException e) {
            throw new IllegalArgumentException("invalid LZF data: " + e.getMessage(), e);
        }
        return out;
    }
}
