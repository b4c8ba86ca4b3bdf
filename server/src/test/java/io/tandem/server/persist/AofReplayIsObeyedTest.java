package io.tandem.server.persist;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tandem.server.persist.PersistTesting.deleteTree;
import static io.tandem.server.persist.PersistTesting.start;
import static io.tandem.server.persist.PersistTesting.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replaying the AOF at startup obeys the file, as Redis's loader does: neither authentication
 * nor the checks that refuse client writes (NOREPLICAS, OOM, MISCONF) may drop a logged write.
 */
class AofReplayIsObeyedTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-aof-obey");
    }

    @AfterEach
    void tearDown() {
        deleteTree(dir);
    }

    @Test
    void aPasswordAndMinReplicasDoNotStopTheReplay() throws Exception {
        String[] cfg = {"appendonly", "yes", "appendfsync", "always", "requirepass", "pw", "save", ""};
        try (TandemTestServer s = start(dir, cfg); Client c = Client.connect("127.0.0.1", s.port())) {
            c.call("AUTH", "pw");
            for (int i = 0; i < 100; i++) c.call("SET", "k" + i, "v" + i);
            c.call("HSET", "h", "f", "v");
        }
        // Restart with a write barrier a client would hit (no replica can satisfy it).
        String[] restart = {"appendonly", "yes", "requirepass", "pw", "save", "", "min-replicas-to-write", "1"};
        try (TandemTestServer s = start(dir, restart); Client c = Client.connect("127.0.0.1", s.port())) {
            c.call("AUTH", "pw");
            assertEquals(101L, c.call("DBSIZE"));
            assertEquals("v99", str(c.call("GET", "k99")));
            assertEquals("v", str(c.call("HGET", "h", "f")));
        }
    }
}
