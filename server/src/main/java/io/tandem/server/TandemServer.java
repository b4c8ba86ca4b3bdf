package io.tandem.server;

import io.tandem.server.command.CommandTable;
import io.tandem.server.commands.Commands;
import io.tandem.server.commands.Info;
import io.tandem.server.exec.Executor;
import io.tandem.server.net.NetworkServer;
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
import java.util.function.Function;

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

    private final Function<String, String> config;
    private final Settings settings = new Settings();
    private final Keyspace keyspace;
    private final CommandTable commands = new CommandTable();
    private final Executor executor = new Executor();
    private final Server server;
    private final Info info;
    private NetworkServer network;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile int exitCode;

    /**
     * @param config the configuration as CONFIG GET renders each directive (name to value)
     * @param keyspace the keyspace, already open (creating the first Chronicle Map takes seconds)
     */
    public TandemServer(Function<String, String> config, Keyspace keyspace) {
        this.config = config;
        this.keyspace = keyspace;
        applySettings();
        this.server = new Server(settings, keyspace, commands, executor);
        this.info = new Info(server);
        Commands.registerAll(server, info);
        server.setShutdownHandler(this::shutdown);
    }

    private void applySettings() {
        settings.maxclients = Integer.parseInt(config.apply("maxclients"));
        settings.protoMaxBulkLen = Long.parseLong(config.apply("proto-max-bulk-len"));
        settings.clientQueryBufferLimit = Long.parseLong(config.apply("client-query-buffer-limit"));
        settings.protectedMode = "yes".equals(config.apply("protected-mode"));
        String pass = config.apply("requirepass");
        settings.requirepass = pass == null || pass.isEmpty() ? null : pass;
        settings.passwordSet = settings.requirepass != null;
        settings.databases = Integer.parseInt(config.apply("databases"));
        settings.hz = Integer.parseInt(config.apply("hz"));
        settings.timeoutSeconds = Long.parseLong(config.apply("timeout"));
        settings.slowlogLogSlowerThan = Long.parseLong(config.apply("slowlog-log-slower-than"));
        settings.slowlogMaxLen = Integer.parseInt(config.apply("slowlog-max-len"));
        settings.latencyMonitorThreshold = Long.parseLong(config.apply("latency-monitor-threshold"));
        settings.maxmemory = Long.parseLong(config.apply("maxmemory"));
        settings.maxmemoryPolicy = config.apply("maxmemory-policy");
        settings.maxmemorySamples = Integer.parseInt(config.apply("maxmemory-samples"));
        settings.enableDebugCommand = config.apply("enable-debug-command");
        String lfuLogFactor = config.apply("lfu-log-factor");
        if (lfuLogFactor != null) settings.lfuLogFactor = Integer.parseInt(lfuLogFactor);
        String lfuDecayTime = config.apply("lfu-decay-time");
        if (lfuDecayTime != null) settings.lfuDecayTime = Integer.parseInt(lfuDecayTime);
    }

    public Server server() {
        return server;
    }

    public Settings settings() {
        return settings;
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
        int port = Integer.parseInt(config.apply("port"));
        server.keyspaceEvents().setFlags(KeyspaceEvents.parse(config.apply("notify-keyspace-events")));
        executor.start(server::cron, settings.hz);
        network = new NetworkServer(server, Math.max(1, Integer.parseInt(config.apply("io-threads"))));
        info.serverFields.put("multiplexing_api", network.transport());
        try {
            network.bind(bindAddresses(config.apply("bind")), port,
                    Integer.parseInt(config.apply("tcp-backlog")), Integer.parseInt(config.apply("tcp-keepalive")));
            network.bindUnix(config.apply("unixsocket"), Integer.parseInt(config.apply("tcp-backlog")));
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
        String pidfile = config.apply("pidfile");
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
        if (!stopped.compareAndSet(false, true)) return null;
        log.warn("User requested shutdown...");
        Thread t = new Thread(() -> {
            if (network != null) network.close();
            executor.stop();
            try {
                executor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String pidfile = config.apply("pidfile");
            if (pidfile != null && !pidfile.isEmpty()) {
                log.info("Removing the pid file.");
                try {
                    Files.deleteIfExists(Path.of(pidfile));
                } catch (IOException e) {
                    log.warn("Failed to remove the pid file: {}", e.getMessage());
                }
            }
            String unix = config.apply("unixsocket");
            if (unix != null && !unix.isEmpty()) {
                try {
                    Files.deleteIfExists(Path.of(unix));
                } catch (IOException ignored) {
                    // best effort, as Redis
                }
            }
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
