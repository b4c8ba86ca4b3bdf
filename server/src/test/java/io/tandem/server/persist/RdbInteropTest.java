package io.tandem.server.persist;

import static io.tandem.server.persist.PersistTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tandem's dump.rdb passes redis-check-rdb and loads in a real redis-server with the same DEBUG
 * DIGEST; a real Redis's dump.rdb loads in Tandem with the same digest. Under CI=true a missing
 * redis binary fails (RedisProcess).
 */
class RdbInteropTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-interop-");
    }

    @AfterEach
    void tearDown() {
        deleteTree(dir);
    }

    @Test
    void tandemFileLoadsInRedis() throws Exception {
        Path bin = RedisProcess.requireBinary();
        String digest;
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            populate(c);
            digest = str(c.call("DEBUG", "DIGEST"));
            assertEquals("OK", c.call("SAVE"));
            c.call("BGSAVE");
            assertEquals("ok", awaitBgsave(c));
        }
        Path check = bin.resolveSibling("redis-check-rdb");
        if (Files.isExecutable(check)) {
            Process p = new ProcessBuilder(check.toString(), dir.resolve("dump.rdb").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("RDB looks OK"), out);
        }
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "dump.rdb")) {
            assertEquals(digest, redis.callString("DEBUG", "DIGEST"));
        }
    }

    @Test
    void redisFileLoadsInTandem() throws Exception {
        String digest;
        try (RedisProcess redis = RedisProcess.start(); Client c = redis.connect()) {
            populate(c);
            digest = str(c.call("DEBUG", "DIGEST"));
            assertEquals("OK", c.call("SAVE"));
            Files.copy(redis.dir().resolve("dump.rdb"), dir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
        }
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
    }
}
