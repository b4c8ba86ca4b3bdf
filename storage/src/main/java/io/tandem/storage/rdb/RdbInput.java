package io.tandem.storage.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A buffered, forward-only byte source for the RDB readers: counts the offset of every byte,
 * keeps the running CRC64 of what was consumed (for the file trailer), and knows which key is
 * being read so every {@link RdbFormatException} names the offset and the key. Constant memory
 * (one 64 KiB buffer) whatever the file size; a value's own bytes are allocated at their size,
 * in steps, so a corrupt huge length fails at the end of the input rather than with an
 * OutOfMemoryError. Not thread-safe.
 */
public final class RdbInput {
    private static final int BUFFER = 1 << 16;
    /** Longest string a value may hold (Redis's proto-max-bulk-len limit for a single value). */
    static final long MAX_STRING = Integer.MAX_VALUE - 64;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    /** File offset of buf[0]. */
    private long base;
    private long crc;
    /** buf[crcFrom, pos) is consumed but not yet in {@link #crc}. */
    private int crcFrom;
    /** The key being read, made printable only when an error names it (this is set for every key). */
    private byte[] key;

    public RdbInput(InputStream in) {
        this.in = in;
        this.buf = new byte[BUFFER];
    }

    /** Over a byte array (a DUMP payload): no copy of the array is made. */
    public RdbInput(byte[] data, int off, int len) {
        this.in = null;
        this.buf = data;
        this.pos = off;
        this.crcFrom = off;
        this.limit = off + len;
        this.base = -off;
    }

    /** Offset of the next byte. */
    public long offset() {
        return base + pos;
    }

    /** CRC64 of every byte consumed so far. */
    public long crc() {
        crc = Crc64.update(crc, buf, crcFrom, pos - crcFrom);
        crcFrom = pos;
        return crc;
    }

    /** Sets the key named by errors (null outside a key). */
    public void key(byte[] k) {
        key = k;
    }

    private String keyText() {
        return key == null ? null : printable(key);
    }

    public RdbFormatException error(String reason) {
        return new RdbFormatException(offset(), keyText(), reason);
    }

    public RdbFormatException error(long offset, String reason) {
        return new RdbFormatException(offset, keyText(), reason);
    }

    /** True if no byte is left (may read ahead). */
    public boolean atEnd() throws IOException {
        return pos == limit && !fill();
    }

    private boolean fill() throws IOException {
        if (in == null) return false;
        crc();
        base += limit;
        pos = 0;
        crcFrom = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) return false;
        limit = n;
        return true;
    }

    public int readByte() throws IOException, RdbFormatException {
        if (pos == limit && !fill()) throw error("unexpected end of file");
        return buf[pos++] & 0xFF;
    }

    public void readFully(byte[] out, int off, int len) throws IOException, RdbFormatException {
        while (len > 0) {
            if (pos == limit && !fill()) throw error("unexpected end of file");
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, out, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /**
     * {@code len} bytes as a new array; allocated in steps of at most 1 MiB beyond what is
     * buffered, so a bogus length on a short input fails with "unexpected end of file".
     */
    public byte[] readBytes(long len) throws IOException, RdbFormatException {
        if (len < 0 || len > MAX_STRING) throw error("invalid string length " + len);
        int n = (int) len;
        if (in == null && n > limit - pos) throw error("unexpected end of file (string of " + n + " bytes)");
        if (n <= (1 << 20)) {
            byte[] out = new byte[n];
            readFully(out, 0, n);
            return out;
        }
        byte[] out = new byte[1 << 20];
        int have = 0;
        while (have < n) {
            if (have == out.length) out = java.util.Arrays.copyOf(out, (int) Math.min(n, (long) out.length * 2));
            int step = Math.min(n - have, out.length - have);
            readFully(out, have, step);
            have += step;
        }
        return out;
    }

    public long readLongLE(int bytes) throws IOException, RdbFormatException {
        long v = 0;
        for (int i = 0; i < bytes; i++) v |= (long) readByte() << (8 * i);
        return v;
    }

    public long readLongBE(int bytes) throws IOException, RdbFormatException {
        long v = 0;
        for (int i = 0; i < bytes; i++) v = (v << 8) | readByte();
        return v;
    }

    /** Bytes as text for messages: printable ASCII kept, others as \xNN; cut at 64 chars. */
    static String printable(byte[] k) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < k.length && sb.length() < 64; i++) {
            int c = k[i] & 0xFF;
            if (c >= 32 && c < 127 && c != '\\' && c != '\'') sb.append((char) c);
            else sb.append(String.format("\\x%02x", c));
        }
        if (sb.length() >= 64 && k.length > 64) sb.append("...");
        return sb.toString();
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
