package io.tandem.storage.tools;

import io.tandem.storage.rdb.RdbEntry;
import io.tandem.storage.rdb.RdbFileReader;
import io.tandem.storage.rdb.RdbFormatException;
import io.tandem.storage.rdb.RdbVisitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * redis-check-rdb: walks a whole RDB file (structure, lengths, every encoding, blobs, the CRC64)
 * with {@link RdbFileReader} and prints what redis-check-rdb prints, plus counts per database,
 * type and encoding:
 * <pre>
 * [offset 0] Checking RDB file dump.rdb
 * [offset 27] AUX FIELD redis-ver = '7.0.15'
 * [offset 82] Selecting DB ID 0
 * [offset 18693] Checksum OK
 * [offset 18693] \o/ RDB looks OK! \o/
 * [info] 20 keys read
 * [info] 2 expires
 * [info] 0 already expired
 * </pre>
 * and for a damaged file:
 * <pre>
 * --- RDB ERROR DETECTED ---
 * [offset 4097] Unexpected EOF reading RDB file
 * [additional info] While doing: read-object-value
 * [additional info] Reading key 'list:big'
 * [additional info] Reading type 18 (quicklist-v2)
 * </pre>
 * Offsets are exact byte offsets (redis-check-rdb's are rounded to its read buffer). Constant
 * memory apart from the value being read. Not thread-safe; one use per instance.
 */
public final class RdbCheck {
    /**
     * What the check found.
     *
     * @param ok the file is sound
     * @param length bytes of RDB data (up to and including the checksum) when ok
     * @param error the problem when not ok (offset, key, reason); null when ok or on an I/O error
     */
    public record Report(boolean ok, long length, long keys, long expires, long alreadyExpired, RdbFormatException error) {}

    private final PrintStream out;
    private final long nowMs;

    /** Per db: keys per RDB type byte (0..31), then [KEYS] and [EXPIRES]; arrays, not maps: this runs per key. */
    private static final int KEYS = 32;
    private static final int EXPIRES = 33;
    private final Map<Integer, long[]> perDb = new TreeMap<>();
    private int lastDb = -1;
    private long[] lastCounts;
    private long keys;
    private long expires;
    private long alreadyExpired;
    private long functions;
    private String doing = "start";
    private int type = -1;

    public RdbCheck(PrintStream out, long nowMs) {
        this.out = out;
        this.nowMs = nowMs;
    }

    /** Checks {@code in} (positioned at the "REDIS" magic), printing as it goes. IOException: the stream failed. */
    public Report check(InputStream in, String name) throws IOException {
        out.println("[offset 0] Checking RDB file " + name);
        RdbFileReader reader = new RdbFileReader(in).skipStreams(true);
        try {
            RdbFileReader.Result r = reader.read(new RdbVisitor() {
                @Override
                public void aux(byte[] key, byte[] value) {
                    out.printf("[offset %d] AUX FIELD %s = '%s'%n", reader.offset(), text(key), text(value));
                    doing = "read-type";
                }

                @Override
                public void selectDb(int db) {
                    out.printf("[offset %d] Selecting DB ID %d%n", reader.offset(), db);
                    doing = "read-type";
                }

                @Override
                public void function(byte[] code) {
                    functions++;
                    doing = "read-type";
                }

                @Override
                public void objectType(int rdbType, long offset) {
                    type = rdbType;
                    doing = "read-key";
                }

                @Override
                public void entry(RdbEntry e) {
                    count(e.db(), e.expireAtMs());
                }

                @Override
                public void skipped(int db, byte[] key, int rdbType, long expireAtMs) {
                    count(db, expireAtMs);
                }
            });
            long end = reader.offset();
            if (r.checksumVerified()) out.printf("[offset %d] Checksum OK%n", end);
            else if (r.version() >= 5) out.printf("[offset %d] RDB file was saved with checksum disabled: no check performed.%n", end);
            out.printf("[offset %d] \\o/ RDB looks OK! \\o/%n", end);
            info();
            return new Report(true, end, keys, expires, alreadyExpired, null);
        } catch (RdbFormatException e) {
            out.println("--- RDB ERROR DETECTED ---");
            out.printf("[offset %d] %s%n", e.offset(), redisReason(e.reason()));
            String phase = e.reason().contains("checksum") ? "check-sum" : e.key() != null ? "read-object-value" : doing;
            out.println("[additional info] While doing: " + phase);
            if (e.key() != null) out.println("[additional info] Reading key '" + e.key() + "'");
            if (type >= 0 && e.key() != null) out.printf("[additional info] Reading type %d (%s)%n", type, RdbTypes.fileName(type));
            if (!redisReason(e.reason()).equals(e.reason())) out.println("[additional info] " + e.reason());
            summary();
            return new Report(false, -1, keys, expires, alreadyExpired, e);
        }
    }

    private void count(int db, long expireAtMs) {
        keys++;
        if (db != lastDb) {
            lastDb = db;
            lastCounts = perDb.computeIfAbsent(db, x -> new long[EXPIRES + 1]);
        }
        lastCounts[KEYS]++;
        lastCounts[type & 31]++;
        if (expireAtMs >= 0) {
            expires++;
            lastCounts[EXPIRES]++;
            if (expireAtMs < nowMs) alreadyExpired++;
        }
        type = -1;
        doing = "read-type";
    }

    /** redis-check-rdb's wording where it has one. */
    private static String redisReason(String reason) {
        if (reason.startsWith("unexpected end of file")) return "Unexpected EOF reading RDB file";
        if (reason.startsWith("wrong RDB checksum")) return "RDB CRC error";
        if (reason.startsWith("wrong signature")) return "Wrong signature trying to load DB from file";
        return reason;
    }

    private void summary() {
        out.printf("[info] %d keys read%n", keys);
        out.printf("[info] %d expires%n", expires);
        out.printf("[info] %d already expired%n", alreadyExpired);
    }

    private void info() {
        summary();
        if (functions > 0) out.printf("[info] %d function libraries%n", functions);
        Map<String, Long> perEncoding = new TreeMap<>();
        for (Map.Entry<Integer, long[]> db : perDb.entrySet()) {
            long[] c = db.getValue();
            Map<String, Long> perType = new TreeMap<>();
            for (int t = 0; t < KEYS; t++) {
                if (c[t] == 0) continue;
                perType.merge(RdbTypes.logical(t), c[t], Long::sum);
                perEncoding.merge(RdbTypes.fileName(t), c[t], Long::sum);
            }
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, Long> t : perType.entrySet()) {
                if (sb.length() > 0) sb.append(", ");
                sb.append(t.getKey()).append('=').append(t.getValue());
            }
            out.printf("[info] db %d: %d keys, %d expires (%s)%n", db.getKey(), c[KEYS], c[EXPIRES], sb);
        }
        for (Map.Entry<String, Long> e : perEncoding.entrySet()) {
            out.printf("[info] encoding %s: %d keys%n", e.getKey(), e.getValue());
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
