package io.tandem.storage.tools;

import io.tandem.storage.rdb.RdbValue;
import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbSet;
import io.tandem.storage.rdb.RdbValue.RdbString;
import io.tandem.storage.rdb.RdbValue.RdbZSet;

import java.util.List;

/**
 * What a key would cost in a 64-bit Redis 7.0 with jemalloc once loaded, after the model of
 * redis-rdb-tools' memory profiler: the main dict entry, the key's sds, the robj, the expires
 * entry, and the value in the encoding Redis 7.0 gives it on load (int / embstr / raw strings;
 * quicklist of 8 KiB listpack nodes; intset, listpack or hashtable sets; listpack or skiplist
 * zsets; listpack or hashtable hashes). Sizes go through jemalloc's size classes. An estimate:
 * within ~10-20% of {@code MEMORY USAGE} for typical data, not a measurement. Stateless.
 */
public final class MemoryEstimate {
    private MemoryEstimate() {}

    /** Result for one key. */
    public record Estimate(long bytes, String encoding, long elements, long largestElement) {}

    private static final long DICT_ENTRY = 24;
    private static final long ROBJ = 16;
    private static final int LIST_NODE_BYTES = 8192;

    public static Estimate of(byte[] key, RdbValue v, boolean expires) {
        long top = DICT_ENTRY + sds(key.length) + ROBJ + (expires ? DICT_ENTRY : 0);
        if (v instanceof RdbString s) {
            byte[] b = s.value();
            String enc;
            long bytes;
            if (b.length <= 20 && isLong(b)) {
                enc = "int";
                bytes = 0;
            } else if (b.length <= 44) {
                enc = "embstr";
                bytes = malloc(ROBJ + 3 + b.length + 1) - ROBJ;
            } else {
                enc = "raw";
                bytes = sds(b.length);
            }
            return new Estimate(top + bytes, enc, 1, b.length);
        }
        if (v instanceof RdbList l) {
            List<byte[]> els = l.elements();
            long lp = 0;
            long largest = 0;
            long nodes = 0;
            long nodeBytes = 0;
            for (byte[] e : els) {
                long entry = listpackEntry(e);
                if (nodeBytes + entry > LIST_NODE_BYTES && nodeBytes > 0) {
                    lp += malloc(nodeBytes + 7);
                    nodes++;
                    nodeBytes = 0;
                }
                nodeBytes += entry;
                largest = Math.max(largest, e.length);
            }
            if (nodeBytes > 0 || nodes == 0) {
                lp += malloc(nodeBytes + 7);
                nodes++;
            }
            return new Estimate(top + malloc(40) + nodes * malloc(32) + lp, "quicklist", els.size(), largest);
        }
        if (v instanceof RdbSet s) {
            List<byte[]> m = s.members();
            long largest = largest(m);
            if (s.intset() != null) return new Estimate(top + malloc(s.intset().length), "intset", m.size(), largest);
            if (s.listpack() != null) return new Estimate(top + malloc(s.listpack().length), "listpack", m.size(), largest);
            long bytes = dict(m.size());
            for (byte[] e : m) bytes += DICT_ENTRY + sds(e.length);
            return new Estimate(top + bytes, "hashtable", m.size(), largest);
        }
        if (v instanceof RdbZSet z) {
            List<byte[]> m = z.members();
            long largest = largest(m);
            if (z.listpack() != null) return new Estimate(top + malloc(z.listpack().length), "listpack", m.size(), largest);
            // zset struct + dict + skiplist header; per element a dict entry, a skiplist node (avg 1.33 levels) and the sds
            long bytes = malloc(16) + dict(m.size()) + malloc(32 + 32 * 16);
            for (byte[] e : m) bytes += DICT_ENTRY + malloc(32 + 16 * 4 / 3 + 8) + sds(e.length);
            return new Estimate(top + bytes, "skiplist", m.size(), largest);
        }
        RdbHash h = (RdbHash) v;
        List<byte[]> p = h.pairs();
        long largest = largest(p);
        if (h.listpack() != null) return new Estimate(top + malloc(h.listpack().length), "listpack", p.size() / 2, largest);
        long bytes = dict(p.size() / 2);
        for (int i = 0; i < p.size(); i += 2) bytes += DICT_ENTRY + sds(p.get(i).length) + sds(p.get(i + 1).length);
        return new Estimate(top + bytes, "hashtable", p.size() / 2, largest);
    }

    private static long largest(List<byte[]> l) {
        long m = 0;
        for (byte[] e : l) m = Math.max(m, e.length);
        return m;
    }

    /** dict struct plus its bucket array (power of two >= n). */
    private static long dict(long n) {
        long buckets = 4;
        while (buckets < n) buckets <<= 1;
        return malloc(56) + malloc(buckets * 8);
    }

    /** An sds of {@code len} bytes: header (1, 3, 5 or 9 bytes), data and NUL. */
    static long sds(long len) {
        long hdr = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : len < (1L << 32) ? 9 : 17;
        return malloc(hdr + len + 1);
    }

    /** Bytes of one listpack entry: encoding, data and back-length, as listpack.c sizes them. */
    static long listpackEntry(byte[] e) {
        long body;
        if (e.length <= 20 && isLong(e)) {
            long v = Long.parseLong(new String(e, java.nio.charset.StandardCharsets.US_ASCII));
            body = v >= 0 && v <= 127 ? 1 : v >= -4096 && v <= 4095 ? 2 : v >= -32768 && v <= 32767 ? 3
                    : v >= -8388608 && v <= 8388607 ? 4 : v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? 5 : 9;
        } else {
            body = e.length + (e.length < 64 ? 1 : e.length < 4096 ? 2 : 5);
        }
        return body + (body < 128 ? 1 : body < 16384 ? 2 : body < 2097152 ? 3 : body < 268435456 ? 4 : 5);
    }

    /** jemalloc's size class for an allocation of n bytes (8, 16, 32, 48, ... 4 classes per doubling). */
    static long malloc(long n) {
        if (n <= 8) return 8;
        if (n <= 128) return (n + 15) & ~15L;
        long pow = Long.highestOneBit(n - 1) << 1; // next power of two >= n
        long step = pow / 8; // four classes between pow/2 and pow
        return (n + step - 1) / step * step;
    }

    /** A decimal long Redis would store as an integer (no leading zeros or '+', fits a long). */
    static boolean isLong(byte[] b) {
        if (b.length == 0 || b.length > 20) return false;
        int i = 0;
        if (b[0] == '-') {
            if (b.length == 1) return false;
            i = 1;
        }
        if (b[i] == '0' && b.length > i + 1) return false;
        if (b[i] == '0' && i == 1) return false;
        for (int j = i; j < b.length; j++) if (b[j] < '0' || b[j] > '9') return false;
        try {
            Long.parseLong(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
