package io.tandem.replication.backlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The disk backlog's meta record: one value under key {@code "meta"} in the store's {@code meta}
 * database, rewritten in the same LMDB transaction as every change to the chunks, so what it
 * says and the chunks present always agree. Big-endian:
 *
 * <pre>
 *  offset  size
 *     0      8   magic "TANDEMBL" (a store written by something else fails here)
 *     8      2   format version (1)
 *    10      2   flags: bit 0 = the process that wrote it closed the store (clean shutdown)
 *    12      8   first: offset of the oldest byte held  (last + 1 when empty)
 *    20      8   last:  offset of the last byte held    (master_repl_offset as of this commit)
 *    28      8   second_replid_offset (-1 when there is no replid2)
 *    36    1+n   replid   (n bytes of UTF-8, n &lt;= 255; "" = not set)
 *     .    1+n   replid2
 *     .    2+n   run flags of the process that wrote it (n &lt;= 4096)
 *     .      4   CRC32C of every byte before it
 * </pre>
 *
 * Immutable; thread-safe.
 */
record BacklogMeta(long first, long last, boolean clean, String replid, String replid2, long secondOffset, String runFlags) {
    static final byte[] MAGIC = "TANDEMBL".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int FLAG_CLEAN = 1;
    static final int MAX_ID = 255;
    static final int MAX_FLAGS = 4096;
    /** Bytes before the strings. */
    static final int FIXED = 36;

    BacklogMeta {
        if (first < 0 || last < first - 1) throw new IllegalArgumentException("first " + first + " / last " + last);
        if (utf8(replid).length > MAX_ID || utf8(replid2).length > MAX_ID) throw new IllegalArgumentException("replication id longer than " + MAX_ID + " bytes");
        if (utf8(runFlags).length > MAX_FLAGS) throw new IllegalArgumentException("run flags longer than " + MAX_FLAGS + " bytes");
    }

    /** A new store: nothing held, the next byte is offset 1, no identity. */
    static BacklogMeta fresh() {
        return new BacklogMeta(1, 0, false, "", "", -1, "");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    int encodedSize() {
        return FIXED + 1 + utf8(replid).length + 1 + utf8(replid2).length + 2 + utf8(runFlags).length + 4;
    }

    /** Writes the record at {@code out}'s position (exactly {@link #encodedSize} bytes). */
    void encode(ByteBuffer out) {
        int start = out.position();
        out.put(MAGIC).putShort((short) VERSION).putShort((short) (clean ? FLAG_CLEAN : 0));
        out.putLong(first).putLong(last).putLong(secondOffset);
        byte[] a = utf8(replid), b = utf8(replid2), f = utf8(runFlags);
        out.put((byte) a.length).put(a).put((byte) b.length).put(b).putShort((short) f.length).put(f);
        CRC32C crc = new CRC32C();
        crc.update(out.duplicate().position(start).limit(out.position()));
        out.putInt((int) crc.getValue());
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(encodedSize());
        encode(b);
        return b.array();
    }

    /**
     * Decodes the record in {@code in} (position to limit; indexes unchanged).
     *
     * @throws IllegalArgumentException naming what is wrong: too short, foreign magic, unknown
     *     version, lengths past the end, CRC mismatch, or offsets that contradict each other
     */
    static BacklogMeta decode(ByteBuffer in) {
        ByteBuffer b = in.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        int n = b.remaining();
        if (n < FIXED + 1 + 1 + 2 + 4) throw new IllegalArgumentException("meta record is " + n + " bytes, too short");
        int base = b.position();
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) throw new IllegalArgumentException("meta record does not start with " + new String(MAGIC, StandardCharsets.US_ASCII) + ": not a Tandem backlog store");
        int version = b.getShort() & 0xffff;
        if (version != VERSION) throw new IllegalArgumentException("meta record has format version " + version + ", this build reads " + VERSION);
        int flags = b.getShort() & 0xffff;
        long first = b.getLong(), last = b.getLong(), second = b.getLong();
        String replid = string(b, b.get() & 0xff, n, base);
        String replid2 = string(b, b.get() & 0xff, n, base);
        if (b.remaining() < 2) throw new IllegalArgumentException("meta record truncated in its run flags");
        String runFlags = string(b, b.getShort() & 0xffff, n, base);
        if (b.remaining() != 4) throw new IllegalArgumentException("meta record has " + (b.remaining() - 4) + " unexpected trailing bytes");
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(base).limit(b.position()));
        int stored = b.getInt();
        if (stored != (int) crc.getValue()) throw new IllegalArgumentException(String.format("meta record CRC32C mismatch (stored %08x, computed %08x)", stored, (int) crc.getValue()));
        if (first < 0 || last < first - 1) throw new IllegalArgumentException("meta record holds first byte offset " + first + " and last " + last);
        return new BacklogMeta(first, last, (flags & FLAG_CLEAN) != 0, replid, replid2, second, runFlags);
    }

    private static String string(ByteBuffer b, int len, int total, int base) {
        if (b.remaining() < len + 4) throw new IllegalArgumentException("meta record truncated: a " + len + "-byte string at byte " + (b.position() - base) + " of " + total);
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    BacklogMeta withClean(boolean c) {
        return new BacklogMeta(first, last, c, replid, replid2, secondOffset, runFlags);
    }
}
