package io.tandem.storage.digest;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The two primitives of Redis's {@code debug.c}, on a 20-byte state:
 *
 * <ul>
 *   <li>{@code xorDigest(state, data)}: {@code state ^= SHA1(data)}. Commutative, used for
 *       unordered things (set members, hash fields, zset members, keys of a database).</li>
 *   <li>{@code mixDigest(state, data)}: {@code state = SHA1(state ^ SHA1(data))}. Order-dependent,
 *       used for strings, list elements, stream entries, the type tag and the database id.</li>
 * </ul>
 */
final class Sha1 {
    static final int LEN = 20;

    private static final ThreadLocal<MessageDigest> MD = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JRE", e);
        }
    });

    private Sha1() {}

    static byte[] hash(byte[] data) {
        return hash(data, 0, data.length);
    }

    static byte[] hash(byte[] data, int off, int len) {
        MessageDigest md = MD.get();
        md.reset();
        md.update(data, off, len);
        return md.digest();
    }

    /** {@code state ^= h}, where h is already a SHA-1 (or any 20-byte digest). */
    static void xorInto(byte[] state, byte[] h) {
        for (int i = 0; i < LEN; i++) {
            state[i] ^= h[i];
        }
    }

    /** Redis {@code xorDigest}: {@code state ^= SHA1(data)}. */
    static void xorDigest(byte[] state, byte[] data) {
        xorInto(state, hash(data));
    }

    /** Redis {@code mixDigest} given the SHA-1 of the data: {@code state = SHA1(state ^ h)}. */
    static void mixHash(byte[] state, byte[] h) {
        xorInto(state, h);
        MessageDigest md = MD.get();
        md.reset();
        md.update(state, 0, LEN);
        try {
            md.digest(state, 0, LEN);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Redis {@code mixDigest}: {@code state = SHA1(state ^ SHA1(data))}. */
    static void mixDigest(byte[] state, byte[] data) {
        mixHash(state, hash(data));
    }

    /** {@code htonl(v)}: the 4 bytes of v, big-endian, as Redis mixes type tags and db ids. */
    static byte[] htonl(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
