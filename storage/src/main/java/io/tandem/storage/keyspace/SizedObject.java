package io.tandem.storage.keyspace;

/**
 * A value kept as a Java object on the heap and referenced from its off-heap keyspace record by
 * a handle (see {@link ChronicleDatabase}): the large encodings of the collection types (a hash
 * table for a big hash, a quicklist for a big list), where rewriting a compact off-heap encoding
 * on every change would cost O(n).
 *
 * <p>The keyspace owns the object from {@link Database#putObject} until the key is deleted,
 * overwritten, expired or flushed; callers may mutate it in place between those points (HSET on a
 * million-field hash must not re-put it). Not thread-safe: executor thread only.
 */
public interface SizedObject {
    /** Bytes this object holds (MEMORY USAGE, used_memory); should be O(1). */
    long memoryUsage();

    /** A deep copy sharing nothing mutable with this one (COPY). */
    SizedObject copy();
}
