package io.tandem.server.persist;

import static io.tandem.server.persist.PersistTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;
import io.tandem.storage.testing.RedisProcess.RedisError;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A failed BGSAVE with save points and stop-writes-on-bgsave-error: writes and PING get MISCONF,
 * reads work, the previous file stays, SHUTDOWN is refused unless FORCE... and a successful
 * BGSAVE clears it. The failure is made reliable even as root: dump.rdb is a non-empty
 * directory, so the final rename fails.
 */
class MisconfTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-misconf-");
    }

    @AfterEach
    void tearDown() {
        deleteTree(dir);
    }

    @Test
    void failedBgsaveDeniesWritesUntilASaveSucceeds() throws Exception {
        try (TandemTestServer s = start(dir, "save", "3600 1000000"); Client c = connect(s)) {
            // after startup: a directory named dump.rdb is also a fatal load error, as in Redis
            Files.createDirectories(dir.resolve("dump.rdb").resolve("blocker"));
            c.call("SET", "k", "v");
            assertEquals("Background saving started", c.call("BGSAVE"));
            assertEquals("err", awaitBgsave(c));
            RedisError e = assertThrows(RedisError.class, () -> c.call("SET", "k", "v2"));
            assertEquals(Persistence.MISCONF, e.getMessage());
            assertThrows(RedisError.class, () -> c.call("PING"));
            assertEquals("v", str(c.call("GET", "k")));
            assertThrows(RedisError.class, () -> c.call("SAVE"));
            e = assertThrows(RedisError.class, () -> c.call("SHUTDOWN"));
            assertEquals("ERR Errors trying to SHUTDOWN. Check logs.", e.getMessage());
            try (var files = Files.list(dir)) {
                // the blocking dump.rdb directory, and the disk replication backlog's
                assertEquals(java.util.Set.of("dump.rdb", "replbacklog"),
                        files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()), "no temp file left behind");
            }

            deleteTree(dir.resolve("dump.rdb"));
            assertEquals("Background saving started", c.call("BGSAVE"));
            assertEquals("ok", awaitBgsave(c));
            assertEquals("OK", c.call("SET", "k", "v3"));
            assertEquals("PONG", c.call("PING"));
        }
    }

    @Test
    void withoutStopWritesOnBgsaveErrorWritesContinue() throws Exception {
        try (TandemTestServer s = start(dir, "save", "3600 1000000", "stop-writes-on-bgsave-error", "no"); Client c = connect(s)) {
            Files.createDirectories(dir.resolve("dump.rdb").resolve("blocker"));
            c.call("BGSAVE");
            assertEquals("err", awaitBgsave(c));
            assertEquals("OK", c.call("SET", "k", "v"));
        }
    }
}
