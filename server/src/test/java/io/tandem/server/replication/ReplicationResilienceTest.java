package io.tandem.server.replication;

import static io.tandem.server.replication.Psync2ChainTest.awaitOffset;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * Issue #5's resilience cases, with real processes: a replica whose link was cut while the master
 * wrote more than its backlog full-syncs; three replicas starting together are all served; a
 * randomized concurrent load with random link cuts (from both sides) ends consistent.
 */
class ReplicationResilienceTest {
    static long stat(Client c, String name) throws Exception {
        return Long.parseLong(field(text(c.call("INFO", "stats")), name));
    }

    @Test
    void backlogOverflowForcesFullSync() throws Exception {
        try (TandemTestServer t = TandemTestServer.start(Map.of("repl-backlog-size", "16kb", "repl-backlog-disk", "no"));
                Client c = Client.connect("127.0.0.1", t.port());
                RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port()))) {
            RedisReplicaOfTandemTest.populate(c);
            Client r = replica.connect();
            awaitOffset(r, c);
            assertEquals(1, stat(c, "sync_full"));

            // Small cut, small write: partial.
            List<Object[]> batch = new ArrayList<>();
            batch.add(new Object[] {"CLIENT", "KILL", "TYPE", "replica"});
            batch.add(new Object[] {"SET", "small", "x"});
            c.pipeline(batch);
            awaitOffset(r, c);
            assertEquals(1, stat(c, "sync_full"));
            assertEquals(1, stat(c, "sync_partial_ok"));

            // Cut, then more than the backlog in the same pipeline (before Redis reconnects, at its next cron).
            batch.clear();
            batch.add(new Object[] {"CLIENT", "KILL", "TYPE", "replica"});
            for (int i = 0; i < 40; i++) batch.add(new Object[] {"SET", "big:" + i, "y".repeat(1000) + i});
            c.pipeline(batch);
            awaitOffset(r, c);
            assertEquals(2, stat(c, "sync_full"), replica.logs());
            assertEquals(1, stat(c, "sync_partial_err"));
            assertEquals(1, stat(c, "sync_partial_ok"));
            assertEquals(text(c.call("DBSIZE")), text(r.call("DBSIZE")));
            r.close();
        }
    }

    @Test
    void threeReplicasStartingTogether() throws Exception {
        try (TandemTestServer t = TandemTestServer.start();
                Client c = Client.connect("127.0.0.1", t.port())) {
            RedisReplicaOfTandemTest.populate(c);
            String of = "127.0.0.1 " + t.port();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<RedisProcess> r1 = pool.submit(() -> RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port())));
                Future<RedisProcess> r2 = pool.submit(() -> RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port())));
                Future<TandemTestServer> r3 = pool.submit(() -> TandemTestServer.start(Map.of("replicaof", of)));
                RedisReplicaOfTandemTest.writeLoad(c, new Random(5), 500);
                try (RedisProcess a = r1.get(); RedisProcess b = r2.get(); TandemTestServer d = r3.get();
                        Client ca = a.connect(); Client cb = b.connect(); Client cd = Client.connect("127.0.0.1", d.port())) {
                    RedisReplicaOfTandemTest.writeLoad(c, new Random(6), 500);
                    for (Client r : List.of(ca, cb, cd)) awaitOffset(r, c);
                    String info = text(c.call("INFO", "replication"));
                    assertEquals("3", field(info, "connected_slaves"));
                    for (int i = 0; i < 3; i++) assertTrue(field(info, "slave" + i).contains("state=online"), info);
                    assertTrue(stat(c, "sync_full") >= 3);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void randomLoadWithRandomLinkCuts() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        try (TandemTestServer t = TandemTestServer.start(Map.of("repl-backlog-size", "64kb"));
                Client c = Client.connect("127.0.0.1", t.port());
                RedisProcess redis = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port()));
                TandemTestServer tr = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + t.port()));
                Client cr = redis.connect();
                Client ct = Client.connect("127.0.0.1", tr.port())) {
            RedisReplicaOfTandemTest.populate(c);
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> writers = new ArrayList<>();
            try {
                for (int w = 0; w < 2; w++) {
                    long ws = rnd.nextLong();
                    writers.add(pool.submit(() -> {
                        Random wr = new Random(ws);
                        try (Client cw = Client.connect("127.0.0.1", t.port())) {
                            while (!stop.get()) RedisReplicaOfTandemTest.writeLoad(cw, wr, 50 + wr.nextInt(300));
                        }
                        return null;
                    }));
                }
                long end = System.currentTimeMillis() + 8_000;
                while (System.currentTimeMillis() < end) {
                    Thread.sleep(200 + rnd.nextInt(800));
                    // A backlog that sometimes holds the writes of a reconnection and sometimes not:
                    // both partial and full resyncs happen.
                    c.call("CONFIG", "SET", "repl-backlog-size", rnd.nextBoolean() ? "64kb" : "16mb");
                    switch (rnd.nextInt(3)) {
                        case 0 -> c.call("CLIENT", "KILL", "TYPE", "replica");
                        case 1 -> cr.call("CLIENT", "KILL", "TYPE", "master");
                        default -> ct.call("CLIENT", "KILL", "TYPE", "master");
                    }
                }
            } finally {
                stop.set(true);
                for (Future<?> f : writers) f.get();
                pool.shutdownNow();
            }
            awaitOffset(cr, c);
            awaitOffset(ct, c);
            System.out.println("random link cuts, seed " + seed + ": sync_full " + stat(c, "sync_full")
                    + ", sync_partial_ok " + stat(c, "sync_partial_ok"));
            assertEquals(text(c.call("DBSIZE")), text(cr.call("DBSIZE")), "seed " + seed);
            assertEquals(text(c.call("DBSIZE")), text(ct.call("DBSIZE")), "seed " + seed);
        }
    }
}
