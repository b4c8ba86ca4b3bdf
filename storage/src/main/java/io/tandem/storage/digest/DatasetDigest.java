package io.tandem.storage.digest;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code DEBUG DIGEST} exactly as Redis 7.0 computes it ({@code computeDatasetDigest} in
 * {@code debug.c}), fed from plain data so that any store can produce it.
 *
 * <p>Redis's algorithm, with {@code mix(s,x) = SHA1(s ^ SHA1(x))} and {@code xor(s,x) = s ^
 * SHA1(x)}:
 * <pre>
 * final = 0^20
 * for each db j in ascending order that holds at least one key:
 *     final = mix(final, htonl(j))                       -- order-dependent
 *     for each key k (any order):
 *         d = mix(0^20, k)
 *         d = xorObjectDigest(d, value, hasExpire)      -- see {@link ValueDigest}
 *         final ^= SHA1(d)                               -- order-free
 * </pre>
 * Keys within a database are order-free, databases are not; this class keeps one accumulator per
 * database and combines them in ascending id order in {@link #result()}, so keys and databases
 * can be fed in any order (and partial digests computed in parallel can be {@link #merge merged}).
 * An empty dataset digests to 40 zeros; a database without keys contributes nothing, not even its
 * id. Redis counts logically expired keys not yet removed: whether to feed them is the caller's
 * choice.
 *
 * <p>Not thread-safe.
 */
public final class DatasetDigest {
    /** What DEBUG DIGEST answers for an empty dataset. */
    public static final String EMPTY_HEX = "0000000000000000000000000000000000000000";

    /** Redis's "no expire" from {@code getExpire}. */
    public static final long NO_EXPIRE = -1;

    private final TreeMap<Integer, byte[]> dbs = new TreeMap<>();
    private int currentDb;

    /** Following keys belong to database {@code id} (like SELECT). Starts at 0. */
    public DatasetDigest selectDb(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("db id must be >= 0: " + id);
        }
        currentDb = id;
        return this;
    }

    /**
     * Adds a key of the selected database.
     *
     * @param expireAtMsOrMinus1 the key's absolute expiry or {@link #NO_EXPIRE}; as in Redis only
     *     whether it is {@code != -1} matters, its value is not digested
     */
    public DatasetDigest key(byte[] key, long expireAtMsOrMinus1, ValueDigest value) {
        return key(key, expireAtMsOrMinus1 != NO_EXPIRE, value);
    }

    /** Adds a key of the selected database. */
    public DatasetDigest key(byte[] key, boolean hasExpire, ValueDigest value) {
        byte[] acc = dbs.computeIfAbsent(currentDb, k -> new byte[Sha1.LEN]);
        // Redis: xorDigest(final, digest, 20) - xors the SHA-1 *of* the key digest, not the digest.
        Sha1.xorDigest(acc, keyDigest(key, hasExpire, value));
        return this;
    }

    /**
     * The per-key digest Redis computes for the dataset digest: {@code mix(0, key)} followed by the
     * value's {@code xorObjectDigest}. (What gets xor'd into the database is SHA1 of this.) (Unlike DEBUG DIGEST-VALUE, which starts at zero without
     * the key: {@link ValueDigest#digest(boolean)}.)
     */
    public static byte[] keyDigest(byte[] key, boolean hasExpire, ValueDigest value) {
        byte[] d = new byte[Sha1.LEN];
        Sha1.mixDigest(d, key);
        value.applyTo(d, hasExpire);
        return d;
    }

    /** Adds all keys of {@code other} (e.g. a digest of another shard of the same dataset). */
    public DatasetDigest merge(DatasetDigest other) {
        for (Map.Entry<Integer, byte[]> e : other.dbs.entrySet()) {
            Sha1.xorInto(dbs.computeIfAbsent(e.getKey(), k -> new byte[Sha1.LEN]), e.getValue());
        }
        return this;
    }

    /** The 20-byte digest of everything added so far. */
    public byte[] result() {
        byte[] fin = new byte[Sha1.LEN];
        for (Map.Entry<Integer, byte[]> e : dbs.entrySet()) {
            Sha1.mixDigest(fin, Sha1.htonl(e.getKey()));
            Sha1.xorInto(fin, e.getValue());
        }
        return fin;
    }

    /** {@link #result()} as 40 lowercase hex characters: DEBUG DIGEST's reply. */
    public String hex() {
        return toHex(result());
    }

    public static String toHex(byte[] digest) {
        char[] out = new char[digest.length * 2];
        final String hexDigits = "0123456789abcdef";
        for (int i = 0; i < digest.length; i++) {
            out[2 * i] = hexDigits.charAt((digest[i] >> 4) & 0xf);
            out[2 * i + 1] = hexDigits.charAt(digest[i] & 0xf);
        }
        return new String(out);
    }
}
