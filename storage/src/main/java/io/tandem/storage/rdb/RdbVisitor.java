package io.tandem.storage.rdb;

/**
 * What {@link RdbFileReader} reports, in file order. Only {@link #entry} is required. A
 * callback may throw {@link RdbFormatException} to stop the load (e.g. a value the keyspace
 * refuses); the reader adds nothing after such an exception.
 */
public interface RdbVisitor {
    /** The header's version (1..11). */
    default void version(int version) {}

    /** An AUX field: redis-ver, redis-bits, ctime, used-mem, repl-stream-db, repl-id, repl-offset, aof-base, or any other. */
    default void aux(byte[] key, byte[] value) {}

    default void selectDb(int db) {}

    default void resizeDb(long dbSize, long expiresSize) {}

    /** A function library's code (FUNCTION2); skipped unless overridden. */
    default void function(byte[] code) {}

    /**
     * The type byte of the next key, read at {@code offset}, before its name and value are read
     * (so a tool can say which type it was reading when the file turns out to be damaged, and
     * which encoding the file used).
     */
    default void objectType(int rdbType, long offset) {}

    /**
     * A key of a type Tandem cannot hold (a stream), read and checked but not decoded; only with
     * {@link RdbFileReader#skipStreams}. Ignored unless overridden.
     */
    default void skipped(int db, byte[] key, int rdbType, long expireAtMs) {}

    /** One key. Empty collections are not reported (Redis skips them on load). */
    void entry(RdbEntry entry) throws RdbFormatException;
}
