package io.tandem.server.replication;

import java.util.ArrayList;
import java.util.List;

/**
 * One point-in-time snapshot produced for full syncs (Redis: one BGSAVE "for SYNC") and the
 * replicas it serves. Every replica here was set up at the snapshot's start, or (disk mode)
 * joined while it was written with a copy of a first replica's held stream, so all of them
 * continue the stream from {@link #offset}. Executor thread only.
 */
final class FullSync {
    /** Diskless: the RDB goes straight to the replicas' sockets ({@link #fanout}); else to dbfilename, then sent. */
    final boolean toSockets;
    final String replid;
    final long offset;
    final SocketFanout fanout;
    final List<ReplicaLink> replicas = new ArrayList<>();
    /** The snapshot has ended (its file is complete, or its last byte went to the sockets). */
    boolean ended;

    FullSync(boolean toSockets, String replid, long offset, SocketFanout fanout) {
        this.toSockets = toSockets;
        this.replid = replid;
        this.offset = offset;
        this.fanout = fanout;
    }

    /**
     * A replica still waiting for this disk snapshot, whose held stream a late replica can copy;
     * null if none is left (then a late replica waits for the next snapshot).
     */
    ReplicaLink holder() {
        for (ReplicaLink r : replicas) {
            if (r.state == ReplicaLink.State.WAIT_BGSAVE_END && r.holding()) return r;
        }
        return null;
    }
}
