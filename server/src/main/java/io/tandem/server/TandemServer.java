package io.tandem.server;

import io.tandem.server.command.CommandTable;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.log.Logging;
import io.tandem.server.commands.Commands;
import io.tandem.server.commands.Info;
import io.tandem.server.exec.Executor;
import io.tandem.server.net.NetworkServer;
import io.tandem.server.persist.Persistence;
import io.tandem.storage.keyspace.Keyspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running Tandem server: assembles keyspace, command table, executor and network from a
 * configuration, starts them in Redis's order and stops them in reverse.
 *
 * <pre>
 *   new TandemServer(config, keyspace).start()   // binds, logs "Ready to accept connections"
 *   ...
 *   server.shutdown(...)                         // SHUTDOWN, SIGTERM: stop accepting, save, exit
 * </pre>
 */
public final class TandemServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TandemServer.class);

    private final ServerConfig config;
    private final Settings settings = new Settings();
    private final Keyspace keyspace;
    private final CommandTable commands = new CommandTable();
    private final Executor executor = new Executor();
    private final Server server;
    private final Info info;
    private final Persistence persistence;
    private final io.tandem.server.persist.Aof aof;
    private NetworkServer network;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile int exitCode;

    /**
     * @param config the loaded configuration
     * @param keyspace the keyspace, already open (creating the first Chronicle Map takes seconds)
     */
    public TandemServer(ServerConfig config, Keyspace keyspace) {
        this.config = config;
        this.keyspace = keyspace;
        applySettings();
        this.server = new Server(settings, keyspace, commands, executor);
        this.info = new Info(server);
        Commands.registerAll(server, info, config);
        this.persistence = new Persistence(server, config, info);
        persistence.register(commands);
        this.aof = new io.tandem.server.persist.Aof(server, config, persistence);
        persistence.aof(aof);
        aof.listen();
        commands.register("bgrewriteaof", aof::bgrewriteaofCommand);
        server.setShutdownHandler(this::shutdown);
        listen();
    }

    public ServerConfig config() {
        return config;
    }

    /** The append-only file (its package-private test hooks serve the persistence tests). */
    public io.tandem.server.persist.Aof aof() {
        return aof;
    }

    /** The configuration as CONFIG GET formats a directive. */
    private String cfg(String name) {
        return config.format(name);
    }

    /**
     * Runtime effects of CONFIG SET, as Redis's apply functions: the values the executor and the
     * network threads read are copied into {@link Settings}. CONFIG SET runs on the executor.
     */
    private void listen() {
        String[] copied = {"maxclients", "proto-max-bulk-len", "client-query-buffer-limit", "protected-mode",
            "requirepass", "timeout", "slowlog-log-slower-than", "slowlog-max-len", "latency-monitor-threshold",
            "maxmemory", "maxmemory-policy", "maxmemory-samples", "hz", "active-expire-effort",
            "replica-read-only", "replica-serve-stale-data", "hash-max-listpack-entries", "hash-max-listpack-value",
            "zset-max-listpack-entries", "zset-max-listpack-value", "list-max-listpack-size",
            "set-max-intset-entries", "lfu-log-factor", "lfu-decay-time"};
        for (String name : copied) config.onChange(name, (n, before, after) -> applySettings());
        config.onChange("hll-sparse-max-bytes", (n, before, after) -> applySettings());
        config.onChange("hz", (n, before, after) -> executor.setHz(settings.hz));
        config.onChange("slowlog-max-len", (n, before, after) -> server.slowlog().trim(settings.slowlogMaxLen));
        config.onChange("loglevel", (n, before, after) -> Logging.setLevel(cfg("loglevel")));
        config.onChange("client-output-buffer-limit", (n, before, after) -> applyOutputLimits());
        applyOutputLimits();
        config.onChange("notify-keyspace-events",
                (n, before, after) -> server.keyspaceEvents().setFlags(config.notifyKeyspaceEvents()));
    }

    private void applyOutputLimits() {
        var pubsub = config.clientOutputBufferLimits().pubsub();
        server.pubsub().setOutputBufferLimit(pubsub.hardBytes(), pubsub.softBytes(), pubsub.softSeconds());
    }

    private void applySettings() {
        settings.maxclients = Integer.parseInt(cfg("maxclients"));
        settings.protoMaxBulkLen = Long.parseLong(cfg("proto-max-bulk-len"));
        settings.clientQueryBufferLimit = Long.parseLong(cfg("client-query-buffer-limit"));
        settings.protectedMode = "yes".equals(cfg("protected-mode"));
        String pass = cfg("requirepass");
        settings.requirepass = pass == null || pass.isEmpty() ? null : pass;
        settings.passwordSet = settings.requirepass != null;
        settings.databases = Integer.parseInt(cfg("databases"));
        settings.hz = Integer.parseInt(cfg("hz"));
        settings.timeoutSeconds = Long.parseLong(cfg("timeout"));
        settings.slowlogLogSlowerThan = Long.parseLong(cfg("slowlog-log-slower-than"));
        settings.slowlogMaxLen = Integer.parseInt(cfg("slowlog-max-len"));
        settings.latencyMonitorThreshold = Long.parseLong(cfg("latency-monitor-threshold"));
        settings.maxmemory = Long.parseLong(cfg("maxmemory"));
        settings.maxmemoryPolicy = cfg("maxmemory-policy");
        settings.maxmemorySamples = Integer.parseInt(cfg("maxmemory-samples"));
        settings.enableDebugCommand = cfg("enable-debug-command");
        settings.activeExpireEffort = Integer.parseInt(cfg("active-expire-effort"));
        settings.replicaReadOnly = "yes".equals(cfg("replica-read-only"));
        settings.replicaServeStaleData = "yes".equals(cfg("replica-serve-stale-data"));
        settings.hashMaxListpackEntries = Integer.parseInt(cfg("hash-max-listpack-entries"));
        settings.hashMaxListpackValue = Long.parseLong(cfg("hash-max-listpack-value"));
        settings.zsetMaxListpackEntries = Integer.parseInt(cfg("zset-max-listpack-entries"));
        settings.zsetMaxListpackValue = Long.parseLong(cfg("zset-max-listpack-value"));
        settings.listMaxListpackSize = Integer.parseInt(cfg("list-max-listpack-size"));
        settings.setMaxIntsetEntries = Integer.parseInt(cfg("set-max-intset-entries"));
        settings.hllSparseMaxBytes = Long.parseLong(cfg("hll-sparse-max-bytes"));
        settings.lfuLogFactor = Integer.parseInt(cfg("lfu-log-factor"));
        settings.lfuDecayTime = Integer.parseInt(cfg("lfu-decay-time"));
    }

    public Server server() {
        return server;
    }

    public Settings settings() {
        return settings;
    }

    public Persistence persistence() {
        return persistence;
    }

    public Info info() {
        return info;
    }

    /** The TCP port bound (the configured one, or the ephemeral one chosen for port 0 in tests). */
    public int port() {
        return network == null ? 0 : network.port();
    }

    /**
     * Binds and starts serving.
     *
     * @throws NetworkServer.BindException when a listening socket cannot be opened (the caller
     *     logs it and exits 1, as Redis does)
     */
    public TandemServer start() throws NetworkServer.BindException {
        int port = Integer.parseInt(cfg("port"));
        server.keyspaceEvents().setFlags(config.notifyKeyspaceEvents());
        // the dataset is loaded before the executor starts and before any connection is accepted
        if (aof.enabled()) {
            aof.loadAtStartup(); // Redis 7.0: with appendonly yes the AOF, not the RDB, is loaded
            aof.openAtStartup();
        } else {
            persistence.loadAtStartup();
        }
        server.replication().datasetLoaded();
        executor.setIdleWork(() -> keyspace.tick(64) | persistence.backgroundStep());
        executor.setBatchWork(persistence::backgroundStep);
        executor.start(server::cron, settings.hz);
        network = new NetworkServer(server, Math.max(1, Integer.parseInt(cfg("io-threads"))));
        info.serverFields.put("multiplexing_api", network.transport());
        try {
            network.bind(bindAddresses(cfg("bind")), port,
                    Integer.parseInt(cfg("tcp-backlog")), Integer.parseInt(cfg("tcp-keepalive")));
            network.bindUnix(cfg("unixsocket"), Integer.parseInt(cfg("tcp-backlog")));
        } catch (NetworkServer.BindException e) {
            network.close();
            executor.stop();
            throw e;
        }
        info.serverFields.put("tcp_port", Integer.toString(network.port()));
        writePidfile();
        log.info("Ready to accept connections");
        return this;
    }

    static List<String> bindAddresses(String bind) {
        if (bind == null || bind.isBlank()) return List.of();
        return List.of(bind.trim().split("\\s+"));
    }

    private void writePidfile() {
        String pidfile = cfg("pidfile");
        if (pidfile == null || pidfile.isEmpty()) return;
        try {
            Files.writeString(Path.of(pidfile), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            log.warn("Failed to write PID file: {}", e.getMessage());
        }
    }

    /**
     * Orderly shutdown, as Redis's prepareForShutdown/finishShutdown: stop accepting, run the
     * final save when asked or when save points are configured, remove the pidfile, close.
     *
     * @param saveMode 1 SAVE, -1 NOSAVE, 0 as configured
     * @return an error text when the shutdown is refused, else null (and the server stops)
     */
    public String shutdown(int saveMode) {
        return shutdown(saveMode, false);
    }

    /**
     * As {@link #shutdown(int)}. The final save runs on the executor (so the dataset is
     * consistent), after stopping a running BGSAVE; if it fails the shutdown is refused unless
     * {@code force}.
     */
    public String shutdown(int saveMode, boolean force) {
        if (stopped.get()) return null;
        log.warn("User requested shutdown...");
        boolean save = saveMode == 1 || (saveMode == 0 && !config.save().isEmpty());
        if (executor.started()) {
            String refused;
            try {
                refused = executor.call(() -> {
                    if (persistence.bgsaveInProgress()) {
                        log.warn("There is a child saving an .rdb. Killing it!");
                        persistence.abortBgsave();
                    }
                    if (!save) return null;
                    log.warn("Saving the final RDB snapshot before exiting.");
                    if (persistence.saveSync()) return null;
                    if (force) {
                        log.warn("Error trying to save the DB. Exit anyway.");
                        return null;
                    }
                    log.warn("Error trying to save the DB, can't exit.");
                    log.warn("Errors trying to shut down the server. Check the logs for more information.");
                    return "ERR Errors trying to SHUTDOWN. Check logs.";
                });
            } catch (Exception e) {
                refused = "ERR Errors trying to SHUTDOWN. Check logs.";
            }
            if (refused != null) return refused;
        }
        if (!stopped.compareAndSet(false, true)) return null;
        Thread t = new Thread(() -> {
            if (network != null) network.close();
            executor.stop();
            try {
                executor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String pidfile = cfg("pidfile");
            if (pidfile != null && !pidfile.isEmpty()) {
                log.info("Removing the pid file.");
                try {
                    Files.deleteIfExists(Path.of(pidfile));
                } catch (IOException e) {
                    log.warn("Failed to remove the pid file: {}", e.getMessage());
                }
            }
            String unix = cfg("unixsocket");
            if (unix != null && !unix.isEmpty()) {
                try {
                    Files.deleteIfExists(Path.of(unix));
                } catch (IOException ignored) {
                    // best effort, as Redis
                }
            }
            persistence.abortBgsave(); // the executor has stopped: this thread owns the keyspace now
            aof.close();
            server.replication().close(); // after the AOF: the backlog is marked clean last
            keyspace.close();
            log.warn("Tandem is now ready to exit, bye bye...");
            terminated.countDown();
        }, "tandem-shutdown");
        t.start();
        return null;
    }

    /** Waits until the server has shut down; returns the process exit code. */
    public int awaitTermination() throws InterruptedException {
        terminated.await();
        return exitCode;
    }

    @Override
    public void close() {
        shutdown(-1);
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
