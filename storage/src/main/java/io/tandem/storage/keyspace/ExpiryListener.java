package io.tandem.storage.keyspace;

/** Told of each key the keyspace deletes because it expired (lazily or actively). */
@FunctionalInterface
public interface ExpiryListener {
    void expired(int db, byte[] key);
}
