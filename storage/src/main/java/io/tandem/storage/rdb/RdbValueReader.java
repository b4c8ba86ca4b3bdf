package io.tandem.storage.rdb;

import static io.tandem.storage.rdb.Rdb.*;

import io.tandem.storage.collection.Listpack;
import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbSet;
import io.tandem.storage.rdb.RdbValue.RdbString;
import io.tandem.storage.rdb.RdbValue.RdbZSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RDB values ({@code rdbLoadObject}): lengths, strings (raw, integer-encoded, LZF), doubles
 * (binary and the old string form) and every value type Redis 7.0 writes or older versions
 * wrote (see {@link Rdb} for the layouts), producing {@link RdbValue}s. Layout of each type:
 * <pre>
 *   STRING            string
 *   LIST, SET         len, len x string
 *   ZSET              len, len x (string, string-double)      ZSET_2: len, len x (string, binary double:8 LE)
 *   HASH              len, len x (field string, value string)
 *   HASH_ZIPMAP, LIST_ZIPLIST, SET_INTSET, ZSET_ZIPLIST, HASH_ZIPLIST,
 *   HASH_LISTPACK, ZSET_LISTPACK, SET_LISTPACK                string holding the blob
 *   LIST_QUICKLIST    len, len x (string holding a ziplist)
 *   LIST_QUICKLIST_2  len, len x (container:len (1 plain, 2 packed), string: element or listpack)
 * </pre>
 * Blobs are validated before use (Redis's shallow integrity check and more); listpacks Tandem
 * can keep as they are come out on the fast path ({@link RdbValue}). Empty collections are
 * returned as such; callers decide (a file load skips them as Redis does, RESTORE refuses).
 * Modules and streams are refused with an {@link RdbFormatException}. Not thread-safe.
 */
public final class RdbValueReader {
    private final RdbInput in;

    public RdbValueReader(RdbInput in) {
        this.in = in;
    }

    public RdbInput input() {
        return in;
    }

    // ------------------------------------------------------------------ primitives

    /** Set by {@link #lengthOrEncoding}: the byte announced a special string encoding (returned as the value). */
    private boolean encoded;

    private long lengthOrEncoding() throws IOException, RdbFormatException {
        int b = in.readByte();
        int kind = (b & 0xC0) >>> 6;
        encoded = false;
        switch (kind) {
            case LEN_6BIT:
                return b & 0x3F;
            case LEN_14BIT:
                return ((b & 0x3F) << 8) | in.readByte();
            case LEN_ENCVAL:
                encoded = true;
                return b & 0x3F;
            default:
                if (b == LEN_32BIT) return in.readLongBE(4);
                if (b == LEN_64BIT) {
                    long v = in.readLongBE(8);
                    if (v < 0) throw in.error("length out of range");
                    return v;
                }
                throw in.error("unknown length encoding 0x" + Integer.toHexString(b));
        }
    }

    /** A length ({@code rdbLoadLen}). */
    public long readLength() throws IOException, RdbFormatException {
        long off = in.offset();
        long v = lengthOrEncoding();
        if (encoded) throw in.error(off, "string encoding where a length was expected");
        return v;
    }

    /** A count of collection elements: a length that fits an int. */
    private int readCount() throws IOException, RdbFormatException {
        long off = in.offset();
        long n = readLength();
        if (n > Integer.MAX_VALUE - 16) throw in.error(off, "collection length " + n + " out of range");
        return (int) n;
    }

    /** A string ({@code rdbGenericLoadStringObject}), decoding integer and LZF encodings. */
    public byte[] readString() throws IOException, RdbFormatException {
        long off = in.offset();
        long v = lengthOrEncoding();
        if (!encoded) return in.readBytes(v);
        int enc = (int) v;
        switch (enc) {
            case ENC_INT8:
                return digits((byte) in.readByte());
            case ENC_INT16:
                return digits((short) in.readLongLE(2));
            case ENC_INT32:
                return digits((int) in.readLongLE(4));
            case ENC_LZF: {
                long clen = readLength();
                long len = readLength();
                if (len > RdbInput.MAX_STRING || clen > RdbInput.MAX_STRING) throw in.error(off, "LZF string length out of range");
                // an LZF back-reference expands 3 bytes to at most 264: bound the allocation by the input
                if (len > clen * 100 + 16) throw in.error(off, "LZF lengths inconsistent (" + clen + " -> " + len + ")");
                byte[] c = in.readBytes(clen);
                try {
                    return Lzf.decompress(c, (int) len);
                } catch (IllegalArgumentException e) {
                    throw in.error(off, e.getMessage());
                }
            }
            default:
                throw in.error(off, "unknown string encoding " + enc);
        }
    }

    /** An 8-byte little-endian IEEE double ({@code rdbLoadBinaryDoubleValue}). */
    public double readBinaryDouble() throws IOException, RdbFormatException {
        return Double.longBitsToDouble(in.readLongLE(8));
    }

    /** The old string-form double: len:1 (253 nan, 254 +inf, 255 -inf) then len ASCII bytes. */
    public double readStringDouble() throws IOException, RdbFormatException {
        long off = in.offset();
        int len = in.readByte();
        switch (len) {
            case DOUBLE_NAN:
                return Double.NaN;
            case DOUBLE_POS_INF:
                return Double.POSITIVE_INFINITY;
            case DOUBLE_NEG_INF:
                return Double.NEGATIVE_INFINITY;
            default:
                byte[] b = new byte[len];
                in.readFully(b, 0, len);
                try {
                    return RdbZSet.parseScore(b);
                } catch (NumberFormatException e) {
                    throw in.error(off, "invalid double '" + RdbInput.printable(b) + "'");
                }
        }
    }

    private static byte[] digits(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ values

    /** The value of type {@code type} (the type byte already read). */
    public RdbValue readValue(int type) throws IOException, RdbFormatException {
        long start = in.offset();
        switch (type) {
            case TYPE_STRING:
                return new RdbString(readString());
            case TYPE_LIST: {
                int n = readCount();
                List<byte[]> l = new ArrayList<>(Math.min(n, 4096));
                for (int i = 0; i < n; i++) l.add(readString());
                return RdbList.of(l);
            }
            case TYPE_SET: {
                int n = readCount();
                List<byte[]> l = new ArrayList<>(Math.min(n, 4096));
                for (int i = 0; i < n; i++) l.add(readString());
                return RdbSet.of(l);
            }
            case TYPE_ZSET:
            case TYPE_ZSET_2: {
                int n = readCount();
                List<byte[]> m = new ArrayList<>(Math.min(n, 4096));
                double[] s = new double[Math.min(n, 4096)];
                for (int i = 0; i < n; i++) {
                    m.add(readString());
                    double d = type == TYPE_ZSET_2 ? readBinaryDouble() : readStringDouble();
                    if (Double.isNaN(d)) throw in.error("zset score is NaN");
                    if (i == s.length) s = java.util.Arrays.copyOf(s, Math.min(n, s.length * 2));
                    s[i] = d;
                }
                return RdbZSet.of(m, java.util.Arrays.copyOf(s, n));
            }
            case TYPE_HASH: {
                int n = readCount();
                List<byte[]> l = new ArrayList<>(Math.min(n, 4096) * 2);
                for (int i = 0; i < n; i++) {
                    l.add(readString());
                    l.add(readString());
                }
                return RdbHash.of(l);
            }
            case TYPE_HASH_ZIPMAP: {
                List<byte[]> pairs = blob(start, LegacyBlobs::zipmap);
                return RdbHash.ofListpack(Listpack.encode(pairs));
            }
            case TYPE_LIST_ZIPLIST:
                return RdbList.of(blob(start, LegacyBlobs::ziplist));
            case TYPE_SET_INTSET: {
                byte[] is = readString();
                blob(start, is, Intsets::validate);
                return RdbSet.ofIntset(is);
            }
            case TYPE_ZSET_ZIPLIST: {
                List<byte[]> l = blob(start, LegacyBlobs::ziplist);
                checkPairs(start, l.size(), "zset");
                return RdbZSet.ofListpack(Listpack.encode(l));
            }
            case TYPE_HASH_ZIPLIST: {
                List<byte[]> l = blob(start, LegacyBlobs::ziplist);
                checkPairs(start, l.size(), "hash");
                return RdbHash.ofListpack(Listpack.encode(l));
            }
            case TYPE_LIST_QUICKLIST: {
                int nodes = readCount();
                List<byte[]> l = new ArrayList<>();
                for (int i = 0; i < nodes; i++) l.addAll(blob(in.offset(), LegacyBlobs::ziplist));
                return RdbList.of(l);
            }
            case TYPE_HASH_LISTPACK: {
                byte[] lp = readString();
                checkPairs(start, blob(start, lp, Listpack::validate), "hash");
                return RdbHash.ofListpack(lp);
            }
            case TYPE_ZSET_LISTPACK: {
                byte[] lp = readString();
                checkPairs(start, blob(start, lp, Listpack::validate), "zset");
                return RdbZSet.ofListpack(lp);
            }
            case TYPE_SET_LISTPACK: {
                byte[] lp = readString();
                blob(start, lp, Listpack::validate);
                return new RdbSet(null, lp, null);
            }
            case TYPE_LIST_QUICKLIST_2:
                return quicklist2(start);
            case TYPE_MODULE:
            case TYPE_MODULE_2:
                throw in.error(start, "module values (RDB type " + type + ") are not supported: Tandem has no modules");
            case TYPE_STREAM_LISTPACKS:
            case TYPE_STREAM_LISTPACKS_2:
            case TYPE_STREAM_LISTPACKS_3:
                throw in.error(start, "stream values (RDB type " + type + ") are not supported yet: Tandem has no streams");
            default:
                throw in.error(start - 1, "unknown value type " + type);
        }
    }

    /**
     * Reads and checks a stream value ({@code rdbLoadObject}'s stream branch) without keeping it,
     * for tools that walk files Tandem cannot load yet:
     * <pre>
     *   nodes:len { node-key:string (16 bytes, master ID) listpack:string }
     *   length:len last-id:len len   [v2+: first-id:len len  max-deleted-id:len len  entries-added:len]
     *   groups:len { name:string last-id:len len [v2+: entries-read:len]
     *                pel:len { raw-id:16 delivery-time:8 LE delivery-count:len }
     *                consumers:len { name:string seen-time:8 LE [v3: active-time:8 LE]
     *                                pel:len { raw-id:16 } } }
     * </pre>
     */
    public void skipStream(int type) throws IOException, RdbFormatException {
        long start = in.offset();
        long nodes = readLength();
        for (long i = 0; i < nodes; i++) {
            byte[] nodeKey = readString();
            if (nodeKey.length != 16) throw in.error(start, "stream node key entry is not the size of a stream ID");
            long off = in.offset();
            byte[] lp = readString();
            if (blob(off, lp, Listpack::validate) == 0) throw in.error(off, "empty listpack inside stream");
        }
        readLength(); // length
        readLength(); // last id
        readLength();
        if (type >= TYPE_STREAM_LISTPACKS_2) {
            for (int i = 0; i < 5; i++) readLength(); // first id, max deleted id, entries added
        }
        long groups = readLength();
        byte[] raw = new byte[16];
        for (long g = 0; g < groups; g++) {
            readString();
            readLength();
            readLength();
            if (type >= TYPE_STREAM_LISTPACKS_2) readLength(); // entries read
            long pel = readLength();
            for (long p = 0; p < pel; p++) {
                in.readFully(raw, 0, 16);
                in.readLongLE(8);
                readLength();
            }
            long consumers = readLength();
            for (long c = 0; c < consumers; c++) {
                readString();
                in.readLongLE(8); // seen time
                if (type >= TYPE_STREAM_LISTPACKS_3) in.readLongLE(8); // active time
                long cpel = readLength();
                for (long p = 0; p < cpel; p++) in.readFully(raw, 0, 16);
            }
        }
    }

    private RdbList quicklist2(long start) throws IOException, RdbFormatException {
        int nodes = readCount();
        byte[] only = null;
        List<byte[]> l = null;
        for (int i = 0; i < nodes; i++) {
            long off = in.offset();
            long container = readLength();
            if (container == QUICKLIST_NODE_PLAIN) {
                if (l == null) l = new ArrayList<>();
                if (only != null) {
                    l.addAll(Listpack.decode(only));
                    only = null;
                }
                l.add(readString());
            } else if (container == QUICKLIST_NODE_PACKED) {
                byte[] lp = readString();
                int n = blob(off, lp, Listpack::validate);
                if (n == 0) continue; // Redis skips empty nodes
                if (l == null && only == null) {
                    only = lp;
                } else {
                    if (l == null) l = new ArrayList<>();
                    if (only != null) {
                        l.addAll(Listpack.decode(only));
                        only = null;
                    }
                    l.addAll(Listpack.decode(lp));
                }
            } else {
                throw in.error(off, "quicklist node container " + container + " is neither plain (1) nor packed (2)");
            }
        }
        if (only != null) return RdbList.ofListpack(only);
        return RdbList.of(l != null ? l : new ArrayList<>());
    }

    private void checkPairs(long start, int n, String what) throws RdbFormatException {
        if ((n & 1) != 0) throw in.error(start, what + " blob has an odd number of elements (" + n + ")");
    }

    private interface BlobCheck<T> {
        T apply(byte[] blob);
    }

    private <T> T blob(long start, BlobCheck<T> decode) throws IOException, RdbFormatException {
        return blob(start, readString(), decode);
    }

    private <T> T blob(long start, byte[] b, BlobCheck<T> decode) throws RdbFormatException {
        try {
            return decode.apply(b);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw in.error(start, e.getMessage());
        }
    }
}
