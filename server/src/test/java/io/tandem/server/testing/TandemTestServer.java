package io.tandem.server.testing;

import io.tandem.server.TandemServer;
import io.tandem.storage.keyspace.ChronicleKeyspace;

import java.util.HashMap;
import java.util.Map;

/**
 * A real Tandem server started in the test JVM on an ephemeral port (port 0), with Redis's
 * default configuration plus overrides. Close it to shut it down.
 */
public final class TandemTestServer implements AutoCloseable {
    private final TandemServer server;

    private TandemTestServer(TandemServer server) {
        this.server = server;
    }

    /** Redis 7.0 defaults for the directives the server reads at start, loopback only, DEBUG enabled. */
    public static Map<String, String> defaults() {
        return new HashMap<>(Map.ofEntries(
                Map.entry("maxclients", "10000"), Map.entry("proto-max-bulk-len", "536870912"),
                Map.entry("client-query-buffer-limit", "1073741824"), Map.entry("protected-mode", "yes"),
                Map.entry("requirepass", ""), Map.entry("databases", "16"), Map.entry("hz", "10"),
                Map.entry("timeout", "0"), Map.entry("slowlog-log-slower-than", "10000"),
                Map.entry("slowlog-max-len", "128"), Map.entry("latency-monitor-threshold", "0"),
                Map.entry("maxmemory", "0"), Map.entry("maxmemory-policy", "noeviction"),
                Map.entry("maxmemory-samples", "5"), Map.entry("enable-debug-command", "yes"),
                Map.entry("port", "0"), Map.entry("notify-keyspace-events", ""),
                Map.entry("io-threads", "1"), Map.entry("bind", "127.0.0.1"), Map.entry("tcp-backlog", "511"),
                Map.entry("tcp-keepalive", "300"), Map.entry("unixsocket", ""), Map.entry("pidfile", "")));
    }

    public static TandemTestServer start() {
        return start(Map.of());
    }

    public static TandemTestServer start(Map<String, String> overrides) {
        Map<String, String> cfg = defaults();
        cfg.putAll(overrides);
        // "port 0" means "no TCP listener" (as in Redis), so pick a free ephemeral port here.
        if (cfg.get("port").equals("0")) cfg.put("port", Integer.toString(freePort()));
        try {
            return new TandemTestServer(new TandemServer(cfg::get, ChronicleKeyspace.open(Integer.parseInt(cfg.get("databases")))).start());
        } catch (Exception e) {
            throw new IllegalStateException("Tandem failed to start: " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
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
    }
}
