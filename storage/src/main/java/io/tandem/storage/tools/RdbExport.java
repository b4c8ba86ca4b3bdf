package io.tandem.storage.tools;

import io.tandem.storage.rdb.RdbEntry;
import io.tandem.storage.rdb.RdbFileReader;
import io.tandem.storage.rdb.RdbFormatException;
import io.tandem.storage.rdb.RdbValue;
import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbSet;
import io.tandem.storage.rdb.RdbValue.RdbString;
import io.tandem.storage.rdb.RdbValue.RdbZSet;
import io.tandem.storage.rdb.RdbVisitor;
import io.tandem.storage.util.Glob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * {@code tandem-rdb dump}: streams an RDB file out as
 * <ul>
 *   <li>{@code keys}: one key per line, as bytes;</li>
 *   <li>{@code json}: one JSON array, one object per key per line:
 *       {@code {"db":0,"key":"k","type":"hash","expireat":4102444800000,"value":{"f":"v"}}}
 *       (list and set values are arrays, zsets objects member → score, infinite scores as
 *       "inf"/"-inf"; bytes that are not UTF-8 are written one char per byte, \u0080..\u00ff);</li>
 *   <li>{@code resp}: the commands that recreate the data ({@code SELECT}, {@code SET},
 *       {@code RPUSH}/{@code SADD}/{@code ZADD}/{@code HSET} in batches of {@link #BATCH}
 *       elements, {@code PEXPIREAT}), for {@code redis-cli --pipe} or as an AOF;</li>
 *   <li>{@code memory}: CSV, one line per key
 *       ({@code database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry},
 *       sizes from {@link MemoryEstimate}), plus a summary (totals per type, the top N keys) to a
 *       separate stream.</li>
 * </ul>
 * Filters: database, glob on the key, logical type. One key is in memory at a time; the top-N
 * heap holds N entries. The input is verified as it goes (a damaged file stops the dump with an
 * {@link RdbFormatException}; what was written before stays written). Not thread-safe.
 */
public final class RdbExport {
    public enum Format { KEYS, JSON, RESP, MEMORY }

    /** Elements per RPUSH/SADD/ZADD/HSET command. */
    static final int BATCH = 128;

    private final Format format;
    private final OutputStream out;
    private final Integer dbFilter;
    private final byte[] match;
    private final String typeFilter;
    private final int topN;

    private int rdbType = -1;
    private int currentDb = -1;
    private long written;
    private long skipped;
    private final StringBuilder sb = new StringBuilder();

    /** Memory summary: totals per type, top keys by size. */
    private final TreeMap<String, long[]> perType = new TreeMap<>();
    private final PriorityQueue<Object[]> top = new PriorityQueue<>(Comparator.comparingLong(a -> (Long) a[0]));

    /**
     * @param db only this database, or null
     * @param match glob on the key (Redis's KEYS syntax), or null
     * @param type only this logical type (string, list, set, zset, hash), or null
     * @param topN size of the memory summary's top list
     */
    public RdbExport(Format format, OutputStream out, Integer db, String match, String type, int topN) {
        this.format = format;
        this.out = out;
        this.dbFilter = db;
        this.match = match == null ? null : match.getBytes(StandardCharsets.UTF_8);
        this.typeFilter = type;
        this.topN = topN;
    }

    /** Stream keys left out (Tandem cannot decode streams yet; {@code keys} lists them). */
    public long skipped() {
        return skipped;
    }

    /** Keys written (after filters). */
    public long written() {
        return written;
    }

    /** Dumps the whole file; the caller flushes {@code out}. */
    public RdbFileReader.Result run(InputStream in) throws IOException, RdbFormatException {
        if (format == Format.JSON) ascii("[");
        if (format == Format.MEMORY) ascii("database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry\n");
        RdbFileReader.Result r;
        try {
            r = new RdbFileReader(in).skipStreams(true).read(new RdbVisitor() {
                @Override
                public void objectType(int t, long offset) {
                    rdbType = t;
                }

                @Override
                public void skipped(int db, byte[] key, int t, long expireAtMs) {
                    if (dbFilter != null && db != dbFilter) return;
                    if (typeFilter != null && !typeFilter.equalsIgnoreCase("stream")) return;
                    if (match != null && !Glob.match(match, key)) return;
                    if (format != Format.KEYS) {
                        skipped++;
                        return;
                    }
                    try {
                        out.write(key);
                        out.write('\n');
                    } catch (IOException x) {
                        throw new UncheckedIOException(x);
                    }
                    written++;
                }

                @Override
                public void entry(RdbEntry e) {
                    try {
                        onEntry(e);
                    } catch (IOException x) {
                        throw new UncheckedIOException(x);
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (format == Format.JSON) ascii(written > 0 ? "\n]\n" : "]\n");
        return r;
    }

    private void onEntry(RdbEntry e) throws IOException {
        if (dbFilter != null && e.db() != dbFilter) return;
        String type = RdbTypes.logical(rdbType);
        if (typeFilter != null && !typeFilter.equalsIgnoreCase(type)) return;
        if (match != null && !Glob.match(match, e.key())) return;
        switch (format) {
            case KEYS -> {
                out.write(e.key());
                out.write('\n');
            }
            case JSON -> json(e, type);
            case RESP -> resp(e);
            case MEMORY -> memory(e, type);
        }
        written++;
    }

    // ------------------------------------------------------------------ json

    private void json(RdbEntry e, String type) throws IOException {
        sb.setLength(0);
        sb.append(written > 0 ? ",\n" : "\n");
        sb.append("{\"db\":").append(e.db()).append(",\"key\":");
        Formats.json(sb, e.key());
        sb.append(",\"type\":\"").append(type).append('"');
        if (e.expireAtMs() >= 0) sb.append(",\"expireat\":").append(e.expireAtMs());
        sb.append(",\"value\":");
        RdbValue v = e.value();
        if (v instanceof RdbString s) {
            Formats.json(sb, s.value());
        } else if (v instanceof RdbList l) {
            array(l.elements());
        } else if (v instanceof RdbSet s) {
            array(s.members());
        } else if (v instanceof RdbZSet z) {
            List<byte[]> m = z.members();
            double[] sc = z.scores();
            sb.append('{');
            for (int i = 0; i < m.size(); i++) {
                if (i > 0) sb.append(',');
                Formats.json(sb, m.get(i));
                sb.append(':').append(Formats.jsonScore(sc[i]));
                flushIfBig();
            }
            sb.append('}');
        } else if (v instanceof RdbHash h) {
            List<byte[]> p = h.pairs();
            sb.append('{');
            for (int i = 0; i < p.size(); i += 2) {
                if (i > 0) sb.append(',');
                Formats.json(sb, p.get(i));
                sb.append(':');
                Formats.json(sb, p.get(i + 1));
                flushIfBig();
            }
            sb.append('}');
        }
        sb.append('}');
        flushText();
    }

    private void array(List<byte[]> l) throws IOException {
        sb.append('[');
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) sb.append(',');
            Formats.json(sb, l.get(i));
            flushIfBig();
        }
        sb.append(']');
    }

    private void flushIfBig() throws IOException {
        if (sb.length() > 1 << 16) flushText();
    }

    private void flushText() throws IOException {
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        sb.setLength(0);
    }

    private void ascii(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
    }

    // ------------------------------------------------------------------ resp

    private void resp(RdbEntry e) throws IOException {
        if (e.db() != currentDb) {
            command(List.of(bytes("SELECT"), bytes(Integer.toString(e.db()))));
            currentDb = e.db();
        }
        byte[] k = e.key();
        RdbValue v = e.value();
        if (v instanceof RdbString s) {
            command(List.of(bytes("SET"), k, s.value()));
        } else if (v instanceof RdbList l) {
            batches("RPUSH", k, l.elements(), 1);
        } else if (v instanceof RdbSet s) {
            batches("SADD", k, s.members(), 1);
        } else if (v instanceof RdbZSet z) {
            List<byte[]> m = z.members();
            double[] sc = z.scores();
            List<byte[]> flat = new ArrayList<>(m.size() * 2);
            for (int i = 0; i < m.size(); i++) {
                flat.add(bytes(Formats.score(sc[i])));
                flat.add(m.get(i));
            }
            batches("ZADD", k, flat, 2);
        } else if (v instanceof RdbHash h) {
            batches("HSET", k, h.pairs(), 2);
        }
        if (e.expireAtMs() >= 0) command(List.of(bytes("PEXPIREAT"), k, bytes(Long.toString(e.expireAtMs()))));
    }

    private void batches(String cmd, byte[] key, List<byte[]> items, int group) throws IOException {
        int step = BATCH * group;
        for (int i = 0; i < items.size(); i += step) {
            List<byte[]> argv = new ArrayList<>(2 + step);
            argv.add(bytes(cmd));
            argv.add(key);
            argv.addAll(items.subList(i, Math.min(items.size(), i + step)));
            command(argv);
        }
    }

    private void command(List<byte[]> argv) throws IOException {
        ascii("*" + argv.size() + "\r\n");
        for (byte[] a : argv) {
            ascii("$" + a.length + "\r\n");
            out.write(a);
            ascii("\r\n");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ memory

    private void memory(RdbEntry e, String type) throws IOException {
        MemoryEstimate.Estimate m = MemoryEstimate.of(e.key(), e.value(), e.expireAtMs() >= 0);
        String key = RdbTypes.printable(e.key(), Integer.MAX_VALUE);
        String exp = e.expireAtMs() >= 0 ? Instant.ofEpochMilli(e.expireAtMs()).toString() : "";
        ascii(e.db() + "," + type + ",");
        out.write(Formats.csv(key).getBytes(StandardCharsets.UTF_8));
        ascii("," + m.bytes() + "," + m.encoding() + "," + m.elements() + "," + m.largestElement() + "," + exp + "\n");
        long[] t = perType.computeIfAbsent(type, x -> new long[2]);
        t[0]++;
        t[1] += m.bytes();
        if (topN > 0) {
            top.add(new Object[] {m.bytes(), e.db(), type, key, m.encoding(), m.elements()});
            if (top.size() > topN) top.poll();
        }
    }

    /** The memory report's summary (per type totals and the top keys), for {@link Format#MEMORY}. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        long keys = 0;
        long bytes = 0;
        for (long[] t : perType.values()) {
            keys += t[0];
            bytes += t[1];
        }
        s.append(String.format("# %d keys, %s estimated%n", keys, Progress.human(bytes)));
        for (var t : perType.entrySet()) {
            s.append(String.format("#   %-6s %10d keys  %12d bytes%n", t.getKey(), t.getValue()[0], t.getValue()[1]));
        }
        List<Object[]> l = new ArrayList<>(top);
        l.sort(Comparator.comparingLong((Object[] a) -> (Long) a[0]).reversed());
        s.append(String.format("# top %d keys by size:%n", l.size()));
        for (Object[] a : l) {
            s.append(String.format("#   %12d bytes  db %d  %-6s %-9s %8d elements  %s%n", a[0], a[1], a[2], a[4], a[5], a[3]));
        }
        return s.toString();
    }
}
