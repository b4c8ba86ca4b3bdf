package io.tandem.server.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.tandem.replication.ReplicationIds;
import io.tandem.replication.ReplicationStream;
import io.tandem.replication.backlog.BacklogStoreException;
import io.tandem.replication.backlog.DiskBacklog;
import io.tandem.server.Server;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.exec.Client;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The disk backlog's life in the server (issue #6): opening it at startup and reconciling it
 * with the dataset just loaded, committing it once per executor batch (before the AOF writes the
 * same bytes), syncing it once a second, serving partial resyncs from it on another thread, and
 * closing it cleanly at shutdown.
 *
 * <pre>
 *   startup:   load dataset ─► point (replid, X) from AOF #REPL / RDB aux ─► open LMDB backlog
 *              ─► reconcile: backlog truncated or reset so that it ends exactly at X
 *              ─► keep replid, or shift it (new id; old one valid up to X) when a replica
 *                 may hold bytes past X
 *   each batch (executor): stream bytes ─► backlog.append ─► flushDirty: commit ─► AOF write
 *                          ─► replies and replica output
 *   once a second (tandem-backlog-sync): env sync
 *   PSYNC below the ring: +CONTINUE and the bytes read from LMDB on tandem-backlog-reader, the
 *                         replica's live stream held meanwhile (ReplicaLink.hold)
 * </pre>
 *
 * <p>Why a replica can never be ahead of X when the replid is kept: stream bytes reach replica
 * sockets only after the batch's AOF write (Executor.flushDirty runs the AOF before handing
 * replies and replica output to the network). A process crash (SIGKILL) keeps everything
 * written into the kernel, so the AOF holds every byte a replica got; only an OS crash or power
 * loss can lose written-but-unsynced bytes — unless {@code appendfsync always} forced them
 * before they were sent. So the replid is kept after a clean shutdown that left the dataset at
 * the backlog's end, or when the dataset came from the AOF and either the OS did not restart
 * since (same boot id) or the previous run used {@code appendfsync always}; otherwise the
 * history is renamed (PSYNC2's shift: replicas at or below X still continue with +CONTINUE,
 * a replica that was ahead gets a full sync instead of a wrong history).
 */
final class DiskHistory {
    private static final Logger log = LoggerFactory.getLogger(DiskHistory.class);
    /** The in-memory ring in front of the disk backlog: recent bytes served without a disk read. */
    static final long RING_SIZE = 1 << 20;
    /** Bytes read from LMDB and written to a catching-up replica at a time. */
    private static final int READ_CHUNK = 1 << 20;

    private final Server server;
    private final ServerConfig config;
    private final ReplicationStream stream;
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tandem-backlog-reader");
        t.setDaemon(true);
        return t;
    });
    private Thread syncThread;
    private volatile boolean running;
    private DiskBacklog disk;
    private Path dir;

    DiskHistory(Server server, ServerConfig config, ReplicationStream stream) {
        this.server = server;
        this.config = config;
        this.stream = stream;
    }

    boolean enabled() {
        return config.getBool("repl-backlog-disk");
    }

    DiskBacklog disk() {
        return disk;
    }

    /** This boot of the OS (Linux), or null: the page cache survived a crash iff it is unchanged. */
    static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (Exception e) {
            return null;
        }
    }

    private static Map<String, String> parseFlags(String flags) {
        Map<String, String> m = new HashMap<>();
        if (flags == null) return m;
        for (String kv : flags.split(";")) {
            int i = kv.indexOf('=');
            if (i > 0) m.put(kv.substring(0, i), kv.substring(i + 1));
        }
        return m;
    }

    private String runFlags() {
        String boot = bootId();
        String fsync = config.getBool("appendonly") ? config.appendfsync() : "none";
        return "boot=" + (boot == null ? "" : boot) + ";fsync=" + fsync;
    }

    /**
     * Startup, after the dataset was loaded and before the executor starts: opens the backlog
     * under {@code dir/repl-backlog-dirname}, reconciles it with the dataset's point and attaches
     * it to the stream. A corrupt store is logged, removed and started afresh (replicas then
     * full-sync: never a partial resync onto bytes we cannot vouch for).
     */
    void open(boolean replica) {
        dir = Path.of(config.getString("dir")).resolve(config.getString("repl-backlog-dirname"));
        try {
            disk = DiskBacklog.open(dir, config.replBacklogSize(), config.replBacklogTtl());
        } catch (BacklogStoreException e) {
            log.warn("The disk replication backlog in {} is unusable ({}): starting an empty one. Replicas will need a full resynchronization.",
                    dir, e.getMessage());
            DiskBacklog.destroy(dir);
            disk = DiskBacklog.open(dir, config.replBacklogSize(), config.replBacklogTtl());
            reconcile(server.loadedPointFrom == null ? null : "unverifiable", replica);
            start();
            return;
        }
        reconcile(server.loadedPointFrom, replica);
        start();
    }

    /**
     * Makes the backlog end exactly at the dataset's offset X (the invariant of ARCHITECTURE.md)
     * and decides whether the dataset keeps its replid. {@code from}: where the point came from
     * ("aof", "rdb", "replica" after a recovery, "unverifiable" when the backlog was lost), or
     * null when the dataset is not named (then the backlog restarts at the current offset).
     */
    void reconcile(String from, boolean replica) {
        ReplicationIds ids = server.replicationIds();
        long x = ids.offset();
        DiskBacklog.Identity prev = disk.identity();
        boolean clean = disk.wasCleanlyClosed();
        Map<String, String> flags = parseFlags(disk.previousFlags());
        long prevFirst = disk.firstByteOffset();
        long prevEnd = disk.endOffset();
        boolean sameHistory = from != null && prev != null && prev.replid() != null
                && (ids.replid().equals(prev.replid()) || (ids.replid().equals(prev.replid2()) && x < prev.secondOffset()));
        boolean inRange = prevFirst - 1 <= x && x <= prevEnd;
        if (sameHistory && inRange) {
            if (x < prevEnd) {
                log.warn("Disk replication backlog ends at offset {}, past the dataset loaded ({}): dropping its last {} bytes.",
                        prevEnd, x, prevEnd - x);
                disk.truncateAfter(x);
            }
            if (ids.replid2().equals(ReplicationIds.NO_ID) && ids.replid().equals(prev.replid()) && prev.replid2() != null
                    && !ReplicationIds.NO_ID.equals(prev.replid2()) && prev.secondOffset() > 0) {
                // an RDB does not carry replid2: the backlog's identity does
                ids.restore(ids.replid(), x, prev.replid2(), prev.secondOffset());
            }
            log.info("Disk replication backlog reconciled with the dataset: replication ID {}, offsets {} to {} ({} bytes).",
                    ids.replid(), disk.firstByteOffset(), disk.endOffset(), disk.histlen());
        } else {
            if (from != null && prev != null && prev.replid() != null && prevEnd >= prevFirst) {
                log.warn("Disk replication backlog (ID {}, offsets {} to {}) does not hold the dataset's point (ID {}, offset {}): starting it afresh.",
                        prev.replid(), prevFirst, prevEnd, ids.replid(), x);
            }
            disk.reset(x);
        }
        if (from != null && !replica) {
            String boot = bootId();
            boolean sameBoot = boot != null && boot.equals(flags.get("boot"));
            boolean aofSafe = "aof".equals(from) && (sameBoot || "always".equals(flags.get("fsync")));
            boolean cleanAtEnd = clean && sameHistory && x == prevEnd;
            if (!cleanAtEnd && !aofSafe) {
                // A replica may hold stream bytes past X (sent before they were durable here): a new
                // name for what follows, the old one valid up to X (PSYNC2 promotion rules).
                ids.shiftId();
                log.warn("The dataset may be behind what replicas received (loaded from {}, {}): new replication ID {}, "
                        + "the previous one {} valid up to offset {}.", from, clean ? "clean shutdown" : "after a crash",
                        ids.replid(), ids.replid2(), ids.secondOffset() - 1);
            }
        }
        disk.setIdentity(ids.replid(), ids.replid2(), ids.secondOffset());
        disk.setRunFlags(runFlags());
        // durable now: a crash from here on is an unclean stop of this run
        disk.commit();
        disk.sync();
    }

    private void start() {
        stream.resumeBacklog(disk, Math.min(RING_SIZE, config.replBacklogSize()));
        server.executor().setBeforeAof(stream::commitDisk);
        if (running) return;
        running = true;
        syncThread = new Thread(this::syncLoop, "tandem-backlog-sync");
        syncThread.setDaemon(true);
        syncThread.start();
    }

    /** Once a second: what the batches committed reaches the disk (LMDB runs with MDB_NOSYNC). */
    private void syncLoop() {
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            DiskBacklog d = disk;
            if (d == null || !running) continue;
            try {
                d.sync();
            } catch (RuntimeException e) {
                if (running) log.warn("Error syncing the disk replication backlog: {}", e.getMessage());
            }
        }
    }

    /**
     * Serves a partial resync the ring cannot: {@code head} (+CONTINUE) and the bytes from
     * {@code offset} to the current end, read from LMDB on a reader thread and written to the
     * replica's channel with backpressure, while the live stream is held; then the held bytes
     * follow, in order (both go through the channel's event loop, the held ones queued only after
     * the reader's last write). A read failure (the bytes were trimmed meanwhile, a checksum)
     * drops the replica: it reconnects and gets a full sync.
     */
    void serve(ReplicaLink r, Client cl, String head, long offset) {
        DiskBacklog d = disk;
        d.commit();
        long end = server.replicationIds().offset();
        Channel ch = cl.channel;
        r.hold();
        if (ch == null) return;
        readers.execute(() -> {
            boolean ok = true;
            long next = offset;
            try {
                ch.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII))).sync();
                while (next <= end && ch.isActive()) {
                    ByteBuf b = d.read(next, (int) Math.min(READ_CHUNK, end - next + 1), ch.alloc());
                    if (!b.isReadable()) {
                        b.release();
                        break;
                    }
                    next += b.readableBytes();
                    ch.writeAndFlush(b).sync();
                }
            } catch (Exception e) {
                ok = false;
                log.warn("Partial resynchronization from the disk backlog failed at offset {}: {}. Dropping the replica: it will resync.",
                        next, e.getMessage());
            }
            boolean done = ok;
            server.executor().execute(() -> {
                if (done) r.release();
                else server.killClient(cl, false);
            });
        });
    }

    /** Shutdown, after the executor stopped and the AOF closed: commit, mark clean, sync, close. */
    void close() {
        running = false;
        if (syncThread != null) syncThread.interrupt();
        readers.shutdownNow();
        if (disk != null) {
            disk.close();
            log.info("Disk replication backlog closed at offset {}.", disk.endOffset());
        }
    }
}
