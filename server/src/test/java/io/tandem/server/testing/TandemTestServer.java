package io.tandem.server.testing;

import io.tandem.server.TandemServer;
import io.tandem.server.config.ConfigException;
import io.tandem.server.config.ConfigLoader;
import io.tandem.server.config.ServerConfig;
import io.tandem.storage.keyspace.ChronicleKeyspace;

import java.util.HashMap;
import java.util.Map;

/**
 * A real Tandem server started in the test JVM on an ephemeral port (port 0), with Redis's
 * default configuration plus overrides. Close it to shut it down.
 */
public final class TandemTestServer implements AutoCloseable {
    private final TandemServer server;
    /** A directory made for this server when the overrides name none (deleted at close). */
    private java.nio.file.Path ownDir;

    private TandemTestServer(TandemServer server) {
        this.server = server;
    }

    /**
     * Config lines (directive to value text, as written in redis.conf) on top of Redis's defaults:
     * loopback only, a free port, DEBUG enabled, no persistence.
     */
    public static Map<String, String> defaults() {
        return new HashMap<>(Map.of("port", "0", "bind", "127.0.0.1", "enable-debug-command", "yes", "save", ""));
    }

    public static TandemTestServer start() {
        return start(Map.of());
    }

    public static TandemTestServer start(Map<String, String> overrides) {
        Map<String, String> cfg = defaults();
        cfg.putAll(overrides);
        // A replica writes the RDB it receives (and renames it to dbfilename, as Redis): never into
        // the working directory of the build.
        java.nio.file.Path own = null;
        if (!cfg.containsKey("dir")) {
            try {
                own = java.nio.file.Files.createTempDirectory("tandem-test");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            cfg.put("dir", own.toString());
        }
        boolean pickPort = "0".equals(cfg.get("port"));
        for (int attempt = 0; ; attempt++) {
            // Port 0 means "no TCP" in Redis, so a free port is chosen here (and retried if raced).
            if (pickPort) cfg.put("port", Integer.toString(freePort()));
            StringBuilder text = new StringBuilder();
            cfg.forEach((k, v) -> text.append(k).append(' ').append(v.isEmpty() ? "\"\"" : v).append('\n'));
            ServerConfig config;
            try {
                config = ConfigLoader.loadString(text.toString());
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.stderrText(), e);
            }
            TandemServer s = new TandemServer(config, ChronicleKeyspace.open(config.databases()));
            try {
                TandemTestServer t = new TandemTestServer(s.start());
                t.ownDir = own;
                return t;
            } catch (Exception e) {
                s.close();
                if (!pickPort || attempt >= 5) throw new IllegalStateException("Tandem failed to start: " + e.getMessage(), e);
            }
        }
    }

    public static int freePort() {
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            ss.setReuseAddress(true);
            return ss.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public int port() {
        return server.port();
    }

    public TandemServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
        if (ownDir != null) {
            try (var files = java.nio.file.Files.walk(ownDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }
}
