package io.tandem.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Error texts checked against redis-server 7.0.15. */
class ConfigSetTest {

    static String setError(ServerConfig cfg, String... pairs) {
        return assertThrows(ConfigSetException.class, () -> cfg.set(List.of(pairs))).getMessage();
    }

    @Test
    void setAndGetTyped() throws Exception {
        ServerConfig cfg = ServerConfig.defaults();
        cfg.set(List.of("maxmemory", "100mb", "maxmemory-policy", "ALLKEYS-LRU", "save", "60 5 300 10", "appendfsync", "always"));
        assertEquals(100L << 20, cfg.maxmemory());
        assertEquals("allkeys-lru", cfg.maxmemoryPolicy());
        assertEquals(List.of(new SavePoint(60, 5), new SavePoint(300, 10)), cfg.save());
        assertEquals("always", cfg.appendfsync());
        cfg.set("save", "");
        assertEquals(List.of(), cfg.save());
        cfg.set("hz", "1000");
        assertEquals("500", cfg.format("hz"));
        cfg.set("hz", "0");
        assertEquals(1, cfg.hz());
        cfg.set("client-output-buffer-limit", "replica 1mb 2mb 3");
        assertEquals("normal 0 0 0 slave 1048576 2097152 3 pubsub 33554432 8388608 60", cfg.format("client-output-buffer-limit"));
        cfg.set("bind", "127.0.0.1 -::1");
        assertEquals(List.of("127.0.0.1", "-::1"), cfg.bind());
        cfg.set("notify-keyspace-events", "g$lshzxetdKE");
        assertEquals("AKE", cfg.format("notify-keyspace-events"));
        cfg.set("shutdown-on-sigint", "default now");
        assertEquals("now", cfg.format("shutdown-on-sigint"));
        cfg.set("slave-read-only", "no");
        assertFalse(cfg.replicaReadOnly());
        cfg.set("maxmemory", "1K");
        assertEquals(1000, cfg.maxmemory());
    }

    @Test
    void errors() {
        ServerConfig cfg = ServerConfig.defaults();
        assertEquals("Unknown option or number of arguments for CONFIG SET - 'foo'", setError(cfg, "foo", "1"));
        assertEquals("Unknown option or number of arguments for CONFIG SET - 'list-max-ziplist-entries'", setError(cfg, "list-max-ziplist-entries", "3"));
        assertEquals("CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config", setError(cfg, "daemonize", "yes"));
        assertEquals("CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config", setError(cfg, "DAEMONIZE", "yes"));
        assertEquals("CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config", setError(cfg, "replicaof", "a 1"));
        assertEquals("CONFIG SET failed (possibly related to argument 'dir') - can't set protected config", setError(cfg, "dir", "/tmp"));
        assertEquals("CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config", setError(cfg, "dbfilename", "x"));
        assertEquals("CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer", setError(cfg, "port", "abc"));
        assertEquals("CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter", setError(cfg, "maxmemory", "10", "maxmemory", "20"));
        assertEquals("CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value", setError(cfg, "maxmemory", "1.5"));
        assertEquals("CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning", setError(cfg, "loglevel", "foo"));
        assertEquals("CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters", setError(cfg, "save", "1 2 3"));
        assertEquals("CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.",
                setError(cfg, "client-output-buffer-limit", "slave 1 2 3 master 1 1 1"));
        assertEquals("CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously",
                setError(cfg, "shutdown-on-sigint", "save nosave"));
        assertEquals("CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments", setError(cfg, "oom-score-adj-values", "1 2"));
        assertEquals("CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive", setError(cfg, "hz", "-1"));
        // The alias is reported by its canonical name once the value is refused.
        assertEquals("CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'", setError(cfg, "slave-read-only", "x"));
    }

    @Test
    void protectedAndLoading() throws Exception {
        ServerConfig cfg = ConfigLoader.loadString("enable-protected-configs local\n");
        assertThrows(ConfigSetException.class, () -> cfg.set(List.of("dbfilename", "a.rdb"), false, false));
        cfg.set(List.of("dbfilename", "a.rdb"), true, false);
        assertEquals("a.rdb", cfg.dbfilename());
        ConfigSetException e = assertThrows(ConfigSetException.class, () -> cfg.set(List.of("appendonly", "yes"), false, true));
        assertTrue(e.isLoadingError());
        ServerConfig yes = ConfigLoader.loadString("enable-protected-configs yes\n");
        yes.set("dir", System.getProperty("java.io.tmpdir"));
        assertEquals(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize().toString(), yes.dir());
    }

    @Test
    void invalidValueChangesNothing() {
        ServerConfig cfg = ServerConfig.defaults();
        setError(cfg, "maxmemory", "10mb", "timeout", "5", "port", "x");
        assertEquals(0, cfg.maxmemory());
        assertEquals(0, cfg.timeout());
        assertEquals(6379, cfg.port());
    }

    @Test
    void listenersAreCalledOnlyForChanges() throws Exception {
        ServerConfig cfg = ServerConfig.defaults();
        List<String> calls = new ArrayList<>();
        cfg.onChange("maxmemory", (n, o, v) -> calls.add(n + ":" + o + "->" + v));
        cfg.onChange("slave-read-only", (n, o, v) -> calls.add(n + ":" + o + "->" + v));
        cfg.set(List.of("maxmemory", "10", "replica-read-only", "yes"));
        assertEquals(List.of("maxmemory:0->10"), calls);
        cfg.set("maxmemory", "10");
        assertEquals(1, calls.size());
    }

    @Test
    void failingListenerRollsBackTheWholeSet() throws Exception {
        ServerConfig cfg = ServerConfig.defaults();
        List<String> applied = new ArrayList<>();
        cfg.onChange("maxmemory", (n, o, v) -> applied.add("maxmemory=" + v));
        cfg.onChange("timeout", (n, o, v) -> applied.add("timeout=" + v));
        cfg.onChange("port", (n, o, v) -> {
            if ((Long) v == 1) throw new IllegalStateException("Unable to listen on this port. Check server logs.");
            applied.add("port=" + v);
        });
        ConfigSetException e = assertThrows(ConfigSetException.class,
                () -> cfg.set(List.of("maxmemory", "1mb", "timeout", "7", "port", "1", "hz", "20")));
        assertEquals("CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.", e.getMessage());
        assertEquals(0, cfg.maxmemory());
        assertEquals(0, cfg.timeout());
        assertEquals(6379, cfg.port());
        assertEquals(10, cfg.hz());
        // Applied listeners were told to restore the old values.
        assertEquals(List.of("maxmemory=1048576", "timeout=7", "maxmemory=0", "timeout=0"), applied);

        cfg.set(List.of("maxmemory", "1mb", "port", "7000"));
        assertEquals(7000, cfg.port());
        assertEquals(1L << 20, cfg.maxmemory());
    }

    @Test
    void getWithGlobs() {
        ServerConfig cfg = ServerConfig.defaults();
        List<Map.Entry<String, String>> r = cfg.getMatching("maxmemory*");
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> e : r) names.add(e.getKey());
        assertEquals(List.of("maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "maxmemory-clients"), names);
        assertEquals(Map.entry("port", "6379"), cfg.getMatching("port").get(0));
        assertEquals(Map.entry("PORT", "6379"), cfg.getMatching("PORT").get(0)); // exact names echo the request
        assertEquals(List.of(Map.entry("slaveof", "")), cfg.getMatching("slaveof"));
        assertEquals(2, cfg.getMatching("*slaveof", "replicaof").size());
        assertEquals(1, cfg.getMatching("port", "port", "p?rt").size());
        assertEquals(List.of(), cfg.getMatching("nosuchthing"));
        assertEquals(List.of(), cfg.getMatching("watchdog*")); // hidden: exact name only
        assertEquals(1, cfg.getMatching("watchdog-period").size());
        assertEquals(2, cfg.getMatching("[bp]ind", "[p]o?t").size());
        assertEquals(cfg.getMatching("*").size(), cfg.getMatching("*", "*").size());
        assertTrue(cfg.getMatching("*").size() > 180);
    }

    @Test
    void replicaofCommandUpdatesTheValue() {
        ServerConfig cfg = ServerConfig.defaults();
        cfg.updateReplicaOf(new ReplicaOf("10.1.1.1", 6380));
        assertEquals("10.1.1.1 6380", cfg.format("replicaof"));
        cfg.updateReplicaOf(null);
        assertEquals("", cfg.format("replicaof"));
    }
}
