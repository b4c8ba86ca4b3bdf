package io.tandem.server.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.Server;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * maxmemory and the eviction policies, on an in-process Tandem server: the limit is lowered
 * under a filled keyspace (Settings.maxmemory, set on the executor) and the test checks what
 * was evicted. The keyspace clock is moved forward instead of sleeping where LRU needs idle time.
 */
class EvictionTest {
    private static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";

    /** A Tandem server with a policy, a client, and a movable clock. */
    static final class Node implements AutoCloseable {
        final TandemTestServer tandem;
        final Server server;
        final RedisProcess.Client client;
        final AtomicLong clockOffset = new AtomicLong();
        final List<String> propagated = new ArrayList<>();

        Node(String policy, long maxmemory) throws Exception {
            Map<String, String> cfg = new HashMap<>();
            cfg.put("port", Integer.toString(KeyCommandsDifferentialTest.freePort()));
            cfg.put("maxmemory-policy", policy);
            cfg.put("maxmemory", Long.toString(maxmemory));
            tandem = TandemTestServer.start(cfg);
            server = tandem.server().server();
            onExecutor(() -> {
                server.keyspace().setClock(() -> System.currentTimeMillis() + clockOffset.get());
                server.propagation().addSink((db, argv) -> {
                    synchronized (propagated) {
                        propagated.add(new String(argv[0], StandardCharsets.UTF_8));
                    }
                });
                return null;
            });
            client = RedisProcess.Client.connect("127.0.0.1", tandem.port());
        }

        <T> T onExecutor(java.util.concurrent.Callable<T> task) throws Exception {
            return server.executor().call(task);
        }

        long usedMemory() throws Exception {
            return onExecutor(server::usedMemory);
        }

        void maxmemory(long bytes) throws Exception {
            onExecutor(() -> server.settings().maxmemory = bytes);
        }

        Object call(Object... args) throws IOException {
            return client.pipeline(List.<Object[]>of(args)).get(0);
        }

        long evictedKeys() throws IOException {
            String info = new String((byte[]) call("INFO", "stats"), StandardCharsets.UTF_8);
            for (String line : info.split("\r\n")) {
                if (line.startsWith("evicted_keys:")) return Long.parseLong(line.substring(13));
            }
            throw new AssertionError("no evicted_keys in INFO stats");
        }

        boolean exists(String key) throws IOException {
            return (Long) call("EXISTS", key) == 1;
        }

        long propagatedDels() {
            synchronized (propagated) {
                return propagated.stream().filter("DEL"::equals).count();
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            tandem.close();
        }
    }

    private static String value(int i) {
        return "value-" + i + "-" + "x".repeat(100);
    }

    @Test
    void allkeysLruStaysNearTheLimitAndPropagatesDels() throws Exception {
        long limit = 256 * 1024;
        try (Node n = new Node("allkeys-lru", limit)) {
            List<Object[]> batch = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) batch.add(new Object[] {"SET", "key:" + i, value(i)});
            for (Object r : n.client.pipeline(batch)) assertEquals("OK", r);
            long evicted = n.evictedKeys();
            assertTrue(evicted > 5000, "evicted " + evicted);
            long used = n.usedMemory();
            // each command first evicts back under the limit; the last SET may have added one entry
            assertTrue(used <= limit + 1024, "used " + used + " > limit " + limit);
            assertTrue(used > limit / 2, "evicted far too much: used " + used);
            assertEquals(10_000 - evicted, (Long) n.call("DBSIZE"));
            assertEquals(evicted, n.propagatedDels(), "every eviction propagates a DEL");
        }
    }

    @Test
    void noevictionAnswersOomToDenyoomCommandsOnly() throws Exception {
        try (Node n = new Node("noeviction", 64 * 1024)) {
            Object reply = null;
            int i = 0;
            while (i < 100_000) {
                reply = n.call("SET", "key:" + i++, value(i));
                if (!"OK".equals(reply)) break;
            }
            Object last = reply;
            assertTrue(last instanceof RedisProcess.RedisError e && e.getMessage().equals(OOM), () -> "reply " + last);
            assertEquals(0L, n.evictedKeys());
            // reads and deletes still work; a denyoom command keeps failing while over the limit
            assertTrue(n.call("GET", "key:0") instanceof byte[]);
            Object again = n.call("SET", "other", "v");
            assertTrue(again instanceof RedisProcess.RedisError e && e.getMessage().equals(OOM));
            assertEquals(1L, n.call("DEL", "key:0"));
            for (int k = 1; k < 100; k++) n.call("DEL", "key:" + k);
            assertEquals("OK", n.call("SET", "other", "v"));
        }
    }

    @Test
    void volatilePoliciesOnlyEvictKeysWithTtl() throws Exception {
        for (String policy : new String[] {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
            try (Node n = new Node(policy, 0)) {
                long at = System.currentTimeMillis() + 1_000_000;
                List<Object[]> batch = new ArrayList<>();
                for (int i = 0; i < 500; i++) batch.add(new Object[] {"SET", "persistent:" + i, value(i)});
                for (int i = 0; i < 500; i++) batch.add(new Object[] {"SET", "volatile:" + i, value(i), "PXAT", Long.toString(at + i)});
                n.client.pipeline(batch);
                long used = n.usedMemory();
                n.maxmemory(used * 3 / 4);
                assertEquals("PONG", n.call("PING"));
                long evicted = n.evictedKeys();
                assertTrue(evicted > 0, policy + ": nothing evicted");
                for (int i = 0; i < 500; i++) assertTrue(n.exists("persistent:" + i), policy + " evicted a key without TTL");
                // with too little memory for the keys without TTL, a write is refused once no volatile key is left
                // (a cycle stops after 500 µs and goes on at the next command: RUNNING is not a refusal)
                n.maxmemory(used / 4);
                Object reply = null;
                for (int attempt = 0; attempt < 1000; attempt++) {
                    reply = n.call("SET", "more", "v");
                    if (reply instanceof RedisProcess.RedisError) break;
                }
                Object last = reply;
                assertTrue(last instanceof RedisProcess.RedisError e && e.getMessage().equals(OOM), policy + ": " + last);
                for (int i = 0; i < 500; i++) assertTrue(n.exists("persistent:" + i), policy + " evicted a key without TTL");
                assertEquals(List.of(), n.call("KEYS", "volatile:*"), policy);
            }
        }
    }

    @Test
    void volatileTtlEvictsTheSoonestToExpire() throws Exception {
        try (Node n = new Node("volatile-ttl", 0)) {
            long at = System.currentTimeMillis() + 1_000_000;
            List<Object[]> batch = new ArrayList<>();
            // insertion order unrelated to the TTL order
            for (int i = 0; i < 1000; i++) {
                int t = (i * 389) % 1000;
                batch.add(new Object[] {"SET", "k:" + t, value(t), "PXAT", Long.toString(at + t * 1000L)});
            }
            n.client.pipeline(batch);
            n.maxmemory(n.usedMemory() * 7 / 10);
            n.call("PING");
            assertSoonerEvicted(n, "volatile-ttl");
        }
    }

    @Test
    void allkeysLruEvictsTheLeastRecentlyUsed() throws Exception {
        try (Node n = new Node("allkeys-lru", 0)) {
            List<Object[]> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) batch.add(new Object[] {"SET", "k:" + i, value(i)});
            n.client.pipeline(batch);
            // k:0..499 become idle; k:500..999 are read 100 s later
            n.clockOffset.addAndGet(100_000);
            batch.clear();
            for (int i = 500; i < 1000; i++) batch.add(new Object[] {"GET", "k:" + i});
            n.client.pipeline(batch);
            long idle = (Long) n.call("OBJECT", "IDLETIME", "k:0");
            assertTrue(idle >= 100 && idle <= 110, "IDLETIME " + idle);
            assertEquals(0L, n.call("OBJECT", "IDLETIME", "k:999"));
            n.maxmemory(n.usedMemory() * 7 / 10);
            n.call("PING");
            assertColdEvicted(n, "allkeys-lru");
        }
    }

    @Test
    void allkeysLfuEvictsTheLeastFrequentlyUsed() throws Exception {
        try (Node n = new Node("allkeys-lfu", 0)) {
            List<Object[]> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) batch.add(new Object[] {"SET", "k:" + i, value(i)});
            n.client.pipeline(batch);
            batch.clear();
            for (int round = 0; round < 20; round++) {
                for (int i = 500; i < 1000; i++) batch.add(new Object[] {"GET", "k:" + i});
            }
            n.client.pipeline(batch);
            assertEquals(5L, n.call("OBJECT", "FREQ", "k:0"));
            assertTrue((Long) n.call("OBJECT", "FREQ", "k:999") > 5);
            n.maxmemory(n.usedMemory() * 7 / 10);
            n.call("PING");
            assertColdEvicted(n, "allkeys-lfu");
        }
    }

    /** k:0..499 cold, k:500..999 hot: nearly all evictions must hit the cold half. */
    private static void assertColdEvicted(Node n, String policy) throws IOException {
        int cold = 0;
        int hot = 0;
        for (int i = 0; i < 1000; i++) {
            if (!n.exists("k:" + i)) {
                if (i < 500) cold++;
                else hot++;
            }
        }
        assertTrue(cold + hot > 100, policy + ": evicted " + (cold + hot));
        assertTrue(hot * 10 <= cold, policy + ": evicted " + cold + " cold and " + hot + " hot keys");
    }

    /** k:t expires at base + t s: evictions must mostly be the smallest t. */
    private static void assertSoonerEvicted(Node n, String policy) throws IOException {
        int early = 0;
        int late = 0;
        for (int t = 0; t < 1000; t++) {
            if (!n.exists("k:" + t)) {
                if (t < 500) early++;
                else late++;
            }
        }
        assertTrue(early + late > 100, policy + ": evicted " + (early + late));
        assertTrue(late * 10 <= early, policy + ": evicted " + early + " early and " + late + " late keys");
    }

    /** LFU counters and OBJECT under an LFU policy, against redis-server (lfu-log-factor 0: every access counts). */
    @Test
    void lfuCountersMatchRedis() throws Exception {
        try (RedisProcess redis = RedisProcess.start("--maxmemory-policy", "allkeys-lfu", "--maxmemory", "100mb",
                "--lfu-log-factor", "0");
             RedisProcess.Client r = redis.connect()) {
            Map<String, String> cfg = new HashMap<>();
            cfg.put("port", Integer.toString(KeyCommandsDifferentialTest.freePort()));
            cfg.put("maxmemory-policy", "allkeys-lfu");
            cfg.put("maxmemory", Long.toString(100L * 1024 * 1024));
            cfg.put("lfu-log-factor", "0");
            try (TandemTestServer tandem = TandemTestServer.start(cfg);
                 RedisProcess.Client t = RedisProcess.Client.connect("127.0.0.1", tandem.port())) {
                Object[][] script = {
                    {"SET", "k", "v"}, {"OBJECT", "FREQ", "k"}, {"GET", "k"}, {"GET", "k"}, {"OBJECT", "FREQ", "k"},
                    {"SET", "k", "w"}, {"OBJECT", "FREQ", "k"}, {"EXISTS", "k"}, {"TYPE", "k"}, {"TTL", "k"},
                    {"OBJECT", "FREQ", "k"}, {"TOUCH", "k"}, {"OBJECT", "FREQ", "k"}, {"RENAME", "k", "k2"},
                    {"OBJECT", "FREQ", "k2"}, {"COPY", "k2", "k3"}, {"OBJECT", "FREQ", "k3"}, {"MOVE", "k2", "1"},
                    {"SELECT", "1"}, {"OBJECT", "FREQ", "k2"}, {"SELECT", "0"}, {"OBJECT", "IDLETIME", "k3"},
                    {"SET", "n", "5"}, {"OBJECT", "REFCOUNT", "n"}, {"OBJECT", "FREQ", "nokey"},
                };
                for (Object[] cmd : script) {
                    String a = KeyCommandsDifferentialTest.show(r.pipeline(List.<Object[]>of(cmd)).get(0));
                    String b = KeyCommandsDifferentialTest.show(t.pipeline(List.<Object[]>of(cmd)).get(0));
                    assertEquals(a, b, () -> "reply to " + java.util.Arrays.toString(cmd));
                }
            }
        }
    }
}
