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
        /** Full sync: the RDB is on its way (Redis's send_bulk); online at the first ACK. */
        SEND_BULK("send_bulk"),
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

    ReplicaLink(Client client, Executor executor, State state, long now) {
        this.client = client;
        this.executor = executor;
        this.state = state;
        this.ackTimeMs = now;
    }

    @Override
    public void send(ByteBuf bytes) {
        client.queueShared(bytes);
        executor.markDirty(client);
    }
}
