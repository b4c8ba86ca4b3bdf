package io.tandem.storage.keyspace;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One logical database ({@code SELECT n}): keys to {@link StoredValue}s, with expiry.
 *
 * <p>CONTRACT (implemented by the Chronicle Map backed keyspace; see ARCHITECTURE.md):
 * <ul>
 *   <li>Owned by the executor thread: not thread-safe, never blocks.</li>
 *   <li>Keys are compared by content. Passed-in arrays are not kept or changed after the call.</li>
 *   <li>Expiry is lazy on access: every read ({@link #get}, {@link #type}, {@link #exists},
 *       {@link #getExpire}, scans) treats a key whose expiry is ≤ {@link Keyspace#now()} as
 *       missing. On a master it is also deleted then and reported to the keyspace's
 *       {@link ExpiryListener}; on a replica ({@link Keyspace#setExpireDeletes(boolean) false})
 *       it only reads as missing, awaiting the master's DEL.</li>
 *   <li>Grows without a limit other than memory: no method fails because a map is full.</li>
 *   <li>Values of any size up to 512 MB.</li>
 * </ul>
 */
public interface Database {
    /** The index of this database as SELECT sees it. */
    int index();

    /** The live value, or null if absent or expired. */
    StoredValue get(byte[] key);

    /** The type of the live value, or -1 if absent or expired. */
    int type(byte[] key);

    boolean exists(byte[] key);

    /**
     * Stores a value. {@code expireAt} is absolute ms or {@link StoredValue#NO_EXPIRE}; to keep
     * the current TTL pass {@link #KEEP_TTL}.
     */
    void put(byte[] key, byte type, byte encoding, byte[] payload, long expireAt);

    /**
     * Stores an on-heap object (a large collection) under the key: the off-heap record keeps a
     * handle to it, {@link #get} hands out the same object, and the keyspace drops its reference
     * when the key is deleted, overwritten, expired, flushed or the keyspace closes. The caller
     * must not store the same object under two keys (COPY stores {@link SizedObject#copy()}).
     */
    void putObject(byte[] key, byte type, byte encoding, SizedObject value, long expireAt);

    /** Number of on-heap objects this database holds (live handles), for tests and INFO. */
    long objectCount();

    /** Pass as expireAt to {@link #put} to keep the key's current expiry (KEEPTTL). */
    long KEEP_TTL = -2;

    /** Removes the key; true if it existed (and was live). */
    boolean delete(byte[] key);

    /** -2 if absent, -1 if no expiry, else the absolute expiry in ms. */
    long getExpire(byte[] key);

    /** Sets (or with {@link StoredValue#NO_EXPIRE} removes) the key's expiry; false if the key is absent. */
    boolean setExpire(byte[] key, long expireAt);

    /** Number of keys, including keys that expired but were not yet reclaimed (as Redis's dbsize). */
    long size();

    /** Number of keys with an expiry (INFO keyspace {@code expires=}). */
    long expiresCount();

    /** Removes every key. */
    void clear();

    /** A uniformly-ish random live key, or null when empty. */
    byte[] randomKey();

    /**
     * One step of a SCAN: calls {@code out} with live keys from the position {@code cursor}
     * names and returns the next cursor, 0 when the iteration is complete. Guarantees as Redis's
     * SCAN: a key present for the whole iteration is returned at least once, possibly more; a
     * cursor stays valid across growth. {@code count} is a hint of how many keys to return.
     */
    long scan(long cursor, int count, Consumer<byte[]> out);

    /** Visits every live key and value (KEYS, DEBUG DIGEST, RDB save). Must not modify the database. */
    void forEach(BiConsumer<byte[], StoredValue> visitor);

    /**
     * Active expiry, as Redis's activeExpireCycle: looks at up to {@code maxChecks} keys with an
     * expiry and deletes those that have expired (reporting each to the listener). Returns the
     * number deleted. Resumes where the previous call stopped.
     */
    int activeExpire(int maxChecks);

    /**
     * Records an access for LRU/LFU (called on reads by the executor when the policy needs it).
     */
    void touch(byte[] key);

    /**
     * Sets the key's 24-bit LRU/LFU field (RENAME and MOVE keep the value's access history);
     * false if the key is absent.
     */
    boolean setLru(byte[] key, int lru);

    /** Up to {@code n} random keys with their values, for eviction sampling; {@code volatileOnly} restricts to keys with an expiry. */
    void sample(int n, boolean volatileOnly, BiConsumer<byte[], StoredValue> out);

    /** Bytes used off-heap by this database (keys, values, overhead) for used_memory. */
    long memoryUsage();

    /** Bytes one key uses (MEMORY USAGE), or -1 if absent. */
    long memoryUsage(byte[] key);

    /**
     * The key's record as stored, expired or not, with no side effect at all: no lazy expiry,
     * no observer call, no access recorded. For snapshot writers; null if absent.
     */
    StoredValue peek(byte[] key);

    /** A fixed order over this database's keys for a point-in-time walk; see {@link SnapshotWalk}. */
    SnapshotWalk snapshotWalk();

    /**
     * The keys of a database split into numbered buckets by their hash, fixed when the walk is
     * created: a key's bucket never changes (growth and migrations move entries between maps,
     * never between buckets), so "bucket(key) &lt; next bucket to visit" tells whether a walk has
     * already visited a key. Valid while the database's contents are not cleared or swapped.
     */
    interface SnapshotWalk {
        /** Number of buckets (0 for a database that had no storage when the walk was created). */
        int buckets();

        int bucketOf(byte[] key);

        /**
         * Calls {@code out} with every key of the bucket and its record, expired keys included,
         * changing nothing; returns the number of keys visited. {@code out} must not modify
         * the database.
         */
        int visit(int bucket, BiConsumer<byte[], StoredValue> out);
    }
}
