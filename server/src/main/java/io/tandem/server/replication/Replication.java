package io.tandem.server.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.DefaultFileRegion;
import io.tandem.replication.ReplicationIds;
import io.tandem.replication.ReplicationStream;
import io.tandem.replication.backlog.Backlog;
import io.tandem.server.Server;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.server.commands.Info;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.exec.Client;
import io.tandem.server.persist.Persistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Replication, master side (Redis 7.0's replication.c, "MASTER" part): the stream every
 * propagated write goes to, its backlog, the replicas, and the commands replicas and clients
 * use — REPLCONF, SYNC/PSYNC, WAIT, ROLE — plus INFO replication. Executor thread only.
 *
 * <pre>
 *   Dispatcher ─► Propagation.finish ─► sink: stream.feed(db, argv) ─► backlog, offset, replicas
 *
 *   replica: PING, [AUTH], REPLCONF listening-port p, REPLCONF capa eof capa psync2,
 *            PSYNC replid offset ─┬─► +CONTINUE replid  + backlog from offset, then the stream
 *                                 └─► +FULLRESYNC replid offset + $len RDB, then the stream
 *            then REPLCONF ACK off every second (offset, lag; WAIT counts these)
 * </pre>
 *
 * <p>A full resync's RDB is the forkless point-in-time snapshot (persist.Snapshot: a walk in
 * slices on the executor plus a write hook), started at one executor instant that fixes its
 * (replid, offset); each replica's stream from that offset is held ({@link ReplicaLink#hold})
 * until its last RDB byte is on the socket. Disk mode writes dbfilename (a BGSAVE) and sends the
 * file; diskless mode streams the walk's chunks to every replica at once ({@link SocketFanout}).
 * One snapshot serves every replica that starts while it is produced (Redis's rules: a disk
 * snapshot takes late replicas by copying a first replica's held stream; a diskless one waits
 * repl-diskless-sync-delay for more, or until repl-diskless-sync-max-replicas).
 *
 * <pre>
 *   PSYNC ─► WAIT_BGSAVE_START ─(snapshot starts: +FULLRESYNC, hold)─► WAIT_BGSAVE_END
 *     disk:     file complete ─► SEND_BULK ($len + file) ─► ONLINE, held stream released
 *     diskless: $EOF:mark + walk chunks + mark on the socket ─► ONLINE ─(first REPLCONF ACK)─► stream released
 * </pre>
 */
public final class Replication {
    private static final Logger log = LoggerFactory.getLogger(Replication.class);
    private static final byte[][] GETACK = {b("REPLCONF"), b("GETACK"), b("*")};

    private final Server server;
    private final ServerConfig config;
    private final ReplicationStream stream;
    /** REPLCONF state of connections that may become replicas (listening port, ip, capabilities). */
    private final Map<Client, Hello> hellos = new IdentityHashMap<>();
    /** Connected replicas, in the order they attached (INFO slaveN, ROLE). */
    private final List<ReplicaLink> replicas = new ArrayList<>();
    private final Map<Client, ReplicaLink> byClient = new IdentityHashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    /** The snapshot being produced for full syncs (Redis: the RDB child "for SYNC"), or null. */
    private FullSync current;
    private long lastNewlineMs;
    private final ReplicaRole replica;
    private long lastPingMs;
    /** Online replicas whose last ACK is within min-replicas-max-lag (repl_good_slaves_count). */
    private int goodReplicas;
    /** repl_no_slaves_since: since when this master has had no replica (repl-backlog-ttl). */
    private long noReplicasSinceMs = System.currentTimeMillis();
    /** The backlog was freed by repl-backlog-ttl: writes do not bring it back, only a replica does. */
    private boolean backlogFreed;
    /** dir/known-replicas, kept while master-recover-from-replica is yes (MasterRecovery reads it). */
    private final KnownReplicas knownReplicas;

    private static final class Hello {
        int listeningPort;
        String ip;
        boolean capaEof;
        boolean capaPsync2;
        /** REPLCONF tandem-recover 1: a master recovering its dataset from this replica (MasterRecovery). */
        boolean recover;
    }

    /** A client blocked in WAIT. */
    private record Waiter(Client client, long offset, long numReplicas, long deadlineMs) {}

    private final DiskHistory history;

    private Replication(Server server, ServerConfig config) {
        this.server = server;
        this.config = config;
        this.stream = new ReplicationStream(server.replicationIds());
        this.replica = new ReplicaRole(server, config, stream, this::disconnectReplicas);
        this.history = new DiskHistory(server, config, stream);
        this.knownReplicas = new KnownReplicas(config::dirPath);
    }

    /**
     * Startup, once the dataset is loaded (before the executor starts): with repl-backlog-disk,
     * opens the disk backlog and reconciles it with the dataset's point, so that the backlog
     * ends exactly where the dataset does and replicas can continue partially.
     */
    public void datasetLoaded() {
        if (history.enabled()) history.open(replica.isReplica());
    }

    /** Shutdown, after the executor stopped and the AOF was closed. */
    public void close() {
        history.close();
    }

    /** Wires replication into a server being assembled (called once from Commands.registerAll). */
    public static Replication install(Server server, Info info, ServerConfig config) {
        Replication r = new Replication(server, config);
        server.replication(r);
        server.propagation().addSink(r::feed);
        server.replicationStream(r.stream);
        server.replStreamDb(() -> r.replica.isReplica() ? r.replica.streamDb() : Math.max(0, r.stream.selectedDb()));
        info.section("replication", r::info);
        config.onChange("repl-backlog-size", (n, before, after) -> {
            if (r.stream.disk() != null) r.stream.disk().resize(config.replBacklogSize());
            else r.stream.resizeBacklog(config.replBacklogSize());
        });
        config.onChange("repl-backlog-ttl", (n, before, after) -> {
            if (r.stream.disk() != null) r.stream.disk().ttl(config.replBacklogTtl());
        });
        io.tandem.server.commands.DebugExtensions.register("backlog", c -> c.server.replication().debugBacklog(c));
        config.onChange("min-replicas-to-write", (n, before, after) -> r.refreshGoodReplicas());
        config.onChange("min-replicas-max-lag", (n, before, after) -> r.refreshGoodReplicas());
        config.onChange("master-recover-from-replica", (n, before, after) -> r.onlineReplicasChanged());
        config.onChange("dir", (n, before, after) -> {
            r.knownReplicas.reset();
            r.onlineReplicasChanged();
        });
        server.addDenyRule((c, spec) -> spec.isWrite() && !r.enoughGoodReplicas() && !r.replica.isMasterClient(c)
                ? "NOREPLICAS Not enough good replicas to write." : null);
        CommandTable t = server.commands();
        t.register("replconf", r::replconf);
        t.register("sync", r::sync);
        t.register("psync", r::sync);
        t.register("wait", r::waitCommand);
        t.register("role", r::role);
        t.register("replicaof", r.replica::replicaof);
        t.register("slaveof", r.replica::replicaof);
        server.addClientListener(r::disconnected);
        server.addCronTask(r::cron);
        r.replica.install();
        new MasterRecovery(server, config, r).install();
        return r;
    }

    public ReplicationStream stream() {
        return stream;
    }

    /** The propagation sink: the stream, with a backlog from the first write after a restore. */
    private void feed(int db, byte[][] argv) {
        if (stream.backlog() == null && server.replicationIds().offset() > 0 && !replica.isReplica() && !backlogFreed) createBacklog();
        stream.feed(db, argv);
    }

    /**
     * Creates the backlog at the current offset. A master whose offset is 0 has no history worth
     * keeping and takes a fresh replid (Redis's syncCommand); one whose (replid, offset) were
     * restored from an RDB at startup keeps them, so that writes after the load are counted and
     * its replicas can continue partially after a restart (Redis 7.0 creates the backlog at load
     * for the same reason; ARCHITECTURE.md, invariant 6).
     */
    private void createBacklog() {
        ReplicationIds ids = server.replicationIds();
        if (ids.offset() == 0) {
            ids.changeId();
            ids.clearId2();
        }
        stream.createBacklog(config.replBacklogSize());
        backlogFreed = false;
        log.info("Replication backlog created, my new replication IDs are '{}' and '{}'", ids.replid(), ids.replid2());
    }

    /**
     * A master that restarted empty has just loaded the dataset of a replica that was at
     * (replid, offset) ({@link MasterRecovery}): it takes that point, then starts a new history
     * keeping the replica's replid as replid2 up to offset+1, so the replicas at that offset
     * continue with {@code +CONTINUE} while one that was ahead (and unreachable) gets a full sync
     * instead of continuing a history this master no longer has. The backlog starts at offset.
     * Executor thread.
     */
    void recovered(String replid, long offset) {
        ReplicationIds ids = server.replicationIds();
        ids.restore(replid, offset);
        ids.shiftId();
        createBacklog();
        log.info("Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
                ids.replid2(), ids.secondOffset(), ids.replid());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private long nowMs() {
        return System.currentTimeMillis();
    }

    // ------------------------------------------------------------------ REPLCONF

    /**
     * REPLCONF option value [option value ...] (replconfCommand): listening-port, ip-address,
     * capa, rdb-only answer +OK; ACK records the replica's offset and answers nothing; GETACK is
     * for replicas (a master ignores it); anything else is refused.
     */
    private void replconf(Call c) {
        if (c.argc() % 2 == 0) throw CommandError.SYNTAX_ERROR;
        Hello h = hellos.computeIfAbsent(c.client, k -> new Hello());
        for (int j = 1; j < c.argc(); j += 2) {
            if (c.is(j, "listening-port")) {
                long port = c.longArg(j + 1);
                h.listeningPort = (int) port;
            } else if (c.is(j, "ip-address")) {
                String ip = c.str(j + 1);
                if (ip.length() >= 46) {
                    throw new CommandError("ERR REPLCONF ip-address provided by replica instance is too long: " + ip.length() + " bytes");
                }
                h.ip = ip;
            } else if (c.is(j, "capa")) {
                if (c.is(j + 1, "eof")) h.capaEof = true;
                else if (c.is(j + 1, "psync2")) h.capaPsync2 = true;
            } else if (c.is(j, "ack")) {
                ReplicaLink r = byClient.get(c.client);
                if (r == null) return;
                long off;
                try {
                    off = Long.parseLong(c.str(j + 1));
                } catch (NumberFormatException e) {
                    return;
                }
                ack(r, off);
                if (r.startStreamOnAck && r.state == ReplicaLink.State.ONLINE) startStream(r);
                return; // no reply, as Redis
            } else if (c.is(j, "getack")) {
                if (replica.isMasterClient(c.client)) replica.sendAck();
                return; // a master has nobody to ACK to
            } else if (c.is(j, "rdb-only")) {
                long v = c.longArg(j + 1);
                if (v != 0 && v != 1) throw CommandError.SYNTAX_ERROR;
            } else if (c.is(j, "tandem-recover")) {
                long v = c.longArg(j + 1);
                if (v != 0 && v != 1) throw CommandError.SYNTAX_ERROR;
                h.recover = v == 1;
            } else {
                throw new CommandError("ERR Unrecognized REPLCONF option: " + c.str(j));
            }
        }
        c.out.ok();
    }

    private void ack(ReplicaLink r, long off) {
        if (off > r.ackOffset) r.ackOffset = off;
        r.ackTimeMs = nowMs();
        if (!waiters.isEmpty()) serveWaiters();
    }

    // ------------------------------------------------------------------ SYNC / PSYNC

    /**
     * SYNC and PSYNC replid offset (syncCommand + masterTryPartialResynchronization). Ends in one
     * of: ignored (already a replica); an error (pending output, bad offset); {@code +CONTINUE}
     * with the backlog from the requested offset (sync_partial_ok); or a full resync,
     * {@code +FULLRESYNC replid offset} (PSYNC only) and the RDB as {@code $len\r\n<rdb>},
     * counted in sync_full (and sync_partial_err when a named history was refused).
     */
    private void sync(Call c) {
        Client cl = c.client;
        if (byClient.containsKey(cl)) return;
        // A master still recovering its dataset has nothing to offer yet (the replica retries).
        if (server.loading()) throw new CommandError(MasterRecovery.LOADING_ERROR);
        Hello h = hellos.computeIfAbsent(cl, k -> new Hello());
        // A replica serves a master recovering its dataset (REPLCONF tandem-recover) although its
        // link is down: it is down because that master is the one restarting.
        if (replica.isReplica() && !replica.linkUp() && !h.recover) {
            throw new CommandError("NOMASTERLINK Can't SYNC while not connected with my master");
        }
        if (cl.pendingBytes() > 0) throw new CommandError("ERR SYNC and PSYNC are invalid with pending output");
        boolean psync = c.is(0, "psync");
        long psyncOffset = 0;
        if (psync) psyncOffset = c.longArg(2);
        log.info("Replica {} asks for synchronization", name(cl));
        if (h.recover) log.info("Serving the dataset to master {}, which recovers it from this replica (offset {})", name(cl),
                server.replicationIds().offset());
        ReplicationIds ids = server.replicationIds();
        // A point restored at startup is history a replica may continue from, even before any write.
        if (stream.backlog() == null && ids.offset() > 0 && !replica.isReplica()) createBacklog();
        if (psync) {
            String asked = c.str(1);
            if (tryPartial(cl, h, asked, psyncOffset)) {
                server.stats().syncPartialOk++;
                return;
            }
            if (!asked.startsWith("?")) server.stats().syncPartialErr++;
        }
        server.stats().syncFull++;
        if (stream.backlog() == null) createBacklog();
        ReplicaLink r = attach(cl, ReplicaLink.State.WAIT_BGSAVE_START);
        r.capaEof = h.capaEof;
        r.psync = psync;
        r.waitSinceMs = nowMs();
        Persistence p = server.persistence();
        FullSync job = current;
        if (job != null && !job.toSockets && !job.ended) {
            // CASE 1: a disk snapshot for SYNC is being written. The replicas already waiting for
            // it hold the stream from its start: a copy of that gives this one the same point.
            ReplicaLink model = job.holder();
            if (model != null) {
                r.copyHeldFrom(model);
                join(job, r);
                log.info("Waiting for end of BGSAVE for SYNC");
            } else {
                log.info("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
            }
        } else if (job != null && job.toSockets && !job.ended) {
            // CASE 2: its bytes are already on other replicas' sockets.
            log.info("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
        } else if (p.bgsaveInProgress()) {
            log.info("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
        } else if (config.getBool("repl-diskless-sync") && h.capaEof && config.getLong("repl-diskless-sync-delay") > 0) {
            log.info("Delay next BGSAVE for diskless SYNC");
            startPendingSync(); // at once if repl-diskless-sync-max-replicas are now waiting
        } else if (p.childActive()) {
            log.info("No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed");
        } else {
            // No delay for this one (disk mode, no capa eof, or delay 0): start now, for every
            // replica waiting (startBgsaveForReplication takes them all; disk if any lacks eof).
            startSync(waiting());
        }
    }

    /** Replicas waiting for a snapshot to start (WAIT_BGSAVE_START), in arrival order. */
    private List<ReplicaLink> waiting() {
        List<ReplicaLink> w = new ArrayList<>();
        for (ReplicaLink r : replicas) if (r.state == ReplicaLink.State.WAIT_BGSAVE_START) w.add(r);
        return w;
    }

    // ------------------------------------------------------------------ full sync: snapshots for replicas

    /**
     * replicationStartPendingFork / shouldStartChildReplication: starts a snapshot for the
     * replicas waiting for one, when no other snapshot or AOF rewrite runs and either the sync is
     * disk-based, repl-diskless-sync-max-replicas are waiting, or the longest waiting one has
     * waited repl-diskless-sync-delay seconds. Called from sync, cron and when a snapshot ends.
     */
    private void startPendingSync() {
        Persistence p = server.persistence();
        if (p.childActive()) return;
        List<ReplicaLink> waiting = new ArrayList<>();
        long maxWait = 0;
        long now = nowMs();
        for (ReplicaLink r : replicas) {
            if (r.state != ReplicaLink.State.WAIT_BGSAVE_START) continue;
            waiting.add(r);
            maxWait = Math.max(maxWait, now - r.waitSinceMs);
        }
        if (waiting.isEmpty()) return;
        boolean diskless = config.getBool("repl-diskless-sync");
        long maxReplicas = config.getLong("repl-diskless-sync-max-replicas");
        if (!diskless || (maxReplicas > 0 && waiting.size() >= maxReplicas)
                || maxWait >= config.getLong("repl-diskless-sync-delay") * 1000) {
            startSync(waiting);
        }
    }

    /**
     * startBgsaveForReplication: one point-in-time snapshot for every waiting replica. Its point
     * is this executor instant: (replid, offset) now, each replica's stream held from here
     * ({@link ReplicaLink#hold}) and, on a master, the stream forced to SELECT next (the RDB's
     * repl-stream-db is the db before that). Diskless (repl-diskless-sync yes and every waiting
     * replica has capa eof): the walk's chunks go to the sockets ({@link SocketFanout}); else a
     * BGSAVE of dbfilename whose file is then sent to each ({@link #snapshotEnded}).
     */
    private void startSync(List<ReplicaLink> waiting) {
        boolean sockets = config.getBool("repl-diskless-sync");
        for (ReplicaLink r : waiting) sockets &= r.capaEof;
        log.info("Starting BGSAVE for SYNC with target: {}", sockets ? "replicas sockets" : "disk");
        ReplicationIds ids = server.replicationIds();
        String replid = ids.replid();
        long offset = ids.offset();
        FullSync job;
        boolean started;
        if (sockets) {
            job = new FullSync(true, replid, offset, new SocketFanout(server.executor(), randomHex(40), this::transferred));
            FullSync j = job;
            for (ReplicaLink r : waiting) job.fanout.add(r, r.psync ? "+FULLRESYNC " + replid + " " + offset + "\r\n" : "");
            started = server.persistence().startSnapshotToSockets(job.fanout, ok -> snapshotEnded(j, ok));
        } else {
            job = new FullSync(false, replid, offset, null);
            FullSync j = job;
            started = server.persistence().startBgsaveForSync(ok -> snapshotEnded(j, ok));
        }
        if (!started) {
            log.warn("BGSAVE for replication failed");
            for (ReplicaLink r : waiting) {
                byClient.remove(r.client);
                replicas.remove(r);
                r.client.kind = 0;
                r.client.out().error("ERR BGSAVE failed, replication can't continue");
                r.client.closeAfterReply = true;
                server.executor().markDirty(r.client);
            }
            return;
        }
        current = job;
        for (ReplicaLink r : waiting) {
            r.hold();
            join(job, r);
        }
        // The stream after the snapshot starts with SELECT (replicationSetupSlaveForFullResync).
        if (!replica.isReplica()) stream.forceSelect();
    }

    /**
     * replicationSetupSlaveForFullResync: the replica (already holding the stream from the
     * snapshot's point) takes part in {@code job}; on disk snapshots it gets {@code +FULLRESYNC}
     * now (diskless ones write it with the RDB).
     */
    private void join(FullSync job, ReplicaLink r) {
        r.state = ReplicaLink.State.WAIT_BGSAVE_END;
        r.sync = job;
        job.replicas.add(r);
        stream.addReplica(r);
        if (!job.toSockets && r.psync) {
            writeRaw(r, "+FULLRESYNC " + job.replid + " " + job.offset + "\r\n");
        }
    }

    /** Bytes straight to a replica's socket, ahead of its held stream (handshake lines, keepalive newlines). */
    private static void writeRaw(ReplicaLink r, String s) {
        if (r.client.channel != null) r.client.channel.writeAndFlush(Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String randomHex(int n) {
        java.security.SecureRandom rnd = new java.security.SecureRandom();
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append("0123456789abcdef".charAt(rnd.nextInt(16)));
        return sb.toString();
    }

    /**
     * The snapshot of {@code job} ended (updateSlavesWaitingBgsave). Disk: each replica still
     * waiting is sent the file, or dropped if the save failed. Diskless: the replicas were told
     * one by one ({@link #transferred}); any left waiting after a failure are dropped. Then the
     * next snapshot starts if replicas arrived meanwhile.
     */
    private void snapshotEnded(FullSync job, boolean ok) {
        job.ended = true;
        if (current == job) current = null;
        for (ReplicaLink r : new ArrayList<>(job.replicas)) {
            if (r.state != ReplicaLink.State.WAIT_BGSAVE_END || byClient.get(r.client) != r) continue;
            if (!ok) {
                log.warn("SYNC failed. BGSAVE child returned an error");
                server.killClient(r.client, false);
            } else if (!job.toSockets) {
                sendFile(r);
            }
        }
        startPendingSync();
    }

    /** Disk mode: {@code $<len>\r\n} and the RDB file (zero-copy), then the replica is online with its held stream. */
    private void sendFile(ReplicaLink r) {
        Path file = server.persistence().rdbPath();
        FileChannel fc;
        long size;
        try {
            fc = FileChannel.open(file, StandardOpenOption.READ);
            size = fc.size();
        } catch (IOException e) {
            log.warn("SYNC failed. Can't open/stat DB after BGSAVE: {}", e.getMessage());
            server.killClient(r.client, false);
            return;
        }
        r.state = ReplicaLink.State.SEND_BULK;
        Channel ch = r.client.channel;
        if (ch == null) {
            closeQuietly(fc);
            return;
        }
        ch.write(Unpooled.wrappedBuffer(("$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        ch.writeAndFlush(new DefaultFileRegion(fc, 0, size)).addListener(f -> server.executor().execute(() -> {
            if (byClient.get(r.client) != r) return;
            if (!f.isSuccess()) {
                log.warn("Write error sending DB to replica: {}", f.cause() == null ? "closed" : f.cause().getMessage());
                server.killClient(r.client, false);
                return;
            }
            putOnline(r);
            startStream(r);
        }));
    }

    private static void closeQuietly(FileChannel fc) {
        try {
            fc.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Diskless: the last RDB byte (the EOF mark) is on this replica's socket, or its transfer failed. */
    private void transferred(ReplicaLink r, boolean ok) {
        if (!ok || byClient.get(r.client) != r || r.state != ReplicaLink.State.WAIT_BGSAVE_END) return;
        log.info("Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming",
                name(r.client));
        putOnline(r);
        // The replica finds the end of the RDB by its last 40 bytes: nothing may follow them on
        // the socket until it says it has loaded (Redis's repl_start_cmd_stream_on_ack).
        r.startStreamOnAck = true;
    }

    /** replicaPutOnline: the RDB has been sent; the replica counts as online (WAIT, min-replicas, INFO). */
    private void putOnline(ReplicaLink r) {
        r.state = ReplicaLink.State.ONLINE;
        r.sync = null;
        r.ackTimeMs = nowMs();
        refreshGoodReplicas();
        log.info("Synchronization with replica {} succeeded", name(r.client));
        onlineReplicasChanged();
    }

    /**
     * master-recover-from-replica: dir/known-replicas follows the set of online replicas (as
     * ip:listening-port), rewritten only when that set changes and never emptied
     * ({@link KnownReplicas}). Not on a replica, and not while recovering.
     */
    private void onlineReplicasChanged() {
        if (!config.masterRecoverFromReplica() || replica.isReplica() || server.loading()) return;
        List<String> online = new ArrayList<>();
        for (ReplicaLink r : replicas) {
            if (r.state != ReplicaLink.State.ONLINE || listeningPort(r.client) == 0) continue;
            Hello h = hellos.get(r.client);
            if (h != null && h.recover) continue;
            String ip = ip(r.client);
            online.add((ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + listeningPort(r.client));
        }
        if (knownReplicas.update(online)) log.info("Known replicas recorded in {}: {}", KnownReplicas.FILE, online);
    }

    /** replicaStartCommandStream: the stream held since the snapshot's point follows the RDB. */
    private void startStream(ReplicaLink r) {
        r.startStreamOnAck = false;
        r.release();
    }

    // ------------------------------------------------------------------ min-replicas-to-write

    /**
     * refreshGoodSlavesCount: the online replicas that ACKed within min-replicas-max-lag seconds.
     * Recounted at cron, when a replica goes online or away, and when either directive changes.
     */
    private void refreshGoodReplicas() {
        int min = config.minReplicasToWrite();
        int maxLag = config.minReplicasMaxLag();
        if (min == 0 || maxLag == 0) return;
        long now = nowMs();
        int good = 0;
        for (ReplicaLink r : replicas) {
            if (r.state == ReplicaLink.State.ONLINE && now - r.ackTimeMs <= maxLag * 1000L) good++;
        }
        goodReplicas = good;
    }

    /**
     * checkGoodReplicasStatus: writes are allowed on a replica (it obeys its master), with
     * either directive at 0, or with at least min-replicas-to-write good replicas.
     */
    private boolean enoughGoodReplicas() {
        int min = config.minReplicasToWrite();
        return replica.isReplica() || min == 0 || config.minReplicasMaxLag() == 0 || goodReplicas >= min;
    }

    /**
     * masterTryPartialResynchronization: true after answering {@code +CONTINUE} and queueing the
     * backlog from {@code offset}; false (after logging why) when a full resync is needed: the
     * replid is neither ours nor our previous one valid up to {@code offset}, or the offset is
     * not in the backlog.
     */
    private boolean tryPartial(Client cl, Hello h, String replid, long offset) {
        ReplicationIds ids = server.replicationIds();
        if (!replid.equalsIgnoreCase(ids.replid())
                && (!replid.equalsIgnoreCase(ids.replid2()) || offset > ids.secondOffset())) {
            if (!replid.startsWith("?")) {
                if (!replid.equalsIgnoreCase(ids.replid()) && !replid.equalsIgnoreCase(ids.replid2())) {
                    log.info("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my replication IDs are '{}' and '{}')",
                            replid, ids.replid(), ids.replid2());
                } else {
                    log.info("Partial resynchronization not accepted: Requested offset for second ID was {}, but I can reply up to {}",
                            offset, ids.secondOffset());
                }
            } else {
                log.info("Full resync requested by replica {}", name(cl));
            }
            return false;
        }
        Backlog b = stream.backlog();
        var disk = stream.disk();
        boolean inRing = b != null && b.covers(offset);
        if (!inRing && disk != null && disk.covers(offset) && offset <= ids.offset() + 1) {
            ReplicaLink r = attach(cl, ReplicaLink.State.ONLINE);
            String head = h.capaPsync2 ? "+CONTINUE " + ids.replid() + "\r\n" : "+CONTINUE\r\n";
            log.info("Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {} (from the disk backlog).",
                    name(cl), ids.offset() + 1 - offset, offset);
            history.serve(r, cl, head, offset);
            onlineReplicasChanged();
            return true;
        }
        if (!inRing) {
            log.info("Unable to partial resync with replica {} for lack of backlog (Replica request was: {}).", name(cl), offset);
            if (offset > ids.offset()) {
                log.warn("Warning: replica {} tried to PSYNC with an offset that is greater than the master replication offset.", name(cl));
            }
            return false;
        }
        ReplicaLink r = attach(cl, ReplicaLink.State.ONLINE);
        String head = h.capaPsync2 ? "+CONTINUE " + ids.replid() + "\r\n" : "+CONTINUE\r\n";
        r.send(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII)));
        ByteBuf tail = b.copyFrom(offset, cl.channel != null ? cl.channel.alloc() : io.netty.buffer.PooledByteBufAllocator.DEFAULT);
        int len = tail.readableBytes();
        r.send(tail);
        log.info("Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {}.",
                name(cl), len, offset);
        onlineReplicasChanged();
        return true;
    }

    /** Registers a replica; it gets stream bytes at once unless it waits for a snapshot to start (Redis feeds none then). */
    private ReplicaLink attach(Client cl, ReplicaLink.State state) {
        cl.kind = 1;
        ReplicaLink r = new ReplicaLink(cl, server.executor(), state, nowMs());
        replicas.add(r);
        byClient.put(cl, r);
        if (state != ReplicaLink.State.WAIT_BGSAVE_START) stream.addReplica(r);
        return r;
    }

    /**
     * disconnectSlaves: a replica taking a new dataset from its master drops its own replicas
     * (their history is gone; they come back and resync) and any snapshot being made for them.
     */
    private void disconnectReplicas() {
        if (current != null && server.persistence().snapshotForSync()) server.persistence().abortBgsave();
        for (ReplicaLink r : new ArrayList<>(replicas)) server.killClient(r.client, false);
    }

    private void disconnected(Client c) {
        replica.masterClientKilled(c);
        ReplicaLink r = byClient.remove(c);
        if (r != null) {
            r.discardHeld();
            replicas.remove(r);
            stream.removeReplica(r);
            FullSync job = r.sync;
            if (job != null) {
                job.replicas.remove(r);
                if (job.fanout != null) {
                    job.fanout.remove(r);
                    if (!job.ended && job.fanout.live() == 0 && current == job) {
                        log.warn("Diskless rdb transfer, last replica dropped, killing fork child.");
                        server.persistence().abortBgsave();
                    }
                }
            }
            refreshGoodReplicas();
            if (replicas.isEmpty()) noReplicasSinceMs = nowMs();
            log.info("Connection with replica {} lost.", name(c));
            if (r.state == ReplicaLink.State.ONLINE) onlineReplicasChanged();
        }
        hellos.remove(c);
        waiters.removeIf(w -> w.client == c);
    }

    /** Redis's replicationGetSlaveName: ip:listening-port, or the peer address. */
    private String name(Client c) {
        Hello h = hellos.get(c);
        String addr = c.addr();
        String ip = h != null && h.ip != null ? h.ip : addr.substring(0, Math.max(0, addr.lastIndexOf(':')));
        if (ip.isEmpty()) return "client id #" + c.id;
        if (h != null && h.listeningPort != 0) return ip + ":" + h.listeningPort;
        return ip + ":<unknown-replica-port>";
    }

    private String ip(Client c) {
        Hello h = hellos.get(c);
        if (h != null && h.ip != null) return h.ip;
        String addr = c.addr();
        return addr.substring(0, Math.max(0, addr.lastIndexOf(':')));
    }

    private int listeningPort(Client c) {
        Hello h = hellos.get(c);
        return h == null ? 0 : h.listeningPort;
    }

    // ------------------------------------------------------------------ WAIT

    /**
     * WAIT numreplicas timeout (waitCommand): the number of replicas that acknowledged this
     * client's last write, at once if enough already have (or inside MULTI), else when enough
     * do or at the timeout. Asks every replica for an ACK ({@code REPLCONF GETACK *} in the stream).
     */
    private void waitCommand(Call c) {
        if (replica.isReplica()) {
            throw new CommandError("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a "
                    + "replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
        }
        long numReplicas = c.longArg(1);
        long timeout;
        try {
            timeout = Long.parseLong(c.str(2));
        } catch (NumberFormatException e) {
            throw new CommandError("ERR timeout is not an integer or out of range");
        }
        if (timeout < 0) throw new CommandError("ERR timeout is negative");
        Client cl = c.client;
        long acked = countAcks(cl.woff);
        if (acked >= numReplicas || cl.denyBlocking) {
            c.out.integer(acked);
            return;
        }
        long deadline = timeout == 0 ? 0 : nowMs() + timeout;
        waiters.add(new Waiter(cl, cl.woff, numReplicas, deadline));
        cl.blocked = true;
        if (timeout > 0) server.executor().schedule(TimeUnit.MILLISECONDS.toNanos(timeout), () -> serveWaiters());
        stream.feedDbless(GETACK);
    }

    private long countAcks(long offset) {
        long n = 0;
        for (ReplicaLink r : replicas) if (r.state == ReplicaLink.State.ONLINE && r.ackOffset >= offset) n++;
        return n;
    }

    /** Answers the WAITs that are satisfied or timed out. */
    private void serveWaiters() {
        long now = nowMs();
        for (Waiter w : new ArrayList<>(waiters)) {
            long acked = countAcks(w.offset);
            boolean expired = w.deadlineMs != 0 && now >= w.deadlineMs;
            if (acked >= w.numReplicas || expired) {
                waiters.remove(w);
                Client cl = w.client;
                cl.blocked = false;
                cl.out().integer(acked);
                server.executor().markDirty(cl);
                server.dispatcher().runDeferred(cl);
            }
        }
    }

    // ------------------------------------------------------------------ ROLE

    /** ROLE for a master: {@code master}, the offset, and [ip, port, acked offset] per online replica. */
    private void role(Call c) {
        if (replica.isReplica()) {
            replica.role(c);
            return;
        }
        c.out.array(3);
        c.out.bulk("master");
        c.out.integer(server.replicationIds().offset());
        List<ReplicaLink> online = new ArrayList<>();
        for (ReplicaLink r : replicas) if (r.state == ReplicaLink.State.ONLINE) online.add(r);
        c.out.array(online.size());
        for (ReplicaLink r : online) {
            c.out.array(3);
            c.out.bulk(ip(r.client));
            c.out.bulk(Integer.toString(listeningPort(r.client)));
            c.out.bulk(Long.toString(r.ackOffset));
        }
    }

    // ------------------------------------------------------------------ cron

    /**
     * replicationCron's master part: PING in the stream every repl-ping-replica-period seconds,
     * drop replicas silent for longer than repl-timeout, time out WAITs; for full syncs, a
     * newline every second to replicas waiting for their RDB (so they do not time out), drop a
     * diskless replica whose socket took nothing for repl-timeout, and start a snapshot for
     * replicas waiting for one.
     */
    private void cron() {
        replica.cron();
        long now = nowMs();
        if (now - lastNewlineMs >= 1000) {
            lastNewlineMs = now;
            for (ReplicaLink r : replicas) {
                boolean presync = r.state == ReplicaLink.State.WAIT_BGSAVE_START
                        || (r.state == ReplicaLink.State.WAIT_BGSAVE_END && r.sync != null && !r.sync.toSockets);
                if (presync) writeRaw(r, "\n");
            }
        }
        startPendingSync();
        if (!replicas.isEmpty() && now - lastPingMs >= config.replPingReplicaPeriod() * 1000L) {
            lastPingMs = now;
            stream.ping();
        }
        closeOverOutputLimit(now);
        refreshGoodReplicas();
        long timeoutMs = config.replTimeout() * 1000L;
        for (ReplicaLink r : new ArrayList<>(replicas)) {
            if (r.state == ReplicaLink.State.ONLINE && now - r.ackTimeMs > timeoutMs) {
                log.warn("Disconnecting timedout replica (streaming sync): {}", name(r.client));
                server.killClient(r.client, false);
            } else if (r.state == ReplicaLink.State.WAIT_BGSAVE_END && r.sync != null && r.sync.fanout != null) {
                // Only diskless replicas: one stuck socket stalls the walk for all of them.
                long since = r.sync.fanout.stalledSince(r);
                if (since != 0 && now - since > timeoutMs) {
                    log.warn("Disconnecting timedout replica (full sync): {}", name(r.client));
                    server.killClient(r.client, false);
                }
            }
        }
        if (!waiters.isEmpty()) serveWaiters();
        freeIdleBacklog(now);
    }

    /**
     * repl-backlog-ttl (replicationCron): a master without replicas for longer than the ttl frees
     * its backlog, taking a new replid and clearing replid2 (the offset stops moving without a
     * backlog, so the old name must not be continued). A replica keeps its backlog: it may be
     * promoted. 0 never frees.
     */
    private void freeIdleBacklog(long now) {
        if (!replicas.isEmpty() || replica.isReplica()) {
            noReplicasSinceMs = now;
            if (replica.isReplica()) backlogFreed = false;
            return;
        }
        long ttl = config.replBacklogTtl();
        // a disk backlog is not freed: it trims bytes older than the ttl itself, and its history stays named
        if (stream.disk() != null) return;
        if (ttl == 0 || stream.backlog() == null || now - noReplicasSinceMs <= ttl * 1000L) return;
        ReplicationIds ids = server.replicationIds();
        ids.changeId();
        ids.clearId2();
        stream.freeBacklog();
        backlogFreed = true;
        log.info("Replication backlog freed after {} seconds without connected replicas.", ttl);
    }

    /**
     * {@code client-output-buffer-limit replica}: an online replica whose unsent stream (bytes
     * queued for it plus what Netty has not written to its socket) passes the hard limit, or the
     * soft limit for longer than its seconds, is disconnected, as Redis's
     * checkClientOutputBufferLimits. Checked at cron (hz) rather than on every write. A replica in
     * a full sync counts the stream held for it (as Redis 7.0 counts its replication buffer), not
     * the RDB: a diskless RDB in flight is bounded by the walk's pause, a disk one is a file.
     */
    private void closeOverOutputLimit(long now) {
        var limit = config.clientOutputBufferLimits().replica();
        if (limit.hardBytes() <= 0 && limit.softBytes() <= 0) return;
        for (ReplicaLink r : new ArrayList<>(replicas)) {
            if (r.client.channel == null) continue;
            var ob = r.client.channel.unsafe().outboundBuffer();
            boolean online = r.state == ReplicaLink.State.ONLINE && !r.startStreamOnAck;
            long used = r.client.pendingBytes() + r.heldBytes() + (online && ob != null ? ob.totalPendingWriteBytes() : 0);
            boolean close = limit.hardBytes() > 0 && used >= limit.hardBytes();
            if (!close && limit.softBytes() > 0 && used >= limit.softBytes()) {
                if (r.softLimitSinceMs == 0) r.softLimitSinceMs = now;
                else if (now - r.softLimitSinceMs > limit.softSeconds() * 1000) close = true;
            } else {
                r.softLimitSinceMs = 0;
            }
            if (close) {
                log.warn("Client id={} addr={} laddr={} flags=S scheduled to be closed ASAP for overcoming of output buffer limits.",
                        r.client.id, r.client.addr(), r.client.laddr());
                r.client.channel.close();
                server.clientDisconnected(r.client);
            }
        }
    }

    // ------------------------------------------------------------------ INFO

    private static void f(StringBuilder sb, String k, Object v) {
        sb.append(k).append(':').append(v).append("\r\n");
    }

    /** INFO replication, Redis 7.0's fields in its order (genRedisInfoString, "replication"). */
    void info(StringBuilder sb) {
        ReplicationIds ids = server.replicationIds();
        Backlog b = stream.backlog();
        long now = nowMs();
        if (replica.isReplica()) replica.info(sb);
        else f(sb, "role", "master");
        f(sb, "connected_slaves", replicas.size());
        if (config.minReplicasToWrite() > 0 && config.minReplicasMaxLag() > 0) f(sb, "min_slaves_good_slaves", goodReplicas);
        int i = 0;
        for (ReplicaLink r : replicas) {
            sb.append("slave").append(i++).append(":ip=").append(ip(r.client)).append(",port=").append(listeningPort(r.client))
                    .append(",state=").append(r.state.info).append(",offset=").append(r.ackOffset)
                    .append(",lag=").append((now - r.ackTimeMs) / 1000).append("\r\n");
        }
        f(sb, "master_failover_state", "no-failover");
        f(sb, "master_replid", ids.replid());
        f(sb, "master_replid2", ids.replid2());
        f(sb, "master_repl_offset", ids.offset());
        f(sb, "second_repl_offset", ids.secondOffset());
        f(sb, "repl_backlog_active", b != null ? 1 : 0);
        f(sb, "repl_backlog_size", config.replBacklogSize());
        var disk = stream.disk();
        if (disk != null) {
            f(sb, "repl_backlog_first_byte_offset", disk.firstByteOffset());
            f(sb, "repl_backlog_histlen", disk.histlen());
            // Tandem: the disk backlog (issue #6)
            f(sb, "repl_backlog_disk", 1);
            f(sb, "repl_backlog_disk_bytes", disk.diskBytes());
            f(sb, "repl_backlog_disk_chunks", disk.chunkCount());
            f(sb, "repl_backlog_disk_first_offset", disk.firstByteOffset());
            f(sb, "repl_backlog_disk_last_offset", disk.endOffset());
            f(sb, "repl_backlog_disk_committed_offset", disk.committedEndOffset());
        } else {
            f(sb, "repl_backlog_first_byte_offset", b != null ? b.firstByteOffset() : 0);
            f(sb, "repl_backlog_histlen", b != null ? b.histlen() : 0);
            f(sb, "repl_backlog_disk", 0);
        }
    }

    /**
     * DEBUG BACKLOG [CHUNKS count]: the disk backlog's identity, offsets, size on disk and files,
     * and with CHUNKS its first chunks (start offset, length, db at start, age).
     */
    void debugBacklog(io.tandem.server.command.Call c) {
        var disk = stream.disk();
        if (disk == null) throw new CommandError("ERR the replication backlog is not on disk (repl-backlog-disk no)");
        var id = disk.identity();
        List<String> lines = new ArrayList<>();
        lines.add("dir:" + java.nio.file.Path.of(config.getString("dir")).resolve(config.getString("repl-backlog-dirname")).toAbsolutePath());
        lines.add("replid:" + id.replid());
        lines.add("replid2:" + id.replid2());
        lines.add("second_repl_offset:" + id.secondOffset());
        lines.add("first_byte_offset:" + disk.firstByteOffset());
        lines.add("end_offset:" + disk.endOffset());
        lines.add("committed_end_offset:" + disk.committedEndOffset());
        lines.add("histlen:" + disk.histlen());
        lines.add("chunks:" + disk.chunkCount());
        lines.add("disk_bytes:" + disk.diskBytes());
        lines.add("size_limit:" + config.replBacklogSize());
        lines.add("ttl:" + config.replBacklogTtl());
        if (c.argc() >= 3) {
            if (!c.is(2, "chunks")) throw CommandError.SYNTAX_ERROR;
            int max = c.argc() >= 4 ? (int) Math.min(Integer.MAX_VALUE, c.longArg(3)) : 10;
            long now = System.currentTimeMillis();
            for (var ch : disk.chunks(max)) {
                lines.add("chunk:start=" + ch.start() + ",len=" + ch.length() + ",db=" + ch.dbAtStart() + ",age_ms=" + (now - ch.timeMs()));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append("\r\n");
        c.out.bulk(sb.toString());
    }
}
