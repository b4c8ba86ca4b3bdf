package io.tandem.replication;

import java.security.SecureRandom;

/**
 * A server's place in replication history, PSYNC2's way (Redis's server.replid / replid2 /
 * master_repl_offset / second_replid_offset): the current history id, the previous one (after a
 * promotion, so replicas of the old master can continue partially), the stream offset, and the
 * offset up to which the previous id is valid.
 *
 * <p>An id is 40 random hex characters, as Redis's {@code changeReplicationId}. Not thread-safe:
 * owned by the executor.
 */
public final class ReplicationIds {
    public static final String NO_ID = "0000000000000000000000000000000000000000";
    private static final SecureRandom RANDOM = new SecureRandom();

    private String replid = random();
    private String replid2 = NO_ID;
    private long offset;
    private long secondOffset = -1;
    /** Told after every change of id (not after {@link #advance}): the stream annotates the AOF. */
    private Runnable onChange = () -> { };

    /** Sets the one listener told when the ids change other than by {@link #advance}. */
    public void onChange(Runnable r) {
        onChange = r == null ? () -> { } : r;
    }

    /** A fresh 40-character hex id. */
    public static String random() {
        byte[] b = new byte[20];
        RANDOM.nextBytes(b);
        StringBuilder sb = new StringBuilder(40);
        for (byte x : b) sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        return sb.toString();
    }

    public String replid() {
        return replid;
    }

    public String replid2() {
        return replid2;
    }

    /** master_repl_offset: bytes of replication stream this server has produced or applied. */
    public long offset() {
        return offset;
    }

    /** second_repl_offset: the offset up to which replid2 is a valid name of history, or -1. */
    public long secondOffset() {
        return secondOffset;
    }

    public void advance(long bytes) {
        offset += bytes;
    }

    /** Starts a new history (Redis's changeReplicationId): DEBUG CHANGE-REPL-ID, a full resync as master. */
    public void changeId() {
        replid = random();
        onChange.run();
    }

    /**
     * Keeps the current id as the previous one, valid up to the current offset, before taking a
     * new one (Redis's shiftReplicationId, on promotion with REPLICAOF NO ONE).
     */
    public void shiftId() {
        replid2 = replid;
        secondOffset = offset + 1;
        replid = random();
        onChange.run();
    }

    /**
     * Takes the replication point an RDB file recorded (aux repl-id, repl-offset) after loading
     * it at startup, so the dataset keeps its name in history (DESIGN.md, "Knowing the offset
     * of the dataset after a restart").
     */
    public void restore(String replid, long offset) {
        this.replid = replid;
        this.offset = offset;
        onChange.run();
    }

    /**
     * Takes a whole point in history at once (a dataset recovered with its ids): replid, replid2
     * and the offset up to which replid2 is valid (-1 for none).
     */
    public void restore(String replid, long offset, String replid2, long secondOffset) {
        this.replid = replid;
        this.offset = offset;
        this.replid2 = replid2 == null ? NO_ID : replid2;
        this.secondOffset = replid2 == null || NO_ID.equals(replid2) ? -1 : secondOffset;
        onChange.run();
    }

    /** Forgets the previous id (Redis's clearReplicationId2). */
    public void clearId2() {
        replid2 = NO_ID;
        secondOffset = -1;
        onChange.run();
    }
}
