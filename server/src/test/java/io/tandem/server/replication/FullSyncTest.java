package io.tandem.server.replication;

import static io.tandem.server.replication.Psync2ChainTest.awaitOffset;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Full syncs from the forkless snapshot (issue #5), with real processes: diskless
 * ({@code $EOF:} framing) and disk ({@code $len} + dbfilename) to a real redis-server and to a
 * Tandem replica; one snapshot shared by several replicas (diskless: repl-diskless-sync-delay;
 * disk: late replicas join the running BGSAVE); writes racing the sync end with equal digests.
 */
class FullSyncTest {
    /** The master's replication log lines (Tandem replicas in the same JVM log through other classes). */
    static final class MasterLog implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger(Replication.class);
        private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

        MasterLog() {
            lines.start();
            logger.addAppender(lines);
        }

        long count(String prefix) {
            synchronized (lines.list) {
                return lines.list.stream().filter(e -> e.getFormattedMessage().startsWith(prefix)).count();
            }
        }

        String all() {
            StringBuilder sb = new StringBuilder();
            synchronized (lines.list) {
                for (ILoggingEvent e : lines.list) sb.append(e.getFormattedMessage()).append('\n');
            }
            return sb.toString();
        }

        @Override
        public void close() {
            logger.detachAppender(lines);
        }
    }

    static long stat(Client c, String section, String name) throws Exception {
        return Long.parseLong(field(text(c.call("INFO", section)), name));
    }

    static void awaitCondition(String what, java.util.concurrent.Callable<Boolean> cond) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!cond.call()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    /** Data of every type in several dbs, plus enough plain keys that the walk takes many slices. */
    static void dataset(Client c) throws Exception {
        RedisReplicaOfTandemTest.populate(c);
        c.call("DEBUG", "POPULATE", "20000", "key", "64");
        c.call("SELECT", 5);
        c.call("DEBUG", "POPULATE", "3000", "five", "16");
        c.call("SELECT", 0);
    }

    @Test
    void disklessToRedisAndTandemReplicas() throws Exception {
        try (MasterLog log = new MasterLog();
                TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-sync", "yes", "repl-diskless-sync-delay", "0"));
                Client c = Client.connect("127.0.0.1", t.port())) {
            dataset(c);
            try (RedisProcess redis = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port()));
                    Client r = redis.connect()) {
                awaitOffset(r, c);
                assertTrue(redis.logs().contains("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF"), redis.logs());
            }
            try (TandemTestServer tr = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + t.port()));
                    Client r = Client.connect("127.0.0.1", tr.port())) {
                awaitOffset(r, c);
            }
            assertEquals(2, log.count("Starting BGSAVE for SYNC with target: replicas sockets"), log.all());
            assertEquals(0, log.count("Starting BGSAVE for SYNC with target: disk"), log.all());
            assertEquals(2, log.count("Streamed RDB transfer with replica "), log.all());
            assertEquals(2, stat(c, "stats", "sync_full"));
            // A transfer to sockets is not a save (Redis counts only BGSAVE to disk in rdb_saves).
            assertEquals(0, stat(c, "persistence", "rdb_saves"));
        }
    }

    @Test
    void diskToRedisAndTandemReplicas() throws Exception {
        try (MasterLog log = new MasterLog();
                TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-sync", "no"));
                Client c = Client.connect("127.0.0.1", t.port())) {
            dataset(c);
            try (RedisProcess redis = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port()));
                    Client r = redis.connect()) {
                awaitOffset(r, c);
                assertTrue(redis.logs().matches("(?s).*MASTER <-> REPLICA sync: receiving \\d+ bytes from master to disk.*"), redis.logs());
            }
            try (TandemTestServer tr = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + t.port()));
                    Client r = Client.connect("127.0.0.1", tr.port())) {
                awaitOffset(r, c);
                // As Redis's replica, the received RDB became the replica's dbfilename.
                java.nio.file.Path dir = java.nio.file.Path.of(text(((List<?>) r.call("CONFIG", "GET", "dir")).get(1)));
                assertTrue(java.nio.file.Files.exists(dir.resolve("dump.rdb")));
                try (var s = java.nio.file.Files.list(dir)) {
                    assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith("temp-")).count(), "no temp file left");
                }
            }
            assertEquals(2, log.count("Starting BGSAVE for SYNC with target: disk"), log.all());
            assertEquals(2, log.count("Synchronization with replica "), log.all());
            assertEquals(2, stat(c, "persistence", "rdb_saves"), "a disk full sync is a BGSAVE");
        }
    }

    /** Redis's rule: replicas starting within repl-diskless-sync-delay share one diskless snapshot. */
    @Test
    void threeReplicasStartingTogetherShareOneSnapshot() throws Exception {
        try (MasterLog log = new MasterLog();
                TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-sync", "yes", "repl-diskless-sync-delay", "2"));
                Client c = Client.connect("127.0.0.1", t.port());
                RedisProcess redis = RedisProcess.start();
                TandemTestServer t1 = TandemTestServer.start();
                TandemTestServer t2 = TandemTestServer.start();
                Client r0 = redis.connect();
                Client r1 = Client.connect("127.0.0.1", t1.port());
                Client r2 = Client.connect("127.0.0.1", t2.port())) {
            dataset(c);
            for (Client r : List.of(r0, r1, r2)) r.call("REPLICAOF", "127.0.0.1", Integer.toString(t.port()));
            RedisReplicaOfTandemTest.writeLoad(c, new Random(3), 300);
            for (Client r : List.of(r0, r1, r2)) awaitOffset(r, c);
            assertEquals(1, log.count("Starting BGSAVE for SYNC"), log.all());
            assertEquals(3, log.count("Delay next BGSAVE for diskless SYNC"), log.all());
            assertEquals(3, log.count("Streamed RDB transfer with replica "), log.all());
            assertEquals(3, stat(c, "stats", "sync_full"));
        }
    }

    /** repl-diskless-sync-max-replicas: the transfer starts as soon as that many wait, not after the delay. */
    @Test
    void maxReplicasStartsTheTransferEarly() throws Exception {
        try (MasterLog log = new MasterLog();
                TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-sync", "yes", "repl-diskless-sync-delay", "3600",
                        "repl-diskless-sync-max-replicas", "2"));
                Client c = Client.connect("127.0.0.1", t.port());
                TandemTestServer t1 = TandemTestServer.start();
                TandemTestServer t2 = TandemTestServer.start();
                Client r1 = Client.connect("127.0.0.1", t1.port());
                Client r2 = Client.connect("127.0.0.1", t2.port())) {
            dataset(c);
            r1.call("REPLICAOF", "127.0.0.1", Integer.toString(t.port()));
            awaitCondition("the first replica waiting", () -> field(text(c.call("INFO", "replication")), "slave0") != null);
            assertTrue(field(text(c.call("INFO", "replication")), "slave0").contains("state=wait_bgsave"));
            r2.call("REPLICAOF", "127.0.0.1", Integer.toString(t.port()));
            for (Client r : List.of(r1, r2)) awaitOffset(r, c);
            assertEquals(1, log.count("Starting BGSAVE for SYNC with target: replicas sockets"), log.all());
        }
    }

    /**
     * Disk mode: replicas arriving while the BGSAVE for SYNC is written join it (copying the first
     * replica's held stream), so three syncs cost one BGSAVE; writes during it reach all three.
     */
    @Test
    void lateReplicasJoinTheRunningDiskSnapshot() throws Exception {
        try (MasterLog log = new MasterLog();
                TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-sync", "no"));
                Client c = Client.connect("127.0.0.1", t.port());
                RedisProcess redis = RedisProcess.start();
                TandemTestServer t1 = TandemTestServer.start();
                TandemTestServer t2 = TandemTestServer.start();
                Client r0 = redis.connect();
                Client r1 = Client.connect("127.0.0.1", t1.port());
                Client r2 = Client.connect("127.0.0.1", t2.port())) {
            dataset(c);
            // A walk that cannot end until the test lets it (rdb-key-save-delay is read at every step).
            c.call("CONFIG", "SET", "rdb-key-save-delay", "1000000");
            r1.call("REPLICAOF", "127.0.0.1", Integer.toString(t.port()));
            awaitCondition("the BGSAVE for SYNC", () -> stat(c, "persistence", "rdb_bgsave_in_progress") == 1);
            RedisReplicaOfTandemTest.writeLoad(c, new Random(7), 300);
            r0.call("REPLICAOF", "127.0.0.1", Integer.toString(t.port()));
            r2.call("REPLICAOF", "127.0.0.1", Integer.toString(t.port()));
            awaitCondition("three replicas on the snapshot", () -> log.count("Waiting for end of BGSAVE for SYNC") == 2);
            RedisReplicaOfTandemTest.writeLoad(c, new Random(8), 300);
            c.call("CONFIG", "SET", "rdb-key-save-delay", "0");
            for (Client r : List.of(r0, r1, r2)) awaitOffset(r, c);
            assertEquals(1, log.count("Starting BGSAVE for SYNC with target: disk"), log.all());
            assertEquals(1, stat(c, "persistence", "rdb_saves"));
            assertEquals(3, stat(c, "stats", "sync_full"));
        }
    }

    /**
     * The old protocol: SYNC (no capa eof, no +FULLRESYNC) gets a disk snapshot at once, even with
     * a diskless delay configured, as {@code $<len>} + the RDB, then the stream.
     */
    @Test
    void oldSyncGetsTheDiskRdbThenTheStream() throws Exception {
        try (MasterLog log = new MasterLog();
                TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-sync", "yes", "repl-diskless-sync-delay", "60"));
                Client c = Client.connect("127.0.0.1", t.port());
                java.net.Socket s = new java.net.Socket("127.0.0.1", t.port())) {
            c.call("SET", "a", "1");
            s.setSoTimeout(30_000);
            s.getOutputStream().write("SYNC\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            String head;
            do {
                head = readLine(in);
            } while (head.isEmpty()); // keepalive newlines
            assertTrue(head.startsWith("$"), head);
            byte[] rdb = new byte[Integer.parseInt(head.substring(1))];
            in.readFully(rdb);
            List<String> keys = new ArrayList<>();
            new io.tandem.storage.rdb.RdbFileReader(new java.io.ByteArrayInputStream(rdb)).read(
                    e -> keys.add(new String(e.key(), java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals(List.of("a"), keys);
            c.call("SET", "b", "2");
            // The stream after the RDB: the write, after a SELECT (keepalive PINGs may come first).
            List<String> cmd;
            do {
                cmd = readCommand(in);
            } while (cmd.equals(List.of("PING")));
            assertEquals(List.of("SELECT", "0"), cmd);
            assertEquals(List.of("SET", "b", "2"), readCommand(in));
            assertEquals(1, log.count("Starting BGSAVE for SYNC with target: disk"), log.all());
            assertEquals(0, log.count("Delay next BGSAVE"), log.all());
        }
    }

    private static List<String> readCommand(java.io.InputStream in) throws Exception {
        String head = readLine(in);
        assertTrue(head.startsWith("*"), head);
        List<String> out = new ArrayList<>();
        for (int i = Integer.parseInt(head.substring(1)); i > 0; i--) {
            readLine(in);
            out.add(readLine(in));
        }
        return out;
    }

    private static String readLine(java.io.InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b == -1) throw new java.io.EOFException(sb.toString());
            if (b != '\r') sb.append((char) b);
        }
        return sb.toString();
    }

    /** A client writes without pause while the snapshot is walked and sent: every replica ends equal. */
    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void writesRacingTheFullSync(String diskless) throws Exception {
        try (TandemTestServer t = TandemTestServer.start(Map.of("repl-diskless-sync", diskless, "repl-diskless-sync-delay", "0",
                        "rdb-key-save-delay", "20"));
                Client c = Client.connect("127.0.0.1", t.port())) {
            dataset(c);
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Long> writer = pool.submit(() -> {
                Random rnd = new Random(11);
                long n = 0;
                try (Client w = Client.connect("127.0.0.1", t.port())) {
                    while (!stop.get()) {
                        List<Object[]> batch = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            // Keys the walk has not reached yet (the write hook saves them first) and new ones.
                            String k = "key:" + rnd.nextInt(20000);
                            switch (rnd.nextInt(6)) {
                                case 0 -> batch.add(new Object[] {"SET", k, "new" + n});
                                case 1 -> batch.add(new Object[] {"DEL", k});
                                case 2 -> batch.add(new Object[] {"APPEND", k, "+"});
                                case 3 -> batch.add(new Object[] {"EXPIRE", k, "100000"});
                                case 4 -> batch.add(new Object[] {"SET", "fresh:" + n, "v"});
                                default -> batch.add(new Object[] {"INCR", "counter"});
                            }
                            n++;
                        }
                        w.pipeline(batch);
                        if (rnd.nextInt(4) == 0) RedisReplicaOfTandemTest.writeLoad(w, rnd, 50);
                    }
                }
                return n;
            });
            try (RedisProcess redis = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port()));
                    TandemTestServer tr = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + t.port()));
                    Client r = redis.connect();
                    Client rt = Client.connect("127.0.0.1", tr.port())) {
                // Writes go on until both replicas have finished their full sync, and a little after.
                awaitCondition("both replicas online", () -> {
                    String info = text(c.call("INFO", "replication"));
                    return "2".equals(field(info, "connected_slaves")) && field(info, "slave0").contains("state=online")
                            && field(info, "slave1").contains("state=online");
                });
                Thread.sleep(300);
                stop.set(true);
                long writes = writer.get();
                assertTrue(writes > 0);
                awaitOffset(r, c);
                awaitOffset(rt, c);
                assertEquals(text(c.call("DBSIZE")), text(r.call("DBSIZE")));
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
        }
    }
}
