package io.tandem.storage.keyspace;

import java.util.SplittableRandom;

/**
 * Redis's LFU access counter (evict.c), kept in a value's 24-bit lru field:
 *
 * <pre>
 *       16 bits               8 bits
 *   +--------------------+-----------+
 *   | last decrement     | counter   |   last decrement: unix minutes mod 65536
 *   +--------------------+-----------+   counter: logarithmic, 0..255, new keys start at 5
 * </pre>
 *
 * An access first decays the counter by one per {@link #decayTime} minutes elapsed, then
 * increments it with probability {@code 1 / ((counter - 5) * logFactor + 1)}
 * ({@code LFULogIncr}). The parameters are {@code lfu-log-factor} and {@code lfu-decay-time};
 * the server updates them on CONFIG SET. Not thread-safe: the keyspace's owner thread.
 */
public final class Lfu {
    /** LFU_INIT_VAL: a new key's counter, so it is not evicted before it had a chance to be used. */
    public static final int INIT_VAL = 5;

    public int logFactor = 10;
    public int decayTime = 1;
    private final SplittableRandom random = new SplittableRandom();

    /** LFUGetTimeInMinutes. */
    public static int minutes(long nowMs) {
        return (int) ((nowMs / 1000 / 60) & 0xFFFF);
    }

    /** The lru field of a value created now. */
    public int initial(long nowMs) {
        return (minutes(nowMs) << 8) | INIT_VAL;
    }

    /** LFUTimeElapsed: minutes since {@code ldt}, wrapping at 16 bits. */
    static int elapsed(int ldt, long nowMs) {
        int now = minutes(nowMs);
        return now >= ldt ? now - ldt : 65535 - ldt + now;
    }

    /** LFUDecrAndReturn: the counter after decay, without storing it (what OBJECT FREQ reports). */
    public int decrAndReturn(int lru, long nowMs) {
        int ldt = (lru >>> 8) & 0xFFFF;
        int counter = lru & 0xFF;
        int periods = decayTime > 0 ? elapsed(ldt, nowMs) / decayTime : 0;
        if (periods > 0) counter = periods > counter ? 0 : counter - periods;
        return counter;
    }

    /** LFULogIncr. */
    int logIncr(int counter) {
        if (counter == 255) return 255;
        double r = random.nextDouble();
        double base = Math.max(0, counter - INIT_VAL);
        double p = 1.0 / (base * logFactor + 1);
        return r < p ? counter + 1 : counter;
    }

    /** updateLFU: the lru field after one access now. */
    public int access(int lru, long nowMs) {
        return (minutes(nowMs) << 8) | logIncr(decrAndReturn(lru, nowMs));
    }
}
