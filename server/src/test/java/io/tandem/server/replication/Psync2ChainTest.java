package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * PSYNC2 among Tandem servers: A replicated by B and C; B is promoted (REPLICAOF NO ONE) and C
 * switches to B, continuing partially with A's history, which B keeps as replid2 (Redis's
 * psync2 tests). Also REPLICAOF's replies and errors against a real Redis.
 */
class Psync2ChainTest {
    static void awaitOffset(Client replica, Client master) throws Exception {
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
    void promotedReplicaServesItsSiblingPartially() throws Exception {
        try (TandemTestServer a = TandemTestServer.start();
                TandemTestServer b = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + a.port()));
                TandemTestServer c = TandemTestServer.start(Map.of("replicaof", "127.0.0.1 " + a.port()));
                Client ca = Client.connect("127.0.0.1", a.port());
                Client cb = Client.connect("127.0.0.1", b.port());
                Client cc = Client.connect("127.0.0.1", c.port())) {
            RedisReplicaOfTandemTest.populate(ca);
            RedisReplicaOfTandemTest.writeLoad(ca, new Random(21), 1000);
            awaitOffset(cb, ca);
            awaitOffset(cc, ca);
            String historyA = field(text(ca.call("INFO", "replication")), "master_replid");

            assertEquals("OK", cb.call("REPLICAOF", "NO", "ONE"));
            assertEquals(historyA, field(text(cb.call("INFO", "replication")), "master_replid2"));
            RedisReplicaOfTandemTest.writeLoad(cb, new Random(22), 300);
            assertEquals("OK", cc.call("REPLICAOF", "127.0.0.1", Integer.toString(b.port())));
            awaitOffset(cc, cb);
            String stats = text(cb.call("INFO", "stats"));
            assertEquals("1", field(stats, "sync_partial_ok"), "C continued from A's history kept as B's replid2");
            assertEquals("0", field(stats, "sync_full"));
            assertEquals(field(text(cb.call("INFO", "replication")), "master_replid"),
                    field(text(cc.call("INFO", "replication")), "master_replid"), "C took B's new id");

            RedisReplicaOfTandemTest.writeLoad(cb, new Random(23), 300);
            awaitOffset(cc, cb);
            @SuppressWarnings("unchecked")
            List<Object> role = (List<Object>) cb.call("ROLE");
            assertEquals(1, ((List<?>) role.get(2)).size());
        }
    }

    /**
     * A dataset named by a (replid, offset) restored at startup (what #4's RDB load does) keeps
     * its name: a server holding the same point (a restarted replica) continues partially even
     * before any write, and the backlog starts at the restored offset.
     */
    @Test
    void aRestoredReplicationPointIsKept() throws Exception {
        String id = "0123456789abcdef0123456789abcdef01234567";
        // the in-memory backlog's way (a disk backlog is reconciled with the point at startup instead)
        try (TandemTestServer a = TandemTestServer.start(Map.of("repl-backlog-disk", "no"));
                TandemTestServer c = TandemTestServer.start(Map.of("repl-backlog-disk", "no"));
                Client ca = Client.connect("127.0.0.1", a.port());
                Client cc = Client.connect("127.0.0.1", c.port())) {
            // Same data on both, written while neither has a backlog (offset 0: no history).
            for (Client x : List.of(ca, cc)) x.call("SET", "k", "v");
            for (TandemTestServer x : List.of(a, c)) {
                x.server().server().executor().call(() -> {
                    x.server().server().replicationIds().restore(id, 1000);
                    return null;
                });
            }
            assertEquals("OK", cc.call("REPLICAOF", "127.0.0.1", Integer.toString(a.port())));
            awaitOffset(cc, ca);
            ca.call("SET", "k2", "v2");
            awaitOffset(cc, ca);
            String info = text(ca.call("INFO", "replication"));
            assertEquals(id, field(info, "master_replid"));
            assertEquals("1001", field(info, "repl_backlog_first_byte_offset"));
            String stats = text(ca.call("INFO", "stats"));
            assertEquals("1", field(stats, "sync_partial_ok"));
            assertEquals("0", field(stats, "sync_full"));
            assertEquals(id, field(text(cc.call("INFO", "replication")), "master_replid"));
        }
    }

    @Test
    void replicaofRepliesAsRedis() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                TandemTestServer t = TandemTestServer.start();
                Client r = redis.connect();
                Client c = Client.connect("127.0.0.1", t.port())) {
            for (Object[] cmd : List.of(new Object[] {"REPLICAOF", "127.0.0.1", "99999"},
                    new Object[] {"REPLICAOF", "127.0.0.1", "abc"}, new Object[] {"WAIT", "1", "abc"},
                    new Object[] {"WAIT", "1", "-1"}, new Object[] {"WAIT", "x", "1"})) {
                RedisProcess.RedisError mine = assertThrows(RedisProcess.RedisError.class, () -> c.call(cmd));
                RedisProcess.RedisError theirs = assertThrows(RedisProcess.RedisError.class, () -> r.call(cmd));
                assertEquals(theirs.getMessage(), mine.getMessage(), List.of(cmd).toString());
            }
            // Nobody listens on port 1: both stay disconnected replicas.
            for (Client x : List.of(r, c)) {
                assertEquals("OK", x.call("REPLICAOF", "127.0.0.1", "1"));
                assertEquals("OK Already connected to specified master", x.call("REPLICAOF", "127.0.0.1", "1"));
            }
            String mine = text(c.call("INFO", "replication"));
            String theirs = text(r.call("INFO", "replication"));
            for (String f : List.of("role", "master_host", "master_port", "master_link_status", "master_sync_in_progress",
                    "slave_repl_offset", "slave_read_only", "connected_slaves")) {
                assertEquals(field(theirs, f), field(mine, f), f);
            }
            RedisProcess.RedisError ro = assertThrows(RedisProcess.RedisError.class, () -> c.call("SET", "k", "v"));
            assertEquals(assertThrows(RedisProcess.RedisError.class, () -> r.call("SET", "k", "v")).getMessage(), ro.getMessage());
            @SuppressWarnings("unchecked")
            List<Object> role = (List<Object>) c.call("ROLE");
            assertEquals(List.of("slave", "127.0.0.1", "1"), List.of(text(role.get(0)), text(role.get(1)), text(role.get(2))));
            assertEquals(-1L, role.get(4));
            for (Client x : List.of(r, c)) assertEquals("OK", x.call("REPLICAOF", "NO", "ONE"));
            assertEquals("master", field(text(c.call("INFO", "replication")), "role"));
        }
    }
}
