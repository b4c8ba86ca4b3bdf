package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica persisting with the AOF restarts (still a replica, its master gone) with the data it
 * had: the dataset of its full sync is in the AOF (a rewrite follows the load, as Redis's
 * restartAOFAfterSYNC) and the master's transactions replay although a replica refuses writes
 * (the AOF loader is exempt from deny rules inside EXEC too). Both were lost before: the keys of
 * the full sync, and every write inside MULTI/EXEC.
 */
class ReplicaAofRestartTest {
    @TempDir
    Path dir;

    @Test
    void aReplicaRestartedFromItsAofHasItsData() throws Exception {
        String digest;
        String keys;
        try (TandemTestServer m = TandemTestServer.start();
                Client cm = Client.connect("127.0.0.1", m.port())) {
            RedisReplicaOfTandemTest.populate(cm); // before the replica exists: it arrives by full sync
            try (TandemTestServer a = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + m.port(), "dir", dir.toString(),
                    "appendonly", "yes", "appendfsync", "always"));
                    Client ca = Client.connect("127.0.0.1", a.port())) {
                Psync2ChainTest.awaitOffset(ca, cm);
                RedisReplicaOfTandemTest.writeLoad(cm, new Random(1), 2000); // MULTI/INCR/RPOP/EXEC among others
                Psync2ChainTest.awaitOffset(ca, cm);
                // The rewrite after the full sync has finished (its base names the synced keys).
                long deadline = System.currentTimeMillis() + 60_000;
                while (!"0".equals(RedisReplicaOfTandemTest.field(text(ca.call("INFO", "persistence")), "aof_rewrite_in_progress"))
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                digest = text(ca.call("DEBUG", "DIGEST"));
                keys = text(ca.call("DBSIZE"));
            }
        }
        try (TandemTestServer a = TandemTestServer.start(Map.of("dir", dir.toString(), "appendonly", "yes", "replicaof", "127.0.0.1 1"));
                Client ca = Client.connect("127.0.0.1", a.port())) {
            assertEquals(keys, text(ca.call("DBSIZE")));
            assertEquals(digest, text(ca.call("DEBUG", "DIGEST")));
        }
    }
}
