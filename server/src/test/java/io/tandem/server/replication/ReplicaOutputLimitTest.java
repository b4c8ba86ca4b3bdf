package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A replica that stops reading is disconnected past client-output-buffer-limit replica. */
class ReplicaOutputLimitTest {
    @Test
    void aStalledReplicaIsDisconnected() throws Exception {
        try (TandemTestServer t = TandemTestServer.start(Map.of("client-output-buffer-limit", "replica 1mb 0 0"));
                Client c = Client.connect("127.0.0.1", t.port());
                Socket stalled = new Socket("127.0.0.1", t.port())) {
            stalled.setReceiveBufferSize(64 * 1024);
            OutputStream out = stalled.getOutputStream();
            out.write("*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long deadline = System.currentTimeMillis() + 10_000;
            while (!String.valueOf(field(text(c.call("INFO", "replication")), "slave0")).contains("state=online")
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("1", field(text(c.call("INFO", "replication")), "connected_slaves"));
            String big = "x".repeat(100_000);
            for (int i = 0; i < 400 && "1".equals(field(text(c.call("INFO", "replication")), "connected_slaves")); i++) {
                c.call("SET", "k" + (i % 10), big);
            }
            deadline = System.currentTimeMillis() + 10_000;
            while (!"0".equals(field(text(c.call("INFO", "replication")), "connected_slaves")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("0", field(text(c.call("INFO", "replication")), "connected_slaves"));
        }
    }
}
