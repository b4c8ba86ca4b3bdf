package io.tandem.server;

import io.tandem.server.config.CommandLine;
import io.tandem.server.config.ConfigException;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.log.Logging;
import io.tandem.server.net.NetworkServer;
import io.tandem.storage.keyspace.ChronicleKeyspace;
import io.tandem.storage.keyspace.Keyspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The process: {@code tandem-server [configfile|-] [--directive value ...]}, as redis-server.
 * Reads the configuration, daemonizes if asked, starts the server, logs Redis's startup lines and
 * turns SIGTERM/SIGINT into an orderly shutdown.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    /** Set in the environment of the re-executed child when daemonizing. */
    static final String DAEMON_ENV = "TANDEM_DAEMONIZED";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses the command line as redis-server does and runs; returns the exit code. */
    static int run(String[] args) {
        CommandLine cl = CommandLine.parse(args);
        switch (cl.mode()) {
            case VERSION -> {
                System.out.println(cl.versionText());
                return 0;
            }
            case HELP -> {
                System.err.print(CommandLine.usageText());
                return 1;
            }
            default -> { }
        }
        ServerConfig config;
        try {
            config = cl.load(System.in);
        } catch (ConfigException e) {
            System.err.print(e.stderrText());
            System.err.flush();
            return 1;
        }
        String file = config.configFile() == null ? "" : config.configFile().toString();
        return serve(config, file);
    }

    /**
     * Starts a server from a loaded configuration and blocks until it shuts down.
     *
     * @param config the loaded configuration
     * @param configFile the absolute path of the config file, or "" (INFO config_file)
     * @return the process exit code
     */
    static int serve(ServerConfig config, String configFile) {
        if ("yes".equals(config.format("daemonize")) && System.getenv(DAEMON_ENV) == null) {
            return daemonize();
        }
        char[] role = {config.format("replicaof") == null || config.format("replicaof").isEmpty() ? 'M' : 'S'};
        Logging.configure(config.format("logfile"), config.format("loglevel"), () -> role[0]);
        long pid = ProcessHandle.current().pid();
        log.warn("oO0OoO0OoO0Oo Tandem is starting oO0OoO0OoO0Oo");
        log.warn("Tandem version={} (Redis {} compatible), bits=64, pid={}, just started",
                Version.TANDEM_VERSION, Version.REDIS_VERSION, pid);
        if (configFile.isEmpty()) {
            log.warn("Warning: no config file specified, using the default config. In order to specify a config file use tandem-server /path/to/tandem.conf");
        } else {
            log.warn("Configuration loaded");
        }
        Keyspace keyspace;
        long t0 = System.nanoTime();
        keyspace = ChronicleKeyspace.open(Integer.parseInt(config.format("databases")));
        log.debug("Off-heap keyspace ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
        TandemServer server = new TandemServer(config, keyspace);
        server.info().serverFields.put("config_file", configFile);
        server.info().serverFields.put("executable", executable());
        server.info().serverFields.put("run_id", runId());
        server.server().role(role[0]);
        if ("yes".equals(config.format("always-show-logo"))) logo(config.format("port"), pid);
        log.info("Running mode=standalone, port={}, PID: {}", config.format("port"), pid);
        installSignalHandlers(server);
        log.warn("Server initialized");
        try {
            server.start();
        } catch (NetworkServer.BindException e) {
            log.warn("{}", e.getMessage());
            keyspace.close();
            return 1;
        } catch (io.tandem.server.persist.Persistence.FatalLoadError e) {
            // rdb.c logged the offset and reason; Redis exits 1 here
            log.warn("{}", e.getMessage());
            keyspace.close();
            return 1;
        }
        try {
            return server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void installSignalHandlers(TandemServer server) {
        for (String sig : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(sig), s -> {
                    log.warn("Received SIG{} scheduling shutdown...", sig);
                    if (server.shutdown(0) != null) {
                        log.warn("SIG{} received but errors trying to shut down the server, check the logs for more information", sig);
                    }
                });
            } catch (IllegalArgumentException e) {
                log.debug("Cannot handle SIG{}: {}", sig, e.getMessage());
            }
        }
    }

    /**
     * daemonize yes: the JVM cannot fork, so it starts itself again detached (setsid, stdio to
     * /dev/null as Redis does) and exits; the child writes the pidfile, so the pidfile names the
     * server.
     */
    private static int daemonize() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) cmd.add("/usr/bin/setsid");
        List<String> self = ownCommandLine();
        if (self != null) {
            cmd.addAll(self);
        } else {
            cmd.add(info.command().orElse("java"));
            info.arguments().ifPresent(a -> cmd.addAll(List.of(a)));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(DAEMON_ENV, "1");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            pb.start();
            return 0;
        } catch (Exception e) {
            System.err.println("Failed to daemonize: " + e.getMessage());
            return 1;
        }
    }

    /**
     * This JVM's argv from /proc/self/cmdline (NUL-separated), empty arguments included:
     * ProcessHandle.Info.arguments() loses them, so {@code --save ""} swallowed the next option.
     * Null where /proc is not there.
     */
    private static List<String> ownCommandLine() {
        try {
            byte[] raw = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/cmdline"));
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    out.add(new String(raw, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) out.add(new String(raw, start, raw.length - start, java.nio.charset.StandardCharsets.UTF_8));
            return out.isEmpty() ? null : out;
        } catch (Exception e) {
            return null;
        }
    }

    private static String executable() {
        return ProcessHandle.current().info().command().orElse("");
    }

    private static String runId() {
        byte[] b = new byte[20];
        new java.security.SecureRandom().nextBytes(b);
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x));
        return sb.toString();
    }

    private static void logo(String port, long pid) {
        String[] lines = {
            "                _._                                                  ",
            "           _.-``__ ''-._                                             ",
            "      _.-``    `.  `_.  ''-._           Tandem " + Version.TANDEM_VERSION + " (Redis " + Version.REDIS_VERSION + " compatible) 64 bit",
            "  .-`` .-```.  ```\\/    _.,_ ''-._                                  ",
            " (    '      ,       .-`  | `,    )     Running in standalone mode",
            " |`-._`-...-` __...-.``-._|'` _.-'|     Port: " + port,
            " |    `-._   `._    /     _.-'    |     PID: " + pid,
            "  `-._    `-._  `-./  _.-'    _.-'                                   ",
            "      `-._    `-.__.-'    _.-'                                       ",
            "          `-._        _.-'                                           ",
            "              `-.__.-'                                               ",
        };
        log.info("\n{}\n", String.join("\n", lines));
    }
}
