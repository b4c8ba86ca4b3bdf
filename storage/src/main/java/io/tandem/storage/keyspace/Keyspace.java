package io.tandem.storage.keyspace;

import java.util.function.LongSupplier;

/**
 * All databases of a server. Owned by the executor thread (see {@link Database}).
 *
 * <p>CONTRACT: {@link #open} creates the first Chronicle Map (seconds: it compiles a class) so the
 * server pays that once at startup; databases other than 0 may be created lazily on first write.
 */
public interface Keyspace extends AutoCloseable {
    int databases();

    Database db(int index);

    /** SWAPDB: the two databases exchange contents (O(1)). */
    void swap(int a, int b);

    /** FLUSHALL. */
    void clearAll();

    /** Current time in ms for expiry decisions (a settable clock, for tests and DEBUG). */
    long now();

    void setClock(LongSupplier clock);

    void setExpiryListener(ExpiryListener listener);

    /** Installs (or with null removes) the observer told before every change (snapshots). */
    void setWriteObserver(WriteObserver observer);

    /** false on a replica: expired keys read as missing but are not deleted. */
    void setExpireDeletes(boolean deletes);

    /**
     * How the 24-bit lru field of values is kept: null (the default) for Redis's LRU clock
     * (seconds), else LFU counters with these parameters (an LFU maxmemory-policy). In LFU mode
     * a new key starts at {@link Lfu#INIT_VAL}, an overwritten key keeps its counter (as Redis's
     * dbOverwrite) and {@link Database#touch} counts an access.
     */
    void setLfu(Lfu lfu);

    /** Sum of {@link Database#memoryUsage()}. */
    long memoryUsage();

    /**
     * Background work (finishing shard resizes) done while the executor is idle or in cron;
     * returns true while more remains.
     */
    default boolean tick(int budget) {
        return false;
    }

    @Override
    void close();
}
