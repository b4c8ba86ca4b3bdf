package io.tandem.server.replication;

import static io.tandem.server.replication.MinReplicasTest.await;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * repl-backlog-ttl: a master left without replicas frees its backlog after the ttl, with a new
 * replid (as Redis's replicationCron); its offset then stays put under writes, and a new replica
 * full-syncs and stays consistent. While a replica is attached the backlog is kept.
 */
class BacklogTtlTest {
    static String info(Client c, String f) throws Exception {
        return field(text(c.call("INFO", "replication")), f);
    }

    @Test
    void backlogFreedAfterTtlWithoutReplicas() throws Exception {
        try (TandemTestServer t = TandemTestServer.start(Map.of("repl-backlog-ttl", "1", "repl-backlog-disk", "no"));
                Client c = Client.connect("127.0.0.1", t.port())) {
            assertEquals("0", info(c, "repl_backlog_active"));
            try (Socket s = new Socket("127.0.0.1", t.port())) {
                OutputStream out = s.getOutputStream();
                out.write("*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                await("an online replica", 10_000, () -> String.valueOf(info(c, "slave0")).contains("state=online"));
                assertEquals("1", info(c, "repl_backlog_active"));
                c.call("SET", "a", "1");
                Thread.sleep(2_500); // longer than the ttl, but a replica is attached
                assertEquals("1", info(c, "repl_backlog_active"));
            }
            await("the replica gone", 10_000, () -> "0".equals(info(c, "connected_slaves")));
            String replid = info(c, "master_replid");
            String offset = info(c, "master_repl_offset");
            await("the backlog freed", 10_000, () -> "0".equals(info(c, "repl_backlog_active")));
            assertNotEquals(replid, info(c, "master_replid"));
            assertEquals("0000000000000000000000000000000000000000", info(c, "master_replid2"));
            assertEquals(offset, info(c, "master_repl_offset"));
            c.call("SET", "b", "2");
            assertEquals("0", info(c, "repl_backlog_active"), "a write does not bring the backlog back");
            assertEquals(offset, info(c, "master_repl_offset"));

            try (RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(t.port()))) {
                await("replica in sync", 20_000, () -> "up".equals(field(text(replica.call("INFO", "replication")), "master_link_status")));
                assertEquals("1", info(c, "repl_backlog_active"));
                for (int i = 0; i < 100; i++) c.call("SET", "k" + i, "v" + i);
                await("replica offset", 20_000, () -> info(c, "master_repl_offset")
                        .equals(field(text(replica.call("INFO", "replication")), "master_repl_offset")));
                assertEquals(text(c.call("DEBUG", "DIGEST")), text(replica.call("DEBUG", "DIGEST")));
            }
        }
    }
}
