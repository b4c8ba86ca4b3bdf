package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.persist.Aof;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6, item 3: a replica restarted from its own AOF continues partially. Its AOF holds the
 * master's stream as applied, anchored by {@code #REPL:<replid>:<offset>} annotations, so the
 * loader knows exactly which point of the master's history the dataset is; the replica asks
 * {@code PSYNC <replid> <offset+1>} and gets {@code +CONTINUE} (Redis full-syncs a replica
 * restarted from AOF). Also after a rewrite (RDB base with repl-id/repl-offset, then an incr file
 * that starts with the stream's db and the point), and with the master's stream left in a db
 * other than 0 (the master does not SELECT again on a partial resync).
 */
class ReplicaRestartTest {
    @TempDir
    Path dir;

    private static Map<String, String> replicaConfig(Path dir, int masterPort) {
        return Map.of("replicaof", "127.0.0.1 " + masterPort, "dir", dir.toString(), "appendonly", "yes",
                "appendfsync", "always");
    }

    @Test
    void replicaRestartedFromItsAofContinuesPartially() throws Exception {
        restartCycle(false);
    }

    @Test
    void replicaRestartedAfterAnAofRewriteContinuesPartially() throws Exception {
        restartCycle(true);
    }

    private void restartCycle(boolean rewrite) throws Exception {
        try (TandemTestServer m = TandemTestServer.start(); Client cm = Client.connect("127.0.0.1", m.port())) {
            RedisReplicaOfTandemTest.populate(cm);
            try (TandemTestServer r = TandemTestServer.start(replicaConfig(dir, m.port()));
                    Client cr = Client.connect("127.0.0.1", r.port())) {
                Psync2ChainTest.awaitOffset(cr, cm);
                RedisReplicaOfTandemTest.writeLoad(cm, new Random(7), 500);
                Psync2ChainTest.awaitOffset(cr, cm);
                if (rewrite) {
                    cr.call("BGREWRITEAOF");
                    awaitRewrite(cr);
                    RedisReplicaOfTandemTest.writeLoad(cm, new Random(8), 300);
                }
                // leave the master's stream in db 3: after the restart its next commands carry no SELECT
                cm.call("SELECT", "3");
                cm.call("SET", "in-db-3", "before");
                Psync2ChainTest.awaitOffset(cr, cm);
            }
            try (Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
                String incr = files.filter(p -> p.toString().endsWith(".incr.aof")).map(ReplicaRestartTest::read)
                        .reduce("", String::concat);
                assertTrue(incr.contains(Aof.REPL_ANNOTATION), "the replica's AOF names its replication point");
            }
            // written while the replica is down: served from the master's backlog after the restart
            cm.call("SET", "in-db-3", "after");
            cm.call("SET", "also-in-db-3", "x");
            RedisReplicaOfTandemTest.writeLoad(cm, new Random(9), 200);
            try (TandemTestServer r = TandemTestServer.start(replicaConfig(dir, m.port()));
                    Client cr = Client.connect("127.0.0.1", r.port())) {
                Psync2ChainTest.awaitOffset(cr, cm);
                String stats = text(cm.call("INFO", "stats"));
                assertEquals("1", field(stats, "sync_full"), "only the first sync was full");
                assertEquals("1", field(stats, "sync_partial_ok"), "the restarted replica continued");
                cr.call("SELECT", "3");
                assertEquals("after", text(cr.call("GET", "in-db-3")));
                assertEquals("x", text(cr.call("GET", "also-in-db-3")));
            }
        }
    }

    private static void awaitRewrite(Client c) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            if ("0".equals(field(text(c.call("INFO", "persistence")), "aof_rewrite_in_progress"))) return;
            Thread.sleep(20);
        }
        throw new AssertionError("rewrite did not finish");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
