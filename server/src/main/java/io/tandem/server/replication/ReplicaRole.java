package io.tandem.server.replication;

import io.netty.buffer.ByteBuf;
import io.tandem.replication.ReplicationIds;
import io.tandem.replication.ReplicationStream;
import io.tandem.server.Server;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandFlag;
import io.tandem.server.commands.RdbValues;
import io.tandem.server.config.ReplicaOf;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.exec.Client;
import io.tandem.server.persist.Persistence;
import io.tandem.storage.rdb.RdbEntry;
import io.tandem.storage.rdb.RdbFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Replication, replica side (Redis 7.0's replication.c, "SLAVE" part): REPLICAOF/SLAVEOF and the
 * {@code replicaof} directive, the link to the master ({@link MasterLink}), loading a full
 * resync's RDB, applying the stream through the dispatcher as the master client, ACKs,
 * read-only refusal, INFO replication and ROLE for a replica, reconnection with PSYNC.
 * Executor thread only, except where a method says otherwise.
 *
 * <p>Offsets: {@code master_repl_offset} of a replica is the number of stream bytes it has
 * applied (advanced after each command), which is what it ACKs and asks PSYNC to continue
 * from. Its own execution propagates nothing ({@link ReplicationStream#proxying}): the applied
 * bytes of the master's stream go verbatim to its backlog, so after a promotion
 * ({@code REPLICAOF NO ONE}, which shifts the replid) other replicas can continue partially.
 */
final class ReplicaRole implements MasterLink.Events {
    static final Logger log = LoggerFactory.getLogger(ReplicaRole.class);

    private final Server server;
    private final ServerConfig config;
    private final ReplicationStream stream;
    private String host;
    private int port;
    private MasterLink link;
    /** The internal client the master's commands run as (Client.kind 2), while the link streams. */
    private Client master;
    /** True once this server holds data named by (replid, offset) that a PSYNC can continue. */
    private boolean haveHistory;
    /**
     * The db the master's stream was in when the link went down (Redis keeps it in the cached
     * master client): a partial resync continues the stream without a new SELECT.
     */
    private int cachedDb;
    /** Applied stream bytes not yet counted in the offset: the master client is inside MULTI. */
    private final ByteBuf uncommitted = io.netty.buffer.Unpooled.buffer(256);
    private long lastConnectAttemptMs;
    private long lastAckMs;
    /** When the link went down, or -1 if it never was up (INFO master_link_down_since_seconds). */
    private long linkDownSinceMs = -1;
    private boolean startupPending;
    /**
     * A full sync's RDB is being stored (batches from the parser thread between other tasks):
     * clients get -LOADING, and the link neither times out nor reconnects meanwhile.
     */
    private boolean loading;

    /** Drops this server's own replicas (Replication.disconnectReplicas). */
    private final Runnable disconnectReplicas;

    ReplicaRole(Server server, ServerConfig config, ReplicationStream stream, Runnable disconnectReplicas) {
        this.server = server;
        this.config = config;
        this.stream = stream;
        this.disconnectReplicas = disconnectReplicas;
    }

    /** Installs the READONLY rule and, with the replicaof directive, starts as a replica at the first cron. */
    void install() {
        server.addDenyRule((c, spec) -> {
            if (loading && c != master && !spec.has(CommandFlag.LOADING)) return "LOADING Redis is loading the dataset in memory";
            if (host == null || c == master) return null;
            if (server.settings().replicaReadOnly && spec.isWrite()) return "READONLY You can't write against a read only replica.";
            if (!server.settings().replicaServeStaleData && (link == null || !link.streaming()) && !spec.has(CommandFlag.STALE)) {
                return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
            }
            return null;
        });
        ReplicaOf r = config.replicaOf();
        if (r != null) {
            startupPending = true;
            host = r.host();
            port = r.port();
            becomeReplica();
        }
    }

    boolean isReplica() {
        return host != null;
    }

    boolean isMasterClient(Client c) {
        return c == master && c != null;
    }

    /** The link is up and streaming (Redis's repl_state == REPL_STATE_CONNECTED). */
    boolean linkUp() {
        return link != null && link.streaming() && master != null;
    }

    /** The db the master's stream is in (repl-stream-db of a snapshot served to a sub-replica). */
    int streamDb() {
        return master != null ? master.db : cachedDb;
    }

    private void becomeReplica() {
        server.role('S');
        server.keyspace().setExpireDeletes(false);
        stream.proxying(true);
        stream.masterDb(() -> master != null ? master.db : cachedDb);
    }

    // ------------------------------------------------------------------ REPLICAOF

    /** REPLICAOF host port | NO ONE (replicaofCommand). */
    void replicaof(Call c) {
        if (c.client.kind == 1) throw new CommandError("ERR Command is not valid when client is a replica.");
        if (c.is(1, "no") && c.is(2, "one")) {
            if (host != null) {
                promote();
                log.info("MASTER MODE enabled (user request from 'id={} addr={} laddr={} fd=8 name={} user={}')",
                        c.client.id, c.client.addr(), c.client.laddr(), c.client.name == null ? "" : c.client.name, c.client.user);
            }
            c.out.ok();
            return;
        }
        long p;
        try {
            p = Long.parseLong(c.str(2));
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535) throw new CommandError("ERR Invalid master port");
        String h = c.str(1);
        if (h.equalsIgnoreCase(host) && p == port) {
            log.info("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            c.out.simple("OK Already connected to specified master");
            return;
        }
        boolean wasMaster = host == null;
        dropLink();
        host = h;
        port = (int) p;
        config.updateReplicaOf(new ReplicaOf(host, port));
        if (wasMaster) {
            // Redis's replicationCacheMasterUsingMyself: our own history can continue with the new master.
            haveHistory = stream.backlog() != null;
            cachedDb = Math.max(0, stream.selectedDb());
            becomeReplica();
        }
        lastConnectAttemptMs = 0;
        log.info("REPLICAOF {}:{} enabled (user request from 'id={} addr={} laddr={} fd=8 name={} user={}')",
                host, port, c.client.id, c.client.addr(), c.client.laddr(), c.client.name == null ? "" : c.client.name, c.client.user);
        c.out.ok();
        connect();
    }

    /** REPLICAOF NO ONE: a master again, with a new replid (the old one valid up to our offset). */
    private void promote() {
        dropLink();
        host = null;
        port = 0;
        config.updateReplicaOf(null);
        ReplicationIds ids = server.replicationIds();
        ids.shiftId();
        stream.proxying(false);
        stream.forceSelect();
        server.role('M');
        server.keyspace().setExpireDeletes(true);
        log.info("Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
                ids.replid2(), ids.secondOffset(), ids.replid());
    }

    private void dropLink() {
        MasterLink l = link;
        link = null;
        if (l != null) l.close();
        dropMasterClient();
    }

    private void dropMasterClient() {
        uncommitted.clear(); // an unfinished transaction is discarded with the client
        if (master != null) {
            Client m = master;
            cachedDb = m.db;
            master = null;
            server.clientDisconnected(m);
        }
    }

    /** CLIENT KILL TYPE master: the link goes, and cron reconnects. */
    void masterClientKilled(Client c) {
        if (c != master) return;
        uncommitted.clear();
        cachedDb = c.db;
        master = null;
        MasterLink l = link;
        link = null;
        if (l != null) l.close();
        linkLost();
    }

    // ------------------------------------------------------------------ connecting

    private void connect() {
        lastConnectAttemptMs = System.currentTimeMillis();
        log.info("Connecting to MASTER {}:{}", host, port);
        ReplicationIds ids = server.replicationIds();
        // A dataset named by (replid, offset) — synced before, or loaded from an RDB that recorded
        // them (a restarted replica) — may continue partially; the master decides.
        String psyncId = haveHistory || ids.offset() > 0 ? ids.replid() : null;
        long psyncOffset = ids.offset() + 1;
        link = new MasterLink(host, port, this, config.masteruser(), config.masterauth(),
                Integer.parseInt(config.format("port")), psyncId, psyncOffset, loadMode(), config.dirPath(), server.keyspace().databases());
        log.info("MASTER <-> REPLICA sync started");
        link.connect(config.replTimeout() * 1000);
    }

    /** replicationCron's replica part: connect when needed (once a second), ACK once a second, time out a silent master. */
    void cron() {
        if (host == null || loading) return;
        long now = System.currentTimeMillis();
        if (startupPending) {
            startupPending = false;
            // a dataset loaded at startup continues the master's stream in the db it was left in
            cachedDb = server.streamDbAtLoad;
            connect();
            return;
        }
        if (link == null) {
            if (now - lastConnectAttemptMs >= 1000) connect();
            return;
        }
        if (link.streaming() && master != null && now - lastAckMs >= 1000) {
            lastAckMs = now;
            sendAck();
        }
        if (now - link.lastIoMs > config.replTimeout() * 1000L) {
            log.warn("MASTER timeout: no data nor PING received...");
            MasterLink l = link;
            link = null;
            l.close();
            dropMasterClient();
            linkLost();
        }
    }

    /** REPLCONF ACK offset (replicationSendAck). */
    void sendAck() {
        if (link != null) link.send("REPLCONF", "ACK", Long.toString(server.replicationIds().offset()));
    }

    private void linkLost() {
        linkDownSinceMs = System.currentTimeMillis();
        if (haveHistory) log.info("Caching the disconnected master state.");
    }

    // ------------------------------------------------------------------ MasterLink.Events (event loop → executor)

    @Override
    public void handshakeFailed(MasterLink l, String why) {
        server.executor().execute(() -> {
            if (l != link) return;
            log.warn("{}", why);
            link = null;
            l.close();
        });
    }

    @Override
    public void lost(MasterLink l) {
        server.executor().execute(() -> {
            if (l != link) return;
            link = null;
            if (master != null) log.info("Connection with master lost.");
            dropMasterClient();
            linkLost();
        });
    }

    @Override
    public void continued(MasterLink l, String newReplid) {
        server.executor().execute(() -> {
            if (l != link) return;
            ReplicationIds ids = server.replicationIds();
            log.info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
            if (newReplid != null && !newReplid.equals(ids.replid())) {
                long off = ids.offset();
                ids.shiftId();
                ids.restore(newReplid, off);
                log.info("Master replication ID changed to {}", newReplid);
            }
            if (stream.backlog() == null) stream.createBacklog(config.replBacklogSize());
            attachMaster();
            master.db = cachedDb;
        });
    }

    /**
     * useDisklessLoad: where the next full sync's RDB goes (repl-diskless-load). on-empty-db
     * reads from the socket only if the dataset is empty now (the link is made now; a replica's
     * dataset changes only through its master until then, unless it is writable).
     */
    private MasterLink.LoadMode loadMode() {
        String m = config.format("repl-diskless-load");
        if ("swapdb".equals(m)) return MasterLink.LoadMode.MEMORY;
        if ("on-empty-db".equals(m)) {
            long keys = 0;
            for (int i = 0; i < server.keyspace().databases(); i++) keys += server.keyspace().db(i).size();
            if (keys == 0) return MasterLink.LoadMode.SOCKET;
        }
        return MasterLink.LoadMode.DISK;
    }

    /**
     * The whole RDB arrived and was verified (disk: a temp file, swapdb: memory). Only now is the
     * dataset replaced: a temp file is renamed over dbfilename (as Redis's replica does), the old
     * data flushed, and the RDB loaded ({@link #load}).
     */
    @Override
    public void fullResync(MasterLink l, String replid, long offset, MasterLink.Payload rdb) {
        server.executor().execute(() -> {
            if (l != link) {
                discard(rdb);
                return;
            }
            InputStream in;
            try {
                if (rdb.file != null) {
                    Path target = server.persistence().rdbPath();
                    prepareForNewDataset();
                    try {
                        Files.move(rdb.file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (IOException e) {
                        log.warn("Failed trying to rename the temp DB into {} in MASTER <-> REPLICA synchronization: {}",
                                target.getFileName(), e.getMessage());
                        discard(rdb);
                        cancel(l);
                        return;
                    }
                    in = new BufferedInputStream(Files.newInputStream(target), 1 << 16);
                } else {
                    prepareForNewDataset();
                    in = rdb.open();
                }
            } catch (IOException e) {
                log.warn("Failed trying to load the MASTER synchronization DB from disk: {}", e.getMessage());
                discard(rdb);
                cancel(l);
                return;
            }
            server.datasetReplacementStarting();
            log.info("MASTER <-> REPLICA sync: Flushing old data");
            server.keyspace().clearAll();
            log.info("MASTER <-> REPLICA sync: Loading DB in memory");
            load(l, replid, offset, in, rdb.file != null ? "disk" : "memory", rdb::discard);
        });
    }

    /** on-empty-db with an empty dataset: load the RDB as it arrives. */
    @Override
    public void fullResyncFromSocket(MasterLink l, String replid, long offset, InputStream in) {
        server.executor().execute(() -> {
            if (l != link) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // nothing held
                }
                return;
            }
            prepareForNewDataset();
            server.datasetReplacementStarting();
            log.info("MASTER <-> REPLICA sync: Flushing old data");
            server.keyspace().clearAll();
            log.info("MASTER <-> REPLICA sync: Loading DB in memory");
            load(l, replid, offset, in, "socket", () -> { });
        });
    }

    private static void discard(MasterLink.Payload rdb) {
        rdb.discard();
        if (rdb.file != null) {
            try {
                Files.deleteIfExists(rdb.file);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** cancelReplicationHandshake: drop this attempt; cron connects again. */
    private void cancel(MasterLink l) {
        if (l == link) link = null;
        l.close();
    }

    /**
     * replicationAttachToNewMaster and the RDB-child kill before a load: our own replicas lose
     * their history, and a snapshot running now would only save the dataset being replaced.
     */
    private void prepareForNewDataset() {
        Persistence p = server.persistence();
        if (p != null && p.bgsaveInProgress() && !p.snapshotForSync()) {
            log.info("Replica is about to load the RDB file received from the master, but there is a pending RDB child running. "
                    + "Killing process {} and removing its temp file to avoid any race", ProcessHandle.current().pid());
            p.abortBgsave();
        }
        disconnectReplicas.run();
    }

    /**
     * Stores the RDB into the (flushed) keyspace: a parser thread reads {@code in} and hands the
     * entries over in batches, stored here between other tasks (clients get -LOADING meanwhile).
     * Then this server names its data by the master's (replid, offset), continues the stream in
     * the RDB's repl-stream-db, and the link applies the stream from there. A load that fails
     * leaves an empty dataset (it was flushed), as Redis.
     */
    private void load(MasterLink l, String replid, long offset, InputStream in, String from, Runnable cleanup) {
        loading = true;
        RdbLoad.load(in, server.keyspace().databases(), server.executor(), this::store, o -> {
            loading = false;
            cleanup.run();
            if (!o.ok()) {
                log.warn("Failed trying to load the MASTER synchronization DB from {}: {}", from, o.error());
                server.keyspace().clearAll();
                server.datasetReplacementFinished(false);
                cancel(l);
                return;
            }
            ReplicationIds ids = server.replicationIds();
            ids.restore(replid, offset);
            ids.clearId2();
            stream.createBacklog(config.replBacklogSize());
            haveHistory = true;
            // Flush listeners (WATCH; persistence, which saves after a FLUSHALL when save points
            // are set) are told only now, so a save names the loaded data by the master's point.
            server.flushed(-1);
            int streamDb = o.streamDb() >= 0 && o.streamDb() < server.keyspace().databases() ? o.streamDb() : 0;
            if (l == link) {
                attachMaster();
                master.db = streamDb;
                l.startStream();
            } else {
                cachedDb = streamDb; // the link went down meanwhile: the next PSYNC continues from here
            }
            // the AOF starts again (a rewrite of the loaded dataset, named by the master's point)
            server.datasetReplacementFinished(true);
            log.info("MASTER <-> REPLICA sync: Finished with success");
        });
    }

    /** One batch of the RDB into the keyspace (executor). */
    private void store(List<RdbEntry> batch) throws RdbFormatException {
        for (RdbEntry e : batch) {
            try {
                RdbValues.prepare(e.value(), server.settings()).put(server.keyspace().db(e.db()), e.key(), e.expireAtMs());
            } catch (RdbValues.UnsupportedValueException ex) {
                throw new RdbFormatException(-1, null, ex.getMessage());
            }
        }
    }

    private void attachMaster() {
        dropMasterClient();
        Client m = new Client(server.newClientId(), null, server.keyspace().now());
        m.kind = 2;
        m.replaying = true;
        m.denyBlocking = true;
        server.clientConnected(m);
        m.authenticated = true;
        master = m;
        lastAckMs = System.currentTimeMillis();
        sendAck();
    }

    @Override
    public void stream(MasterLink l, List<byte[][]> commands, int[] sizes, ByteBuf raw) {
        server.executor().execute(() -> {
            if (l != link || master == null) {
                raw.release();
                return;
            }
            ReplicationIds ids = server.replicationIds();
            for (int i = 0; i < commands.size(); i++) {
                stream.applyingMaster(true);
                try {
                    server.dispatcher().process(master, commands.get(i));
                } finally {
                    stream.applyingMaster(false);
                }
                // Inside MULTI the offset waits for EXEC (Redis: reploff is not updated while the
                // master client is in a transaction), so a link lost mid-transaction resumes
                // before its MULTI and the replica never applies half of it.
                if (master.multi == null && !uncommitted.isReadable()) {
                    ids.advance(sizes[i]);
                    stream.feedRaw(raw.readRetainedSlice(sizes[i]));
                } else {
                    uncommitted.writeBytes(raw, sizes[i]);
                    if (master.multi == null) {
                        ids.advance(uncommitted.readableBytes());
                        stream.feedRaw(uncommitted.copy());
                        uncommitted.clear();
                    }
                }
            }
            raw.release();
        });
    }

    // ------------------------------------------------------------------ INFO, ROLE

    private static void f(StringBuilder sb, String k, Object v) {
        sb.append(k).append(':').append(v).append("\r\n");
    }

    /** The replica part of INFO replication (role:slave), Redis 7.0's fields in order. */
    void info(StringBuilder sb) {
        long now = System.currentTimeMillis();
        boolean up = link != null && link.streaming() && master != null;
        long offset = server.replicationIds().offset();
        f(sb, "role", "slave");
        f(sb, "master_host", host);
        f(sb, "master_port", port);
        f(sb, "master_link_status", up ? "up" : "down");
        f(sb, "master_last_io_seconds_ago", master != null && link != null ? (now - link.lastIoMs) / 1000 : -1);
        boolean syncing = link != null && link.syncing();
        f(sb, "master_sync_in_progress", syncing ? 1 : 0);
        f(sb, "slave_read_repl_offset", offset);
        f(sb, "slave_repl_offset", offset);
        if (syncing) {
            long total = link.bulkTotal;
            long read = link.bulkRead;
            f(sb, "master_sync_total_bytes", total);
            f(sb, "master_sync_read_bytes", read);
            f(sb, "master_sync_left_bytes", total < 0 ? -1 : total - read);
            f(sb, "master_sync_perc", String.format(java.util.Locale.ROOT, "%.2f", total <= 0 ? 0.0 : read * 100.0 / total));
            f(sb, "master_sync_last_io_seconds_ago", (now - link.lastIoMs) / 1000);
        }
        if (!up) f(sb, "master_link_down_since_seconds", linkDownSinceMs < 0 ? -1 : (now - linkDownSinceMs) / 1000);
        f(sb, "slave_priority", config.format("replica-priority") == null ? "100" : config.format("replica-priority"));
        f(sb, "slave_read_only", server.settings().replicaReadOnly ? 1 : 0);
        f(sb, "replica_announced", 1);
    }

    /** ROLE for a replica: slave, host, port, link state, offset. */
    void role(Call c) {
        c.out.array(5);
        c.out.bulk("slave");
        c.out.bulk(host);
        c.out.integer(port);
        String state;
        if (link == null) state = "connect";
        else if (link.streaming() && master != null) state = "connected";
        else if (link.syncing()) state = "sync";
        else state = "handshake";
        c.out.bulk(state);
        c.out.integer(master != null ? server.replicationIds().offset() : -1);
    }
}
