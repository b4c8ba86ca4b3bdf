package io.tandem.server.replication;

import io.netty.buffer.ByteBuf;
import io.tandem.replication.ReplicationStream;
import io.tandem.server.exec.Client;
import io.tandem.server.exec.Executor;

/**
 * The master's view of one connected replica (Redis's slave fields of {@code client}): what it
 * told with REPLCONF, where it stands in the stream, and its sync state. Executor thread only.
 *
 * <p>Stream bytes reach it through {@link #send}: a retained duplicate of the bytes every other
 * replica gets, queued on the client's output without a copy and flushed with the executor's
 * batch.
 */
final class ReplicaLink implements ReplicationStream.Replica {
    enum State {
        /** Full sync asked: waiting for a snapshot to start (repl-diskless-sync-delay, or another one running). */
        WAIT_BGSAVE_START("wait_bgsave"),
        /** The snapshot it gets is being produced (disk), or streamed to it (diskless); its stream is held. */
        WAIT_BGSAVE_END("wait_bgsave"),
        /** Disk mode: the finished RDB file is being sent. */
        SEND_BULK("send_bulk"),
        /** The RDB was sent; the replica gets the stream (diskless: from its first REPLCONF ACK). */
        ONLINE("online");

        final String info;

        State(String info) {
            this.info = info;
        }
    }

    final Client client;
    private final Executor executor;
    State state;
    /** REPLCONF ACK: the replica's processed offset (Redis's repl_ack_off). */
    long ackOffset;
    /** Wall-clock ms of the last ACK (Redis's repl_ack_time), for lag and repl-timeout. */
    long ackTimeMs;
    /** When the unsent output first passed the soft limit, or 0 (client-output-buffer-limit replica). */
    long softLimitSinceMs;
    /** REPLCONF capa eof: it can take a diskless RDB ($EOF: framing). */
    boolean capaEof;
    /** Asked with PSYNC (answered +FULLRESYNC), not the old SYNC. */
    boolean psync;
    /** When it asked for a full sync (Redis's lastinteraction, for repl-diskless-sync-delay). */
    long waitSinceMs;
    /** The full sync it takes part in, until online. */
    FullSync sync;
    /** Diskless: the RDB is on its socket; the held stream goes out at its first REPLCONF ACK. */
    boolean startStreamOnAck;

    ReplicaLink(Client client, Executor executor, State state, long now) {
        this.client = client;
        this.executor = executor;
        this.state = state;
        this.ackTimeMs = now;
    }

    /**
     * Stream bytes produced while something else must reach the replica first (the RDB of a full
     * sync produced progressively, or backlog bytes read from disk by another thread): kept here,
     * in order, and queued after it by {@link #release}. Null when not holding.
     */
    private java.util.ArrayDeque<ByteBuf> held;
    private long heldBytes;

    @Override
    public void send(ByteBuf bytes) {
        if (held != null) {
            held.add(bytes);
            heldBytes += bytes.readableBytes();
            return;
        }
        client.queueShared(bytes);
        executor.markDirty(client);
    }

    /** From now on {@link #send} keeps the stream's bytes until {@link #release}. */
    void hold() {
        if (held == null) held = new java.util.ArrayDeque<>();
    }

    boolean holding() {
        return held != null;
    }

    /** Stream bytes kept by {@link #hold} (counted against the replica output limit). */
    long heldBytes() {
        return heldBytes;
    }

    /** Queues what was kept, in order, and stops holding. */
    void release() {
        java.util.ArrayDeque<ByteBuf> h = held;
        held = null;
        heldBytes = 0;
        if (h == null) return;
        for (ByteBuf b; (b = h.poll()) != null; ) client.queueShared(b);
        executor.markDirty(client);
    }

    /**
     * Starts holding with a copy of what {@code other} holds (Redis's copyReplicaOutputBuffer): a
     * replica joining a disk snapshot late gets the stream from the same point as the first.
     */
    void copyHeldFrom(ReplicaLink other) {
        hold();
        if (other.held == null) return;
        for (ByteBuf b : other.held) {
            held.add(b.retainedDuplicate());
            heldBytes += b.readableBytes();
        }
    }

    /** Frees what is kept (the replica went away). */
    void discardHeld() {
        java.util.ArrayDeque<ByteBuf> h = held;
        held = null;
        heldBytes = 0;
        if (h != null) for (ByteBuf b; (b = h.poll()) != null; ) b.release();
    }
}
