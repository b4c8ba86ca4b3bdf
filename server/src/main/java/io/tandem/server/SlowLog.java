package io.tandem.server;

import io.tandem.server.exec.Client;
import io.tandem.storage.resp.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/** SLOWLOG: the most recent commands slower than slowlog-log-slower-than, as Redis keeps them. */
public final class SlowLog {
    private static final int MAX_ARGC = 32;
    private static final int MAX_STRING = 128;

    private record Entry(long id, long timeSec, long micros, byte[][] argv, String addr, String name) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId;

    void add(byte[][] argv, long micros, Client c, int maxLen, long nowMs) {
        int argc = Math.min(argv.length, MAX_ARGC);
        byte[][] kept = new byte[argc][];
        for (int i = 0; i < argc; i++) {
            if (i == MAX_ARGC - 1 && argv.length > MAX_ARGC) {
                kept[i] = ("... (" + (argv.length - MAX_ARGC + 1) + " more arguments)").getBytes(StandardCharsets.UTF_8);
            } else if (argv[i].length > MAX_STRING) {
                String more = "... (" + (argv[i].length - MAX_STRING) + " more bytes)";
                byte[] m = more.getBytes(StandardCharsets.UTF_8);
                byte[] k = new byte[MAX_STRING + m.length];
                System.arraycopy(argv[i], 0, k, 0, MAX_STRING);
                System.arraycopy(m, 0, k, MAX_STRING, m.length);
                kept[i] = k;
            } else {
                kept[i] = argv[i];
            }
        }
        entries.addFirst(new Entry(nextId++, nowMs / 1000, micros, kept, c.addr(), c.name == null ? "" : c.name));
        while (entries.size() > maxLen) entries.removeLast();
    }

    public int size() {
        return entries.size();
    }

    public void reset() {
        entries.clear();
    }

    public void trim(int maxLen) {
        while (entries.size() > maxLen) entries.removeLast();
    }

    /** SLOWLOG GET [count]: count &lt; 0 means all. */
    public void write(RespWriter out, long count) {
        long n = count < 0 ? entries.size() : Math.min(count, entries.size());
        out.array(n);
        Iterator<Entry> it = entries.iterator();
        for (long i = 0; i < n; i++) {
            Entry e = it.next();
            out.array(6);
            out.integer(e.id);
            out.integer(e.timeSec);
            out.integer(e.micros);
            out.array(e.argv.length);
            for (byte[] a : e.argv) out.bulk(a);
            out.bulk(e.addr);
            out.bulk(e.name);
        }
    }
}
