package io.tandem.server.exec;

import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** Counters behind INFO stats / errorstats. Plain fields are executor-only; atomics are shared with network threads. */
public final class Stats {
    public final long startMs = System.currentTimeMillis();
    public final long startNanos = System.nanoTime();

    // network threads
    public final AtomicLong connectionsReceived = new AtomicLong();
    public final AtomicLong rejectedConnections = new AtomicLong();
    public final AtomicLong netInputBytes = new AtomicLong();
    public final AtomicLong netOutputBytes = new AtomicLong();

    // executor
    public long commandsProcessed;
    public long dirty;
    public long expiredKeys;
    public long evictedKeys;
    public long keyspaceHits;
    public long keyspaceMisses;
    public long totalErrorReplies;
    public long unexpectedErrorReplies;
    public long pubsubMessages;
    public long pubsubChannels;
    public long pubsubPatterns;
    public long syncFull;
    public long syncPartialOk;
    public long syncPartialErr;
    public final TreeMap<String, Long> errors = new TreeMap<>();

    // instantaneous ops/sec, sampled by cron as Redis does (STATS_METRIC_SAMPLES = 16)
    private final long[] opsSamples = new long[16];
    private int opsIdx;
    private long lastSampleMs;
    private long lastSampleCount;

    public void countError(String message) {
        totalErrorReplies++;
        int sp = message.indexOf(' ');
        String code = sp < 0 ? message : message.substring(0, sp);
        errors.merge(code, 1L, Long::sum);
    }

    /** Called by cron every 100 ms or so. */
    public void sample(long nowMs) {
        if (lastSampleMs == 0) {
            lastSampleMs = nowMs;
            lastSampleCount = commandsProcessed;
            return;
        }
        long dt = nowMs - lastSampleMs;
        if (dt < 100) return;
        opsSamples[opsIdx++ & 15] = (commandsProcessed - lastSampleCount) * 1000 / dt;
        lastSampleMs = nowMs;
        lastSampleCount = commandsProcessed;
    }

    public long instantaneousOps() {
        long sum = 0;
        for (long s : opsSamples) sum += s;
        return sum / opsSamples.length;
    }

    public void reset() {
        commandsProcessed = 0;
        expiredKeys = evictedKeys = keyspaceHits = keyspaceMisses = 0;
        totalErrorReplies = unexpectedErrorReplies = pubsubMessages = 0;
        errors.clear();
        connectionsReceived.set(0);
        rejectedConnections.set(0);
        netInputBytes.set(0);
        netOutputBytes.set(0);
    }
}
