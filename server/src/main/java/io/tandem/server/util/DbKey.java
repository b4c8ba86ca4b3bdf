package io.tandem.server.util;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key of a database as a hash-map key: the database index plus the key's bytes, compared by
 * content (byte arrays compare by identity). Used by the registries that index clients by key —
 * WATCH, blocking, pub/sub channels (db 0 there: channels are global). The array is not copied;
 * callers pass arrays nobody changes afterwards (command arguments are never reused).
 */
public final class DbKey {
    public final int db;
    public final byte[] key;
    private final int hash;

    public DbKey(int db, byte[] key) {
        this.db = db;
        this.key = key;
        this.hash = 31 * db + Arrays.hashCode(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DbKey k && k.hash == hash && k.db == db && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return db + ":" + new String(key, StandardCharsets.UTF_8);
    }
}
