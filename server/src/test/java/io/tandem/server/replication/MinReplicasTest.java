package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;
import io.tandem.storage.testing.RedisProcess.RedisError;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * min-replicas-to-write / min-replicas-max-lag with a real redis-server replica: writes are
 * refused with NOREPLICAS while the replica is missing or has not ACKed within the lag (it is
 * made to stop with DEBUG SLEEP, or its link is cut), and accepted again once it ACKs.
 */
class MinReplicasTest {
    /** The error a SET gets now, or null when it is accepted. */
    static String setError(Client c) throws Exception {
        try {
            c.call("SET", "k", "v");
            return null;
        } catch (RedisError e) {
            return e.getMessage();
        }
    }

    static void await(String what, long ms, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline) {
            if (check.ok()) return;
            Thread.sleep(20);
        }
        fail("timed out waiting for " + what);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    @Test
    void writesNeedGoodReplicas() throws Exception {
        try (TandemTestServer t = TandemTestServer.start(Map.of("min-replicas-to-write", "1", "min-replicas-max-lag", "2"));
                Client c = Client.connect("127.0.0.1", t.port())) {
            assertEquals("NOREPLICAS Not enough good replicas to write.", setError(c));
            assertEquals("0", field(text(c.call("INFO", "replication")), "min_slaves_good_slaves"));
            c.call("GET", "k"); // reads are served

            try (RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port()))) {
                await("a good replica", 20_000, () -> setError(c) == null);
                assertEquals("1", field(text(c.call("INFO", "replication")), "min_slaves_good_slaves"));

                // The replica stops ACKing (DEBUG SLEEP): refused after the lag, accepted once it wakes up.
                Thread sleeper = new Thread(() -> {
                    try (Client r = Client.connect("127.0.0.1", replica.port())) {
                        r.call("DEBUG", "SLEEP", "6");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                long t0 = System.currentTimeMillis();
                sleeper.start();
                await("NOREPLICAS while the replica sleeps", 6_000, () -> setError(c) != null);
                long refusedAfter = System.currentTimeMillis() - t0;
                assertTrue(refusedAfter >= 1_500, "refused too early: " + refusedAfter + " ms");
                assertEquals("0", field(text(c.call("INFO", "replication")), "min_slaves_good_slaves"));
                assertEquals("1", field(text(c.call("INFO", "replication")), "connected_slaves"));
                await("writes accepted after the replica wakes up", 15_000, () -> setError(c) == null);
                sleeper.join();

                // Cut link: refused until the replica has reconnected.
                c.call("CLIENT", "KILL", "TYPE", "replica");
                assertEquals("NOREPLICAS Not enough good replicas to write.", setError(c));
                await("writes accepted after the replica reconnects", 20_000, () -> setError(c) == null);

                // Disabled: writes accepted whatever the replicas.
                c.call("CONFIG", "SET", "min-replicas-to-write", "2");
                assertEquals("NOREPLICAS Not enough good replicas to write.", setError(c));
                c.call("CONFIG", "SET", "min-replicas-to-write", "0");
                assertNull(setError(c));
                assertNull(field(text(c.call("INFO", "replication")), "min_slaves_good_slaves"));

                await("replica in sync", 20_000, () -> field(text(c.call("INFO", "replication")), "master_repl_offset")
                        .equals(field(text(replica.call("INFO", "replication")), "master_repl_offset")));
                assertEquals(text(c.call("DEBUG", "DIGEST")), text(replica.call("DEBUG", "DIGEST")));
            }
        }
    }
}
