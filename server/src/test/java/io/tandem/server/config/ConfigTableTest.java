package io.tandem.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ConfigTableTest {

    /** CONFIG GET * of a redis-server 7.0.15 started with defaults (port 6379, default save; dir omitted). */
    static Map<String, String> redisDefaults() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                ConfigTableTest.class.getResourceAsStream("/config/redis-7.0.15-defaults.tsv"), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                int tab = l.indexOf('\t');
                m.put(l.substring(0, tab), l.substring(tab + 1));
            }
        }
        return m;
    }

    @Test
    void configGetStarEqualsRedisDefaults() throws Exception {
        ServerConfig cfg = ServerConfig.defaults();
        Map<String, String> ours = new TreeMap<>();
        for (Map.Entry<String, String> e : cfg.getMatching("*")) ours.put(e.getKey(), e.getValue());
        String dir = ours.remove("dir");
        assertEquals(System.getProperty("user.dir"), dir);
        // Tandem's own directives are listed too (CONFIG GET * shows them); Redis has none of them.
        for (Directive d : ConfigTable.all()) {
            if (d.has(Directive.Flag.TANDEM)) assertNotNull(ours.remove(d.name()), d.name());
        }
        assertEquals(new TreeMap<>(redisDefaults()), ours);
    }

    @Test
    void tandemDirectivesAreMarked() throws Exception {
        for (String n : List.of("master-recover-from-replica", "master-recover-candidates", "master-recover-timeout",
                "replica-refuse-empty-fullsync", "repl-backlog-disk", "repl-backlog-dirname")) {
            assertTrue(ConfigTable.lookup(n).has(Directive.Flag.TANDEM), n);
            assertFalse(redisDefaults().containsKey(n), n);
        }
        ServerConfig cfg = ServerConfig.defaults();
        cfg.set("master-recover-candidates", "127.0.0.1:6380 replica-b:6381 [::1]:6382");
        assertEquals("127.0.0.1:6380 replica-b:6381 [::1]:6382", cfg.masterRecoverCandidates());
        for (String bad : List.of("127.0.0.1", "h:0", "h:65536", "h:x", ":6379")) {
            assertThrows(ConfigSetException.class, () -> cfg.set("master-recover-candidates", bad), bad);
        }
    }

    @Test
    void everyDirectiveParsesItsDefault() throws Exception {
        for (Directive d : ConfigTable.all()) {
            String text = String.join("\n", d.defaultLines()) + "\n";
            ServerConfig cfg = ConfigLoader.loadString(text);
            assertEquals(d.format(d.defaultValue()), cfg.format(d.name()), d.name());
            assertEquals(d.defaultValue(), cfg.get(d.name()), d.name());
        }
    }

    @Test
    void everyMutableDirectiveAcceptsItsFormattedDefaultThroughConfigSet() throws Exception {
        ServerConfig cfg = ServerConfig.defaults();
        for (Directive d : ConfigTable.all()) {
            if (!d.mutable() || d.has(Directive.Flag.PROTECTED)) continue;
            cfg.set(d.name(), cfg.format(d.name()));
            assertEquals(d.defaultValue(), cfg.get(d.name()), d.name());
        }
    }

    @Test
    void aliasesResolveToTheirDirective() {
        String[][] pairs = {
            {"slaveof", "replicaof"}, {"slave-read-only", "replica-read-only"}, {"slave-serve-stale-data", "replica-serve-stale-data"},
            {"slave-priority", "replica-priority"}, {"slave-announce-ip", "replica-announce-ip"}, {"slave-announce-port", "replica-announce-port"},
            {"slave-lazy-flush", "replica-lazy-flush"}, {"slave-ignore-maxmemory", "replica-ignore-maxmemory"},
            {"repl-ping-slave-period", "repl-ping-replica-period"}, {"min-slaves-to-write", "min-replicas-to-write"},
            {"min-slaves-max-lag", "min-replicas-max-lag"}, {"hash-max-ziplist-entries", "hash-max-listpack-entries"},
            {"hash-max-ziplist-value", "hash-max-listpack-value"}, {"zset-max-ziplist-entries", "zset-max-listpack-entries"},
            {"zset-max-ziplist-value", "zset-max-listpack-value"}, {"list-max-ziplist-size", "list-max-listpack-size"},
            {"lua-time-limit", "busy-reply-threshold"}, {"cluster-slave-validity-factor", "cluster-replica-validity-factor"},
            {"cluster-slave-no-failover", "cluster-replica-no-failover"},
        };
        for (String[] p : pairs) {
            assertSame(ConfigTable.lookup(p[1]), ConfigTable.lookup(p[0]), p[0]);
            assertNotNull(ConfigTable.lookup(p[0].toUpperCase()));
        }
    }

    @Test
    void mutabilityAsRedis() {
        for (String n : List.of("databases", "daemonize", "enable-debug-command", "io-threads", "replicaof", "logfile",
                "unixsocket", "pidfile", "appendfilename", "appenddirname", "supervised", "tcp-backlog", "rdbchecksum",
                "always-show-logo", "cluster-enabled", "enable-protected-configs", "socket-mark-id")) {
            assertFalse(ConfigTable.lookup(n).mutable(), n);
        }
        for (String n : List.of("port", "bind", "maxmemory", "save", "appendonly", "hz", "requirepass", "timeout",
                "client-output-buffer-limit", "notify-keyspace-events", "maxclients", "dir", "dbfilename")) {
        }
        assertTrue(ConfigTable.lookup("dir").has(Directive.Flag.PROTECTED));
        assertTrue(ConfigTable.lookup("requirepass").has(Directive.Flag.SENSITIVE));
    }
}
