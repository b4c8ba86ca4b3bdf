package io.tandem.storage.keyspace;

/**
 * Told by the keyspace <em>before</em> data changes, so a point-in-time snapshot can save what
 * is about to change (see ARCHITECTURE.md, "Snapshots without fork"). Called on the executor
 * thread, from inside the keyspace: an observer may read with {@link Database#peek} and
 * {@link Database#snapshotWalk} but must not modify the keyspace.
 */
public interface WriteObserver {
    /**
     * The key's record in {@code db} is about to change or disappear: put/putObject, delete,
     * a TTL change, lazy or active expiry — or an on-heap collection stored under it is being
     * handed out by {@link Database#get}, after which the caller may mutate it in place.
     */
    void beforeChange(int db, byte[] key);

    /** Every key of {@code db} is about to be dropped (FLUSHDB, or each database of FLUSHALL). */
    void beforeClear(int db);

    /** FLUSHALL (or a reload) is about to drop every database; {@link #beforeClear} follows for each. */
    default void beforeClearAll() {}

    /** SWAPDB {@code a b} is about to exchange the two databases' contents. */
    void beforeSwap(int a, int b);
}
