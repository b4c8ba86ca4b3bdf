package io.tandem.server;

import io.tandem.server.command.CommandFlag;
import io.tandem.server.command.CommandSpec;
import io.tandem.server.command.CommandTable;
import io.tandem.server.exec.Blocking;
import io.tandem.server.exec.Client;
import io.tandem.server.exec.ClientPause;
import io.tandem.server.exec.Dispatcher;
import io.tandem.server.exec.Executor;
import io.tandem.server.exec.Propagation;
import io.tandem.server.exec.Stats;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.resp.RespWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's runtime state — Redis's {@code struct redisServer}: the keyspace, the command
 * table, the executor, clients, statistics. Everything here except what is marked otherwise is
 * touched by the executor thread only.
 */
public final class Server {
    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private final Settings settings;
    private final Keyspace keyspace;
    private final CommandTable commands;
    private final Executor executor;
    private final Dispatcher dispatcher;
    private final Stats stats = new Stats();
    private final Propagation propagation = new Propagation();
    private final AtomicLong nextClientId = new AtomicLong(1);
    private final Map<Long, Client> clients = new LinkedHashMap<>();
    private final List<Client> monitors = new ArrayList<>();
    private final List<Runnable> cronTasks = new ArrayList<>();
    private final SlowLog slowlog = new SlowLog();
    private volatile ShutdownHandler shutdownHandler = (mode, force) -> "ERR shutdown not available";
    /** Role letter for log lines: M master, S replica. */
    private volatile char role = 'M';
    private int activeExpireDb;
    /**
     * The db the stream was in at the end of the dataset loaded at startup (the AOF loader's last
     * SELECT, or an RDB's repl-stream-db): a replica continuing its master's stream partially
     * after a restart applies the next commands there, as the master does not SELECT again.
     */
    public int streamDbAtLoad;
    /**
     * Where the replication point (replid, offset) of the dataset loaded at startup came from:
     * "aof" (its #REPL annotations, or its RDB base), "rdb" (aux repl-id/repl-offset), or null
     * when nothing named it. Decides how the disk backlog is reconciled with the dataset.
     */
    public String loadedPointFrom;
    private io.tandem.server.replication.Replication replication;

    public io.tandem.server.replication.Replication replication() {
        return replication;
    }

    public void replication(io.tandem.server.replication.Replication r) {
        replication = r;
    }
    /** Told before and after a full sync replaces the dataset (the AOF restarts, as Redis's restartAOFAfterSYNC). */
    private final List<DatasetReplacement> datasetReplacements = new ArrayList<>();

    /** A consumer of the dataset that must stop while a full sync replaces it, and start again after. */
    public interface DatasetReplacement {
        void starting();

        void finished(boolean replaced);
    }

    public void addDatasetReplacement(DatasetReplacement r) {
        datasetReplacements.add(r);
    }

    /** Before a full sync flushes and loads (executor). */
    public void datasetReplacementStarting() {
        for (DatasetReplacement r : datasetReplacements) r.starting();
    }

    /** After a full sync's load, successful or not (executor). */
    public void datasetReplacementFinished(boolean replaced) {
        for (DatasetReplacement r : datasetReplacements) r.finished(replaced);
    }
    private final KeyspaceEvents keyspaceEvents = new KeyspaceEvents();
    private final io.tandem.replication.ReplicationIds replicationIds = new io.tandem.replication.ReplicationIds();
    private final List<ClientListener> resetListeners = new ArrayList<>();
    private final PubSub pubsub;
    private final Watches watches;
    private final Blocking blocking;
    private final ClientPause clientPause;

    public Server(Settings settings, Keyspace keyspace, CommandTable commands, Executor executor) {
        this.settings = settings;
        this.keyspace = keyspace;
        this.commands = commands;
        this.executor = executor;
        this.dispatcher = new Dispatcher(this, commands);
        this.eviction = new Eviction(this);
        eviction.install();
        this.pubsub = new PubSub(this);
        this.watches = new Watches(this);
        this.blocking = new Blocking(this);
        this.clientPause = new ClientPause(this);
        keyspaceEvents.setPublisher(pubsub::publish);
        keyspace.setExpiryListener(this::keyExpired);
        addResetListener(pubsub::removeClient);
        addResetListener(watches::unwatch);
        addClientListener(blocking::removeClient);
        addClientListener(clientPause::removeClient);
    }

    private final Eviction eviction;

    /** maxmemory, eviction policies, LRU/LFU access tracking. */
    public Eviction eviction() {
        return eviction;
    }

    /**
     * The memory {@code maxmemory} is compared with: the keyspace's off-heap bytes
     * ({@link Keyspace#memoryUsage()}: entries with their overhead, the expires index, big
     * values). The Java heap is left out on purpose: it holds no data, and what eviction deletes
     * does not shrink it (see {@link Eviction}). INFO's used_memory adds the heap in use.
     */
    public long usedMemory() {
        return keyspace.memoryUsage();
    }

    public PubSub pubsub() {
        return pubsub;
    }

    public Watches watches() {
        return watches;
    }

    public Blocking blocking() {
        return blocking;
    }

    public ClientPause clientPause() {
        return clientPause;
    }

    /**
     * A write added data under a key that clients may be blocked on (LPUSH, ZADD, XADD...):
     * they are tried after the current command (Redis's signalKeyAsReady). Cheap when nobody
     * blocks.
     */
    public void signalKeyAsReady(int db, byte[] key) {
        blocking.signalKeyAsReady(db, key);
    }

    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);

    /**
     * The one place a key deleted because it expired (lazily on access, or by active expiry) is
     * accounted for, as Redis's deleteExpiredKeyAndPropagate: INFO expired_keys, the "expired"
     * keyspace event, WATCH (a watched key that expires is a change), and a DEL to replicas and
     * AOF — with the running command's effects when found during a command, at once otherwise.
     */
    private void keyExpired(int db, byte[] key) {
        stats.expiredKeys++;
        keyspaceEvents.notify(KeyspaceEvents.EXPIRED, "expired", key, db);
        byte[][] del = {DEL, key};
        if (dispatcher.inCommand()) propagation.also(db, del);
        else propagation.emit(db, del);
        keyTouched(db, key);
    }

    public Settings settings() {
        return settings;
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public CommandTable commands() {
        return commands;
    }

    public Executor executor() {
        return executor;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public Stats stats() {
        return stats;
    }

    public Propagation propagation() {
        return propagation;
    }

    public SlowLog slowlog() {
        return slowlog;
    }

    public char role() {
        return role;
    }

    public void role(char role) {
        this.role = role;
    }

    // ------------------------------------------------------------------ clients

    /** A new client id; any thread (Redis's client ids are unique and increasing). */
    public long newClientId() {
        return nextClientId.getAndIncrement();
    }

    public void clientConnected(Client c) {
        clients.put(c.id, c);
        c.authenticated = settings.requirepass == null;
    }

    public void clientDisconnected(Client c) {
        if (c.closed && !clients.containsKey(c.id)) return;
        c.closed = true;
        clients.remove(c.id);
        monitors.remove(c);
        c.multi = null;
        for (ClientListener l : resetListeners) l.disconnected(c);
        for (ClientListener l : clientListeners) l.disconnected(c);
    }

    /** Told when a client goes away (pub/sub, blocking, WATCH clean up after it). */
    public interface ClientListener {
        void disconnected(Client c);
    }

    private final List<ClientListener> clientListeners = new ArrayList<>();

    public void addClientListener(ClientListener l) {
        clientListeners.add(l);
    }

    /** replid, replid2 and offsets (INFO replication, PSYNC, DEBUG CHANGE-REPL-ID). */
    private io.tandem.replication.ReplicationStream replicationStream;

    /** The replication stream (set by Replication.install); the AOF taps it. */
    public io.tandem.replication.ReplicationStream replicationStream() {
        return replicationStream;
    }

    public void replicationStream(io.tandem.replication.ReplicationStream stream) {
        this.replicationStream = stream;
    }

    private java.util.function.IntSupplier replStreamDb = () -> 0;

    /**
     * The db the replication stream is in now, for an RDB's repl-stream-db aux field (Redis's
     * rdbPopulateSaveInfo): a master's last SELECT in its stream, a replica's master's db.
     */
    public int replStreamDb() {
        return replStreamDb.getAsInt();
    }

    public void replStreamDb(java.util.function.IntSupplier source) {
        this.replStreamDb = source;
    }

    private io.tandem.server.persist.Persistence persistence;

    /** RDB persistence (set when it is constructed): replication starts its snapshots through it. */
    public io.tandem.server.persist.Persistence persistence() {
        return persistence;
    }

    public void persistence(io.tandem.server.persist.Persistence p) {
        this.persistence = p;
    }

    public io.tandem.replication.ReplicationIds replicationIds() {
        return replicationIds;
    }

    public KeyspaceEvents keyspaceEvents() {
        return keyspaceEvents;
    }

    /** Told on RESET (and disconnect): leave MULTI, unwatch, unsubscribe. */
    public void addResetListener(ClientListener l) {
        resetListeners.add(l);
    }

    /** RESET's session part: out of MULTI, no watches, no subscriptions, not a monitor. */
    public void resetClient(Client c) {
        c.multi = null;
        c.multiError = false;
        if (c.monitor) {
            c.monitor = false;
            monitors.remove(c);
        }
        for (ClientListener l : resetListeners) l.disconnected(c);
    }

    /** CLIENT KILL: closes now, or after this reply when a client kills itself. */
    public void killClient(Client c, boolean self) {
        if (self) {
            c.closeAfterReply = true;
            return;
        }
        c.closeAfterReply = true;
        c.flush();
        clientDisconnected(c);
    }

    /** Told of every key a write changed and of every flush (WATCH, client-side caching). */
    public interface KeyListener {
        void touched(int db, byte[] key);

        /** db -1: every database. */
        void flushed(int db);
    }

    /** Replaced, never changed in place: a listener may remove itself while being told. */
    private KeyListener[] keyListeners = new KeyListener[0];

    public void addKeyListener(KeyListener l) {
        KeyListener[] a = java.util.Arrays.copyOf(keyListeners, keyListeners.length + 1);
        a[a.length - 1] = l;
        keyListeners = a;
    }

    public void removeKeyListener(KeyListener l) {
        List<KeyListener> a = new ArrayList<>(List.of(keyListeners));
        if (a.remove(l)) keyListeners = a.toArray(new KeyListener[0]);
    }

    public void keyTouched(int db, byte[] key) {
        for (KeyListener l : keyListeners) l.touched(db, key);
    }

    public void flushed(int db) {
        for (KeyListener l : keyListeners) l.flushed(db);
        for (int i = 0; i < flushListeners.size(); i++) flushListeners.get(i).accept(db);
    }

    /**
     * Told after FLUSHDB (db) and FLUSHALL (-1), without becoming a key listener (which would
     * make every write report its keys): persistence saves after FLUSHALL as Redis does.
     */
    private final List<java.util.function.IntConsumer> flushListeners = new ArrayList<>();

    public void addFlushListener(java.util.function.IntConsumer l) {
        flushListeners.add(l);
    }

    public boolean hasKeyListeners() {
        return keyListeners.length > 0;
    }

    public Map<Long, Client> clients() {
        return clients;
    }

    // ------------------------------------------------------------------ monitor

    public boolean hasMonitors() {
        return !monitors.isEmpty();
    }

    public void addMonitor(Client c) {
        c.monitor = true;
        monitors.add(c);
    }

    /** Sends a command to MONITOR clients in Redis's format: {@code +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"}. */
    public void feedMonitors(Client c, CommandSpec spec, byte[][] argv) {
        if (monitors.isEmpty() || spec.has(CommandFlag.SKIP_MONITOR) || spec.has(CommandFlag.ADMIN)) return;
        long us = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        StringBuilder sb = new StringBuilder();
        sb.append(us / 1_000_000).append('.').append(String.format("%06d", us % 1_000_000)).append(" [").append(c.db).append(' ');
        sb.append(c.isInternal() ? "lua" : c.addr()).append(']');
        for (byte[] a : argv) sb.append(' ').append(Quoting.repr(a));
        String line = sb.toString();
        for (Client m : monitors) {
            if (m.closed) continue;
            m.out().simple(line);
            executor.markDirty(m);
        }
    }

    // ------------------------------------------------------------------ command checks

    private final List<DenyRule> denyRules = new ArrayList<>();

    /** A check run before each command (read-only replica, OOM, MISCONF...): returns an error or null. */
    public interface DenyRule {
        String deny(Client c, CommandSpec spec);
    }

    public void addDenyRule(DenyRule rule) {
        denyRules.add(rule);
    }

    /** The error that refuses this command for this client now, or null. */
    public String denyReason(Client c, CommandSpec spec) {
        for (int i = 0; i < denyRules.size(); i++) {
            String r = denyRules.get(i).deny(c, spec);
            if (r != null) return r;
        }
        return null;
    }

    public void afterCommand(Client c, CommandSpec spec, byte[][] argv, long micros) {
        if (settings.slowlogLogSlowerThan >= 0 && micros >= settings.slowlogLogSlowerThan
                && !spec.has(CommandFlag.SKIP_SLOWLOG)) {
            slowlog.add(argv, micros, c, settings.slowlogMaxLen, keyspace.now());
        }
        if (settings.latencyMonitorThreshold > 0 && micros / 1000 >= settings.latencyMonitorThreshold) {
            latency.add(spec.has(CommandFlag.FAST) ? "fast-command" : "command", micros / 1000, keyspace.now());
        }
    }

    private final LatencyMonitor latency = new LatencyMonitor();

    public LatencyMonitor latency() {
        return latency;
    }

    // ------------------------------------------------------------------ cron

    public void addCronTask(Runnable task) {
        cronTasks.add(task);
    }

    /** Redis's serverCron, at {@code hz}: statistics, client timeouts, active expiry, then registered tasks. */
    public void cron() {
        long now = keyspace.now();
        stats.sample(System.currentTimeMillis());
        if (settings.timeoutSeconds > 0) closeIdleClients(now);
        blocking.checkTimeouts();
        clientPause.check();
        activeExpire();
        keyspace.tick(256);
        for (int i = 0; i < cronTasks.size(); i++) cronTasks.get(i).run();
        executor.flushDirty();
    }

    private void closeIdleClients(long now) {
        long limit = settings.timeoutSeconds * 1000;
        for (Client c : new ArrayList<>(clients.values())) {
            if (c.isInternal() || c.blocked || c.subscriptions > 0 || c.monitor || c.kind != 0) continue;
            if (now - c.lastInteractionMs > limit) {
                log.debug("Closing idle client");
                c.closeAfterReply = true;
                c.flush();
                clientDisconnected(c);
            }
        }
    }

    /**
     * Active expiry, as Redis's slow cycle: a budget of keys per database per cron tick, scaled
     * by active-expire-effort, repeated while more than 10% of what was looked at had expired.
     */
    private boolean activeExpireEnabled = true;

    /** DEBUG SET-ACTIVE-EXPIRE. */
    public void setActiveExpire(boolean enabled) {
        activeExpireEnabled = enabled;
    }

    private void activeExpire() {
        // A replica waits for the master's DELs; a paused server keeps its dataset still.
        if (role == 'S' || !activeExpireEnabled || clientPause.paused()) return;
        int dbs = keyspace.databases();
        int perLoop = 20 + 5 * (settings.activeExpireEffort - 1);
        long deadline = System.nanoTime() + 25_000_000L / Math.max(1, settings.hz) * 10 / 10;
        for (int i = 0; i < dbs; i++) {
            int db = (activeExpireDb + i) % dbs;
            int rounds = 0;
            while (rounds++ < 16) {
                int n = keyspace.db(db).activeExpire(perLoop);
                if (n * 10 < perLoop || System.nanoTime() > deadline) break;
            }
        }
        activeExpireDb = (activeExpireDb + 1) % dbs;
    }

    // ------------------------------------------------------------------ shutdown

    /** How SHUTDOWN and signals stop the process: returns an error text if refused, else null. */
    @FunctionalInterface
    public interface ShutdownHandler {
        String shutdown(int saveMode, boolean force);
    }

    public void setShutdownHandler(ShutdownHandler handler) {
        this.shutdownHandler = handler;
    }

    /**
     * Asks the server to stop (SHUTDOWN, signals). {@code saveMode}: 1 SAVE, -1 NOSAVE, 0 as
     * configured. Returns an error text if the shutdown is refused, else null.
     */
    public String shutdown(int saveMode) {
        return shutdownHandler.shutdown(saveMode, false);
    }

    /** As {@link #shutdown(int)}; with {@code force}, a failed final save does not stop the shutdown. */
    public String shutdown(int saveMode, boolean force) {
        return shutdownHandler.shutdown(saveMode, force);
    }

    /** Reply helper for handlers that list strings. */
    public static void stringArray(RespWriter out, List<String> items) {
        out.array(items.size());
        for (String s : items) out.bulk(s.getBytes(StandardCharsets.UTF_8));
    }
}
