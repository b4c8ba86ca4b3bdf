package io.tandem.storage.rdb;

import static io.tandem.storage.rdb.Rdb.*;

import io.tandem.storage.collection.Listpack;
import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbSet;
import io.tandem.storage.rdb.RdbValue.RdbString;
import io.tandem.storage.rdb.RdbValue.RdbZSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes RDB values as Redis 7.0 does ({@code rdbSaveObjectType} + {@code rdbSaveObject}), so
 * a Redis 7.0 reads them: only types of RDB version 10 are produced.
 * <pre>
 *   RdbString               STRING (0): integer-encoded when the text is a canonical 32-bit integer
 *                           of at most 11 chars, else LZF when compression is on, len &gt; 20 and it
 *                           saves 4+ bytes, else raw
 *   RdbList                 LIST_QUICKLIST_2 (18): packed listpack nodes of at most 8 KiB (a
 *                           listpack on the fast path is one node, copied as is)
 *   RdbSet                  SET_INTSET (11) from intset bytes, else SET (2)
 *   RdbZSet                 ZSET_LISTPACK (17) from listpack bytes, else ZSET_2 (5)
 *   RdbHash                 HASH_LISTPACK (16) from listpack bytes, else HASH (4)
 * </pre>
 * Output goes through a small buffer to an {@link RdbSink}; the CRC64 of everything written is
 * kept ({@link #crc()}). Not thread-safe.
 */
public final class RdbValueWriter {
    /** Size limit of one list node written from elements (Redis's default list-max-listpack-size -2). */
    static final int LIST_NODE_BYTES = 8192;

    private final RdbSink sink;
    private final boolean compress;
    private final byte[] buf = new byte[1 << 16];
    private int n;
    private long crc;
    private long written;

    /** @param compress LZF-compress long strings ({@code rdbcompression}) */
    public RdbValueWriter(RdbSink sink, boolean compress) {
        this.sink = sink;
        this.compress = compress;
    }

    /** CRC64 of every byte written so far. */
    public long crc() {
        return Crc64.update(crc, buf, 0, n);
    }

    /** Bytes written so far. */
    public long written() {
        return written + n;
    }

    // ------------------------------------------------------------------ raw bytes

    public void writeByte(int b) throws IOException {
        if (n == buf.length) drain();
        buf[n++] = (byte) b;
    }

    public void writeBytes(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - n) {
            drain();
            if (len > buf.length / 2) {
                crc = Crc64.update(crc, b, off, len);
                written += len;
                sink.write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, n, len);
        n += len;
    }

    void writeLongLE(long v, int bytes) throws IOException {
        for (int i = 0; i < bytes; i++) writeByte((int) (v >>> (8 * i)));
    }

    private void drain() throws IOException {
        if (n == 0) return;
        crc = Crc64.update(crc, buf, 0, n);
        written += n;
        sink.write(buf, 0, n);
        n = 0;
    }

    /** Hands everything buffered to the sink and flushes it. */
    public void flush() throws IOException {
        drain();
        sink.flush();
    }

    // ------------------------------------------------------------------ primitives

    /** {@code rdbSaveLen}: 6, 14, 32 or 64 bits. */
    public void writeLength(long len) throws IOException {
        if (len < 0) throw new IllegalArgumentException("negative length " + len);
        if (len < (1 << 6)) {
            writeByte((int) len);
        } else if (len < (1 << 14)) {
            writeByte((int) ((len >>> 8) | 0x40));
            writeByte((int) len);
        } else if (len <= 0xFFFFFFFFL) {
            writeByte(LEN_32BIT);
            for (int i = 3; i >= 0; i--) writeByte((int) (len >>> (8 * i)));
        } else {
            writeByte(LEN_64BIT);
            for (int i = 7; i >= 0; i--) writeByte((int) (len >>> (8 * i)));
        }
    }

    /** {@code rdbSaveRawString}: integer encoding, then LZF, then raw. */
    public void writeString(byte[] s) throws IOException {
        int len = s.length;
        if (len <= 11 && writeIntEncoded(s)) return;
        if (compress && len > 20) {
            byte[] c = Lzf.compress(s);
            if (c != null) {
                writeByte((LEN_ENCVAL << 6) | ENC_LZF);
                writeLength(c.length);
                writeLength(len);
                writeBytes(c, 0, c.length);
                return;
            }
        }
        writeLength(len);
        writeBytes(s, 0, len);
    }

    /** {@code rdbTryIntegerEncoding}: only text that reads back identically (no "+1", "01", "-0"). */
    private boolean writeIntEncoded(byte[] s) throws IOException {
        // Canonical decimal only, parsed without exceptions (most strings are not numbers, and
        // a thrown NumberFormatException per value made string-heavy snapshots ~10x slower).
        int n = s.length;
        if (n == 0) return false;
        int i = 0;
        boolean neg = s[0] == '-';
        if (neg && ++i == n) return false;
        if (s[i] == '0' && (n - i > 1 || neg)) return false; // "0" only; no "-0", no leading zeros
        long v = 0;
        for (; i < n; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) return false;
            v = v * 10 + d; // at most 11 chars: cannot overflow a long
        }
        if (neg) v = -v;
        if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            writeByte((LEN_ENCVAL << 6) | ENC_INT8);
            writeByte((int) v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            writeByte((LEN_ENCVAL << 6) | ENC_INT16);
            writeLongLE(v, 2);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            writeByte((LEN_ENCVAL << 6) | ENC_INT32);
            writeLongLE(v, 4);
        } else {
            return false;
        }
        return true;
    }

    public void writeBinaryDouble(double d) throws IOException {
        writeLongLE(Double.doubleToRawLongBits(d), 8);
    }

    /** The old string form of a double (what RDB_TYPE_ZSET used); for tests and old-format tools. */
    public void writeStringDouble(double d) throws IOException {
        if (Double.isNaN(d)) {
            writeByte(DOUBLE_NAN);
        } else if (Double.isInfinite(d)) {
            writeByte(d > 0 ? DOUBLE_POS_INF : DOUBLE_NEG_INF);
        } else {
            byte[] t = (d == Math.rint(d) && Math.abs(d) < 1e17 ? Long.toString((long) d) : Double.toString(d))
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            writeByte(t.length);
            writeBytes(t, 0, t.length);
        }
    }

    // ------------------------------------------------------------------ values

    /** The RDB type byte {@link #writeValue} uses for {@code v}. */
    public static int typeOf(RdbValue v) {
        if (v instanceof RdbString) return TYPE_STRING;
        if (v instanceof RdbList) return TYPE_LIST_QUICKLIST_2;
        if (v instanceof RdbSet s) return s.intset() != null ? TYPE_SET_INTSET : TYPE_SET;
        if (v instanceof RdbZSet z) return z.listpack() != null ? TYPE_ZSET_LISTPACK : TYPE_ZSET_2;
        return ((RdbHash) v).listpack() != null ? TYPE_HASH_LISTPACK : TYPE_HASH;
    }

    /** Type byte then value. */
    public void writeTypedValue(RdbValue v) throws IOException {
        writeByte(typeOf(v));
        writeValue(v);
    }

    /** The value's body, in the form {@link #typeOf} names. */
    public void writeValue(RdbValue v) throws IOException {
        if (v instanceof RdbString s) {
            writeString(s.value());
        } else if (v instanceof RdbList l) {
            writeList(l);
        } else if (v instanceof RdbSet s) {
            if (s.intset() != null) {
                writeString(s.intset());
            } else {
                List<byte[]> m = s.members();
                writeLength(m.size());
                for (byte[] e : m) writeString(e);
            }
        } else if (v instanceof RdbZSet z) {
            if (z.listpack() != null) {
                writeString(z.listpack());
            } else {
                List<byte[]> m = z.members();
                double[] sc = z.scores();
                writeLength(m.size());
                // Redis writes from the tail so loading appends in order; any order loads the same set
                for (int i = m.size() - 1; i >= 0; i--) {
                    writeString(m.get(i));
                    writeBinaryDouble(sc[i]);
                }
            }
        } else {
            RdbHash h = (RdbHash) v;
            if (h.listpack() != null) {
                writeString(h.listpack());
            } else {
                List<byte[]> p = h.pairs();
                writeLength(p.size() / 2);
                for (byte[] e : p) writeString(e);
            }
        }
    }

    private void writeList(RdbList l) throws IOException {
        if (l.listpack() != null) {
            writeLength(1);
            writeLength(QUICKLIST_NODE_PACKED);
            writeString(l.listpack());
            return;
        }
        List<byte[]> all = l.elements();
        List<List<byte[]>> nodes = new ArrayList<>();
        List<byte[]> cur = new ArrayList<>();
        long bytes = Listpack.HEADER_SIZE + 1;
        for (byte[] e : all) {
            long add = Listpack.entrySize(e);
            if (!cur.isEmpty() && bytes + add > LIST_NODE_BYTES) {
                nodes.add(cur);
                cur = new ArrayList<>();
                bytes = Listpack.HEADER_SIZE + 1;
            }
            cur.add(e);
            bytes += add;
        }
        if (!cur.isEmpty()) nodes.add(cur);
        writeLength(nodes.size());
        for (List<byte[]> node : nodes) {
            writeLength(QUICKLIST_NODE_PACKED);
            writeString(Listpack.encode(node));
        }
    }
}
