package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Replication through requirepass/masterauth, both ways with a real Redis 7.0. */
class ReplicationAuthTest {
    static void awaitSynced(Client replica, Client master) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        String want = null;
        String got = null;
        while (System.currentTimeMillis() < deadline) {
            want = field(text(master.call("INFO", "replication")), "master_repl_offset");
            String ri = text(replica.call("INFO", "replication"));
            got = field(ri, "master_repl_offset");
            if ("up".equals(field(ri, "master_link_status")) && want.equals(got)) break;
            Thread.sleep(20);
        }
        assertEquals(want, got);
        assertEquals(text(master.call("DEBUG", "DIGEST")), text(replica.call("DEBUG", "DIGEST")));
    }

    @Test
    void tandemAuthenticatesToARedisMaster() throws Exception {
        try (RedisProcess redis = RedisProcess.start("--repl-diskless-sync-delay", "0")) {
            redis.call("CONFIG", "SET", "requirepass", "s3cret"); // set after start: RedisProcess waits for PONG
            Client m = redis.connect();
            m.call("AUTH", "s3cret");
            m.call("SET", "k", "v");
            m.call("HSET", "h", "f", "1");
            try (TandemTestServer t = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + redis.port(), "masterauth", "s3cret"));
                    Client c = Client.connect("127.0.0.1", t.port())) {
                awaitSynced(c, m);
                m.call("INCR", "n");
                awaitSynced(c, m);
            } finally {
                m.close();
            }
        }
    }

    @Test
    void aRedisReplicaAuthenticatesToTandem() throws Exception {
        try (TandemTestServer t = TandemTestServer.start(Map.of("requirepass", "s3cret"));
                Client c = Client.connect("127.0.0.1", t.port())) {
            c.call("AUTH", "s3cret");
            c.call("SET", "k", "v");
            c.call("RPUSH", "l", "a", "b");
            try (RedisProcess redis = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port()), "--masterauth", "s3cret");
                    Client r = redis.connect()) {
                awaitSynced(r, c);
                c.call("INCR", "n");
                awaitSynced(r, c);
            }
        }
    }
}
