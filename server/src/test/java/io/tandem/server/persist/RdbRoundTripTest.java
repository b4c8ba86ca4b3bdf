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

/** SAVE / BGSAVE / DEBUG RELOAD / SHUTDOWN write a file that a new server loads with the same DEBUG DIGEST. */
class RdbRoundTripTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-rdb-");
    }

    @AfterEach
    void tearDown() {
        deleteTree(dir);
    }

    private String reloadDigest(String expectedLoaded) throws Exception {
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            if (expectedLoaded != null) assertEquals(expectedLoaded, info(c, "rdb_last_load_keys_loaded"));
            return str(c.call("DEBUG", "DIGEST"));
        }
    }

    @Test
    void saveThenLoadKeepsEveryTypeAndTtl() throws Exception {
        String digest;
        String replid;
        String hbigEncoding;
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            populate(c);
            c.call("SELECT", 3);
            hbigEncoding = str(c.call("OBJECT", "ENCODING", "db3:hbig"));
            c.call("SELECT", 0);
            digest = str(c.call("DEBUG", "DIGEST"));
            long before = (Long) c.call("LASTSAVE");
            assertNotEquals("0", info(c, "rdb_changes_since_last_save"));
            assertEquals("OK", c.call("SAVE"));
            assertEquals("0", info(c, "rdb_changes_since_last_save"));
            assertTrue((Long) c.call("LASTSAVE") >= before);
            assertEquals("1", info(c, "rdb_saves"));
            replid = s.server().server().replicationIds().replid();
            assertFalse(Files.exists(dir.resolve("temp-" + ProcessHandle.current().pid() + ".rdb")));
        }
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
            assertEquals(3 * PersistTesting.KEYS_PER_DB, Long.parseLong(info(c, "rdb_last_load_keys_loaded")));
            assertEquals(replid, s.server().server().replicationIds().replid(), "repl-id restored from the RDB");
            c.call("SELECT", 3);
            assertEquals(hbigEncoding, str(c.call("OBJECT", "ENCODING", "db3:hbig")));
            assertEquals("intset", str(c.call("OBJECT", "ENCODING", "db3:sint")));
            assertTrue((Long) c.call("PTTL", "db3:hbig") > 7_000_000);
        }
    }

    @Test
    void bgsaveThenLoad() throws Exception {
        String digest;
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            populate(c);
            digest = str(c.call("DEBUG", "DIGEST"));
            assertEquals("Background saving started", c.call("BGSAVE"));
            assertEquals("ok", awaitBgsave(c));
            assertEquals("0", info(c, "rdb_changes_since_last_save"));
            assertNotEquals("-1", info(c, "rdb_last_bgsave_time_sec"));
        }
        assertEquals(digest, reloadDigest(Long.toString(3 * PersistTesting.KEYS_PER_DB)));
    }

    @Test
    void bgsaveWhileOneRunsIsRefused() throws Exception {
        try (TandemTestServer s = start(dir, "rdb-key-save-delay", "2000"); Client c = connect(s)) {
            populate(c);
            assertEquals("Background saving started", c.call("BGSAVE"));
            assertEquals("1", info(c, "rdb_bgsave_in_progress"));
            RedisError e = assertThrows(RedisError.class, () -> c.call("BGSAVE"));
            assertEquals("ERR Background save already in progress", e.getMessage());
            e = assertThrows(RedisError.class, () -> c.call("BGSAVE", "SCHEDULE"));
            assertEquals("ERR Background save already in progress", e.getMessage());
            e = assertThrows(RedisError.class, () -> c.call("SAVE"));
            assertEquals("ERR Background save already in progress", e.getMessage());
        }
        // closing the server killed the snapshot: no file, no temp file left (only the disk backlog's directory)
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> !p.getFileName().toString().equals("replbacklog")).count());
        }
    }

    @Test
    void debugReloadKeepsTheDataset() throws Exception {
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            populate(c);
            String digest = str(c.call("DEBUG", "DIGEST"));
            assertEquals("OK", c.call("DEBUG", "RELOAD"));
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
            assertEquals(Long.toString(3 * PersistTesting.KEYS_PER_DB), info(c, "rdb_last_load_keys_loaded"));
        }
    }

    @Test
    void expiredKeysAreSkippedOnLoad() throws Exception {
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            c.call("SET", "a", "1");
            c.call("SET", "b", "2", "PX", "300");
            c.call("SAVE");
        }
        Thread.sleep(400);
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            assertEquals("1", info(c, "rdb_last_load_keys_loaded"));
            assertEquals("1", info(c, "rdb_last_load_keys_expired"));
            assertEquals(1L, c.call("DBSIZE"));
        }
    }

    @Test
    void shutdownSavesWithSavePointsAndNosaveDoesNot() throws Exception {
        String digest;
        TandemTestServer s = start(dir, "save", "3600 1");
        try (Client c = connect(s)) {
            c.call("SET", "k", "v1");
            digest = str(c.call("DEBUG", "DIGEST"));
            try {
                c.call("SHUTDOWN");
            } catch (java.io.IOException closed) {
                // the connection closes as the server exits
            }
        }
        s.server().awaitTermination();
        assertTrue(Files.exists(dir.resolve("dump.rdb")));
        assertEquals(digest, reloadDigest("1"));

        s = start(dir, "save", "3600 1");
        try (Client c = connect(s)) {
            c.call("SET", "k", "v2");
            try {
                c.call("SHUTDOWN", "NOSAVE");
            } catch (java.io.IOException closed) {
                // expected
            }
        }
        s.server().awaitTermination();
        assertEquals(digest, reloadDigest("1"), "NOSAVE left the previous file");
    }

    @Test
    void savePointTriggersBgsave() throws Exception {
        try (TandemTestServer s = start(dir, "save", "1 2", "hz", "50"); Client c = connect(s)) {
            c.call("SET", "a", "1");
            c.call("SET", "b", "2");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(dir.resolve("dump.rdb")) && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(Files.exists(dir.resolve("dump.rdb")));
            assertEquals("ok", awaitBgsave(c));
        }
    }

    @Test
    void flushallKillsTheBgsaveAndSavesTheEmptyDataset() throws Exception {
        try (TandemTestServer s = start(dir, "save", "3600 1000000", "rdb-key-save-delay", "2000"); Client c = connect(s)) {
            populate(c);
            assertEquals("OK", c.call("SAVE"));
            assertEquals("Background saving started", c.call("BGSAVE"));
            assertEquals("1", info(c, "rdb_bgsave_in_progress"));
            assertEquals("OK", c.call("FLUSHALL"));
            assertEquals("0", info(c, "rdb_bgsave_in_progress"));
            assertEquals("ok", info(c, "rdb_last_bgsave_status"), "a killed BGSAVE is not an error");
        }
        assertEquals("0".repeat(40), reloadDigest("0"));
    }
}
