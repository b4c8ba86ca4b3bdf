package io.tandem.server;

import io.tandem.storage.resp.RespWriter;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/** LATENCY LATEST / HISTORY / RESET: per event, the last 160 samples (one per second), as Redis. */
public final class LatencyMonitor {
    private static final int HISTORY = 160;

    private static final class Series {
        final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {timeSec, ms}
        long max;
    }

    private final Map<String, Series> events = new TreeMap<>();

    public void add(String event, long ms, long nowMs) {
        long sec = nowMs / 1000;
        Series s = events.computeIfAbsent(event, k -> new Series());
        long[] last = s.samples.peekLast();
        if (last != null && last[0] == sec) {
            last[1] = Math.max(last[1], ms);
        } else {
            s.samples.addLast(new long[] {sec, ms});
            if (s.samples.size() > HISTORY) s.samples.removeFirst();
        }
        s.max = Math.max(s.max, ms);
    }

    public void latest(RespWriter out) {
        out.array(events.size());
        for (Map.Entry<String, Series> e : events.entrySet()) {
            long[] last = e.getValue().samples.peekLast();
            out.array(4);
            out.bulk(e.getKey());
            out.integer(last[0]);
            out.integer(last[1]);
            out.integer(e.getValue().max);
        }
    }

    public void history(RespWriter out, String event) {
        Series s = events.get(event);
        if (s == null) {
            out.array(0);
            return;
        }
        out.array(s.samples.size());
        for (long[] x : s.samples) {
            out.array(2);
            out.integer(x[0]);
            out.integer(x[1]);
        }
    }

    /** Resets the named events, or all when none named; returns how many were reset. */
    public int reset(String... names) {
        if (names.length == 0) {
            int n = events.size();
            events.clear();
            return n;
        }
        int n = 0;
        for (String name : names) if (events.remove(name) != null) n++;
        return n;
    }
}
