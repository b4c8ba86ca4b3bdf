package io.tandem.storage.keyspace;

/**
 * A value as the keyspace hands it out: its Redis type, its encoding and its payload, plus the
 * key's absolute expiry. A fresh copy each time: the caller may keep it and change it freely.
 *
 * <p>Types use Redis's object type numbers ({@code OBJ_STRING}=0 ... {@code OBJ_STREAM}=6), which are
 * also what {@code TYPE} reports by name. For a string the payload is the string's bytes; for
 * the collection types (#3) it is their compact encoding.
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

    public StoredValue(byte type, byte encoding, byte[] payload, long expireAt, int lru) {
        this.type = type;
        this.encoding = encoding;
        this.payload = payload;
        this.expireAt = expireAt;
        this.lru = lru;
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
