package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tandem replicating from a real redis-server 7.0 (diskless full sync, the default): full sync of
 * every type, a live load, the link cut from either side and healed with a partial resync, the
 * replica refusing writes, and a promotion with REPLICAOF NO ONE that keeps the old history as
 * replid2.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TandemReplicaOfRedisTest {
    static RedisProcess redis;
    static Client m;
    static TandemTestServer tandem;
    static Client t;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start("--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1");
        m = redis.connect();
        RedisReplicaOfTandemTest.populate(m);
        tandem = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + redis.port()));
        t = Client.connect("127.0.0.1", tandem.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (t != null) t.close();
        if (tandem != null) tandem.close();
        if (m != null) m.close();
        if (redis != null) redis.close();
    }

    static void assertInSync() throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        String mine = null;
        String theirs = null;
        while (System.currentTimeMillis() < deadline) {
            String ti = text(t.call("INFO", "replication"));
            theirs = field(text(m.call("INFO", "replication")), "master_repl_offset");
            mine = field(ti, "master_repl_offset");
            if ("up".equals(field(ti, "master_link_status")) && theirs.equals(mine)) break;
            Thread.sleep(20);
        }
        assertEquals(theirs, mine, "Tandem's offset\n" + redis.logs());
        assertEquals(text(m.call("DEBUG", "DIGEST")), text(t.call("DEBUG", "DIGEST")), "digest");
        assertEquals(text(m.call("DBSIZE")), text(t.call("DBSIZE")));
    }

    static void load(Random rnd, int n) throws Exception {
        RedisReplicaOfTandemTest.writeLoad(m, rnd, n);
    }

    @Test
    @Order(1)
    void fullSyncFromRedis() throws Exception {
        assertInSync();
        String info = text(t.call("INFO", "replication"));
        assertEquals("slave", field(info, "role"));
        assertEquals(Integer.toString(redis.port()), field(info, "master_port"));
        assertEquals(field(text(m.call("INFO", "replication")), "master_replid"), field(info, "master_replid"));
        @SuppressWarnings("unchecked")
        List<Object> role = (List<Object>) t.call("ROLE");
        assertEquals(List.of("slave", "127.0.0.1"), List.of(text(role.get(0)), text(role.get(1))));
        assertEquals("connected", text(role.get(3)));
        assertTrue(text(t.call("CLIENT", "LIST", "TYPE", "master")).contains("flags=M"));
        RedisProcess.RedisError e = assertThrows(RedisProcess.RedisError.class, () -> t.call("SET", "x", "1"));
        assertEquals("READONLY You can't write against a read only replica.", e.getMessage());
    }

    @Test
    @Order(2)
    void liveLoadAndWait() throws Exception {
        load(new Random(11), 3000);
        assertInSync();
        m.call("SET", "acked", "1");
        assertEquals(1L, m.call("WAIT", 1, 5000), "Redis's WAIT counts Tandem's ACK");
    }

    @Test
    @Order(3)
    void linkCutByTheMasterHealsPartially() throws Exception {
        long before = Long.parseLong(field(text(m.call("INFO", "stats")), "sync_partial_ok"));
        assertEquals(1L, m.call("CLIENT", "KILL", "TYPE", "replica"));
        load(new Random(12), 500);
        assertInSync();
        assertEquals(before + 1, Long.parseLong(field(text(m.call("INFO", "stats")), "sync_partial_ok")), redis.logs());
        assertEquals("1", field(text(m.call("INFO", "stats")), "sync_full"));
    }

    @Test
    @Order(4)
    void linkCutByTheReplicaHealsPartially() throws Exception {
        long before = Long.parseLong(field(text(m.call("INFO", "stats")), "sync_partial_ok"));
        assertEquals(1L, t.call("CLIENT", "KILL", "TYPE", "master"));
        load(new Random(13), 500);
        assertInSync();
        assertEquals(before + 1, Long.parseLong(field(text(m.call("INFO", "stats")), "sync_partial_ok")), redis.logs());
        assertEquals("1", field(text(m.call("INFO", "stats")), "sync_full"));
    }

    @Test
    @Order(5)
    void expiredKeysWaitForTheMastersDel() throws Exception {
        m.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        try {
            // long enough for assertInSync to compare digests before it expires (a loaded machine):
            // an expired key not yet deleted is in Redis's DEBUG DIGEST, not in Tandem's
            m.call("SET", "short", "v", "PX", "2000");
            assertInSync();
            Thread.sleep(2200);
            assertEquals(null, t.call("GET", "short"), "an expired key reads as missing on the replica");
            assertEquals(text(m.call("DBSIZE")), text(t.call("DBSIZE")), "but stays until the master deletes it");
            assertEquals(null, m.call("GET", "short")); // Redis expires it lazily and propagates DEL
            assertInSync();
            assertEquals(0L, t.call("EXISTS", "short"));
        } finally {
            m.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    @Test
    @Order(6)
    void promotionKeepsTheOldHistoryAsReplid2() throws Exception {
        String masterId = field(text(m.call("INFO", "replication")), "master_replid");
        String offset = field(text(t.call("INFO", "replication")), "master_repl_offset");
        assertEquals("OK", t.call("REPLICAOF", "NO", "ONE"));
        String info = text(t.call("INFO", "replication"));
        assertEquals("master", field(info, "role"));
        assertEquals(masterId, field(info, "master_replid2"));
        assertNotEquals(masterId, field(info, "master_replid"));
        assertEquals(Long.toString(Long.parseLong(offset) + 1), field(info, "second_repl_offset"));
        assertEquals("OK", t.call("SET", "now-writable", "1"));
    }
}
