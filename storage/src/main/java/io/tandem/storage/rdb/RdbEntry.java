package io.tandem.storage.rdb;

/**
 * One key as an RDB file holds it.
 *
 * @param db the database selected when the key was read
 * @param expireAtMs absolute unix time in ms, or -1 for none
 * @param idleSeconds LRU idle time from an IDLE opcode, or -1
 * @param freq LFU counter from a FREQ opcode (0..255), or -1
 */
public record RdbEntry(int db, byte[] key, RdbValue value, long expireAtMs, long idleSeconds, int freq) {
    public static final long NO_EXPIRE = -1;

    public static RdbEntry of(int db, byte[] key, RdbValue value, long expireAtMs) {
        return new RdbEntry(db, key, value, expireAtMs, -1, -1);
    }
}
