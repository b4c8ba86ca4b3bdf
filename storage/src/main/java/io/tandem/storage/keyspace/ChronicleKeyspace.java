package io.tandem.storage.keyspace;

import net.openhft.chronicle.bytes.BytesStore;

import java.util.function.LongSupplier;

/**
 * The {@link Keyspace} off the Java heap: each database is a {@link ChronicleDatabase} over
 * sharded, incrementally-resized Chronicle Maps (see {@link GrowableMap}), with big values in
 * native memory ({@link BigValues}). Java heap use does not grow with the number of keys.
 *
 * <p>{@link #open} builds database 0 eagerly: the first Chronicle Map in a JVM takes about a
 * second (Chronicle compiles a class); later maps take milliseconds, so the other databases are
 * built on their first write.
 *
 * <p>Not thread-safe: owned by the executor thread. {@link #close} frees all native memory.
 */
public final class ChronicleKeyspace implements Keyspace {
    /**
     * Tuning.
     *
     * @param shardBits               log2 of the number of shards per database (each resized on its own)
     * @param initialCapacityPerShard entries planned for a shard's first map (it grows from there)
     * @param entriesPerSegment       planned entries per Chronicle segment: the SCAN granularity
     * @param migrateBatch            entries moved to a new map on each write while a shard resizes
     * @param inlineValueMax          payloads longer than this go to native blocks instead of the map
     */
    public record Options(int shardBits, long initialCapacityPerShard, int entriesPerSegment, int migrateBatch,
                          int inlineValueMax) {
        public static final Options DEFAULT = new Options(3, 16 * 1024, 512, 32, 8 * 1024);

        public Options {
            if (shardBits < 0 || shardBits > 8) throw new IllegalArgumentException("shardBits " + shardBits);
            if (inlineValueMax < 0 || inlineValueMax > GrowableMap.MAX_ENTRY) {
                throw new IllegalArgumentException("inlineValueMax " + inlineValueMax);
            }
        }
    }

    private final Options options;
    private final ChronicleDatabase[] dbs;
    private LongSupplier clock = System::currentTimeMillis;
    private ExpiryListener listener = (db, key) -> { };
    private boolean expireDeletes = true;
    private WriteObserver observer;
    private final BytesStore<?, Void> writeBuffer = BytesStore.nativeStoreWithFixedCapacity(GrowableMap.MAX_ENTRY + 64);
    private final BytesStore<?, Void> expireBuffer = BytesStore.nativeStoreWithFixedCapacity(8);
    private final byte[] recordBuffer = new byte[GrowableMap.MAX_ENTRY + 64];
    private boolean closed;
    private long resizes;
    private Lfu lfu;

    private ChronicleKeyspace(int databases, Options options) {
        if (databases < 1) throw new IllegalArgumentException("databases " + databases);
        this.options = options;
        this.dbs = new ChronicleDatabase[databases];
        for (int i = 0; i < databases; i++) dbs[i] = new ChronicleDatabase(this, i);
        dbs[0].store = new ChronicleDatabase.Store(options, 0, this::resized);
    }

    public static ChronicleKeyspace open(int databases) {
        return new ChronicleKeyspace(databases, Options.DEFAULT);
    }

    public static ChronicleKeyspace open(int databases, Options options) {
        return new ChronicleKeyspace(databases, options);
    }

    Options options() {
        return options;
    }

    @Override
    public int databases() {
        return dbs.length;
    }

    @Override
    public ChronicleDatabase db(int index) {
        return dbs[index];
    }

    @Override
    public void swap(int a, int b) {
        if (observer != null) observer.beforeSwap(a, b);
        ChronicleDatabase.Store s = dbs[a].store;
        dbs[a].store = dbs[b].store;
        dbs[b].store = s;
    }

    @Override
    public void clearAll() {
        if (observer != null) observer.beforeClearAll();
        for (ChronicleDatabase db : dbs) db.clear();
    }

    @Override
    public long now() {
        return clock.getAsLong();
    }

    @Override
    public void setClock(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void setExpiryListener(ExpiryListener listener) {
        this.listener = listener == null ? (db, key) -> { } : listener;
    }

    @Override
    public void setExpireDeletes(boolean deletes) {
        this.expireDeletes = deletes;
    }

    boolean expireDeletes() {
        return expireDeletes;
    }

    @Override
    public void setWriteObserver(WriteObserver observer) {
        this.observer = observer;
    }

    /** Tells the observer (if any) that the key is about to change. */
    void beforeChange(int db, byte[] key) {
        if (observer != null) observer.beforeChange(db, key);
    }

    void beforeClear(int db) {
        if (observer != null) observer.beforeClear(db);
    }

    void notifyExpired(int db, byte[] key) {
        listener.expired(db, key);
    }

    void resized() {
        resizes++;
    }

    /** Number of map resizes started since open (a new, bigger map pushed in front of a shard's). */
    public long resizes() {
        return resizes;
    }

    /** Redis's LRU clock: seconds, 24 bits. */
    int lruClock() {
        return (int) ((now() / 1000) & 0xFFFFFF);
    }

    @Override
    public void setLfu(Lfu lfu) {
        this.lfu = lfu;
    }

    /** The LFU parameters, or null in LRU mode. */
    Lfu lfu() {
        return lfu;
    }

    /** The lru field of a value created now (LRU clock, or LFU initial counter). */
    int newLru() {
        return lfu == null ? lruClock() : lfu.initial(now());
    }

    BytesStore<?, ?> writeBuffer() {
        return writeBuffer;
    }

    BytesStore<?, ?> expireBuffer() {
        return expireBuffer;
    }

    byte[] recordBuffer() {
        return recordBuffer;
    }

    /**
     * Advances resizes in every database by up to {@code budget} entries per resizing shard
     * (call from the executor's cron/idle time); returns true while any is under way.
     */
    public boolean tick(int budget) {
        boolean busy = false;
        for (ChronicleDatabase db : dbs) busy |= db.tick(budget);
        return busy;
    }

    @Override
    public long memoryUsage() {
        long n = 0;
        for (ChronicleDatabase db : dbs) n += db.memoryUsage();
        return n;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (ChronicleDatabase db : dbs) db.close();
        writeBuffer.releaseLast();
        expireBuffer.releaseLast();
    }
}
