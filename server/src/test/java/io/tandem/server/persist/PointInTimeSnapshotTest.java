package io.tandem.server.persist;

import static io.tandem.server.persist.PersistTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * BGSAVE is point-in-time: while a slowed-down snapshot walks (rdb-key-save-delay), several
 * clients overwrite, delete, expire and add keys, mutate big on-heap collections in place,
 * SWAPDB and FLUSHDB; the file, loaded into a fresh server, has the DEBUG DIGEST the dataset had
 * when BGSAVE started, and none of the later writes.
 */
class PointInTimeSnapshotTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-pit-");
    }

    @AfterEach
    void tearDown() {
        deleteTree(dir);
    }

    @Test
    void snapshotHoldsTheDatasetAsOfBgsaveWhileWritesContinue() throws Exception {
        String expected;
        try (TandemTestServer s = start(dir, "rdb-key-save-delay", "300"); Client c = connect(s)) {
            populate(c); // KEYS_PER_DB keys in each of dbs 0, 3, 9 (≈ 0.5 s of walk at 300 µs/key)
            c.call("SELECT", 5);
            c.call("SET", "in5", "five");
            c.call("SELECT", 6);
            c.call("SET", "in6", "six");
            c.call("SELECT", 7);
            for (int i = 0; i < 50; i++) c.call("SET", "flushme" + i, "x");
            c.call("SELECT", 0);
            expected = str(c.call("DEBUG", "DIGEST"));
            assertEquals("Background saving started", c.call("BGSAVE"));
            // db 9 is walked last (~0.3 s away at 300 us/key): changing its key now must go through the
            // pre-write hook whatever the scheduling of the writer threads below.
            c.call("SELECT", 9);
            c.call("SET", "db9:text", "changed right after BGSAVE");
            c.call("SELECT", 0);

            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int id = t;
                jobs.add(pool.submit(() -> {
                    try (Client w = connect(s)) {
                        for (int db : new int[] {0, 3, 9}) {
                            w.call("SELECT", db);
                            String p = "db" + db + ":";
                            for (int i = id; i < 500; i += 4) {
                                switch (i % 5) {
                                    case 0 -> w.call("SET", p + "k" + i, "changed");
                                    case 1 -> w.call("DEL", p + "k" + i);
                                    case 2 -> w.call("PEXPIRE", p + "k" + i, "1");
                                    case 3 -> w.call("SET", p + "new" + i, "added");
                                    default -> w.call("APPEND", p + "k" + i, "-more");
                                }
                            }
                            w.call("HSET", p + "hbig", "f" + id, "changed", "extra" + id, "x");
                            w.call("HDEL", p + "hbig", "f" + (10 + id));
                            w.call("LPUSH", p + "lbig", "pushed" + id);
                            w.call("RPOP", p + "lbig");
                            w.call("LSET", p + "lbig", "5", "set");
                            w.call("SADD", p + "sbig", "added" + id);
                            w.call("SREM", p + "sbig", "member-" + id);
                            w.call("SADD", p + "sint", "777" + id);
                            w.call("ZADD", p + "zbig", "1000", "zadded" + id);
                            w.call("ZINCRBY", p + "zbig", "5", "m" + id);
                            w.call("ZREM", p + "zbig", "m" + (50 + id));
                            w.call("PERSIST", p + "hbig");
                            w.call("INCR", p + "int");
                            w.call("SETRANGE", p + "big", "3", "changed");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) f.get();
            pool.shutdown();
            // still running: the writes above overlapped the walk
            assertEquals("1", info(c, "rdb_bgsave_in_progress"), "the snapshot must overlap the writes");
            c.call("SWAPDB", "5", "6");
            c.call("SELECT", 7);
            c.call("FLUSHDB");
            c.call("SELECT", 0);
            c.call("SET", "after", "bgsave");
            assertNotEquals(expected, str(c.call("DEBUG", "DIGEST")));
            assertEquals("ok", awaitBgsave(c));
            assertTrue(Long.parseLong(info(c, "rdb_last_cow_size")) > 0, "the hook saved keys ahead of the walk");
        }
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            assertEquals(expected, str(c.call("DEBUG", "DIGEST")));
            c.call("SELECT", 5);
            assertEquals("five", str(c.call("GET", "in5")));
        }
    }
}
