package io.tandem.storage.keyspace;

/**
 * A value as the keyspace hands it out: its Redis type, its encoding and its payload, plus the
 * key's absolute expiry. A fresh copy each time: the caller may keep it and change it freely.
 *
 * <p>Types use Redis's object type numbers ({@code OBJ_STRING}=0 ... {@code OBJ_STREAM}=6), which are
 * also what {@code TYPE} reports by name. For a string the payload is the string's bytes; for
 * a small collection it is its compact encoding (a Redis listpack, see
 * {@code io.tandem.storage.collection.Listpack}). A large collection is an on-heap
 * {@link #object} instead (payload empty): that object is NOT a copy but the live value the
 * keyspace owns, which commands mutate in place.
 */
public final class StoredValue {
    public static final byte TYPE_STRING = 0;
    public static final byte TYPE_LIST = 1;
    public static final byte TYPE_SET = 2;
    public static final byte TYPE_ZSET = 3;
    public static final byte TYPE_HASH = 4;
    public static final byte TYPE_STREAM = 6;

    /** No expiry. */
    public static final long NO_EXPIRE = -1;

    public final byte type;
    /** Encoding tag (see {@link Encoding}); what OBJECT ENCODING reports. */
    public final byte encoding;
    public final byte[] payload;
    /** Absolute unix time in ms, or {@link #NO_EXPIRE}. */
    public final long expireAt;
    /** LRU clock (seconds resolution, 24 bits as Redis) or LFU counter, per maxmemory-policy. */
    public final int lru;
    /**
     * The live on-heap value stored with {@link Database#putObject}, or null for a value held as
     * {@link #payload}. Mutating it changes the stored value (no put needed).
     */
    public final SizedObject object;

    static final byte[] NO_PAYLOAD = new byte[0];

    public StoredValue(byte type, byte encoding, byte[] payload, long expireAt, int lru) {
        this(type, encoding, payload, expireAt, lru, null);
    }

    public StoredValue(byte type, byte encoding, byte[] payload, long expireAt, int lru, SizedObject object) {
        this.type = type;
        this.encoding = encoding;
        this.payload = payload;
        this.expireAt = expireAt;
        this.lru = lru;
        this.object = object;
    }

    /** True if the value is an on-heap {@link #object} rather than a payload. */
    public boolean isObject() {
        return object != null;
    }

    public static String typeName(byte type) {
        return switch (type) {
            case TYPE_STRING -> "string";
            case TYPE_LIST -> "list";
            case TYPE_SET -> "set";
            case TYPE_ZSET -> "zset";
            case TYPE_HASH -> "hash";
            case TYPE_STREAM -> "stream";
            default -> "none";
        };
    }
}
