package io.tandem.server.persist;

import static io.tandem.server.persist.PersistTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BGREWRITEAOF without fork, CONFIG SET appendonly at runtime, auto-aof-rewrite. */
class AofRewriteTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-aofrw-");
    }

    @AfterEach
    void tearDown() {
        deleteTree(dir);
    }

    private Path aofDir() {
        return dir.resolve("appendonlydir");
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(aofDir())) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    static void awaitRewrite(Client c) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (info(c, "aof_rewrite_in_progress").equals("0") && info(c, "aof_rewrite_scheduled").equals("0")) return;
            Thread.sleep(10);
        }
        throw new AssertionError("rewrite did not finish");
    }

    private static String err(Client c, Object... cmd) {
        return assertThrows(RedisProcess.RedisError.class, () -> c.call(cmd)).getMessage();
    }

    @Test
    void bgrewriteaofWritesANewBaseAndIncrWhileWritesContinue() throws Exception {
        String digest;
        try (TandemTestServer s = start(dir, "appendonly", "yes", "rdb-key-save-delay", "20"); Client c = connect(s)) {
            populate(c);
            assertEquals("Background append only file rewriting started", str(c.call("BGREWRITEAOF")));
            assertEquals("1", info(c, "aof_rewrite_in_progress"));
            assertTrue(err(c, "BGREWRITEAOF").contains("already in progress"));
            assertTrue(err(c, "BGSAVE").contains("Another child process is active"));
            assertEquals("Background saving scheduled", str(c.call("BGSAVE", "SCHEDULE")));
            // writes during the rewrite land in the new incr file
            c.call("SET", "during", "rewrite");
            c.call("DEL", "db0:k7");
            c.call("SELECT", 3);
            c.call("RPUSH", "db3:lsmall", "more");
            c.call("SELECT", 0);
            c.call("CONFIG", "SET", "rdb-key-save-delay", "0");
            awaitRewrite(c);
            assertEquals("ok", info(c, "aof_last_bgrewrite_status"));
            assertEquals("1", info(c, "aof_rewrites"));
            assertEquals("ok", awaitBgsave(c)); // the scheduled BGSAVE ran after the rewrite
            digest = str(c.call("DEBUG", "DIGEST"));
        }
        assertEquals("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
                Files.readString(aofDir().resolve("appendonly.aof.manifest")));
        assertEquals(List.of("appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"), files());
        try (TandemTestServer s = start(dir, "appendonly", "yes"); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
        Path bin = RedisProcess.requireBinary();
        Path check = bin.resolveSibling("redis-check-aof");
        if (Files.isExecutable(check)) {
            Process p = new ProcessBuilder(check.toString(), aofDir().resolve("appendonly.aof.manifest").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
        }
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--appendonly", "yes")) {
            assertEquals(digest, redis.callString("DEBUG", "DIGEST"));
        }
    }

    @Test
    void configSetAppendonlyAtRuntime() throws Exception {
        String digest;
        try (TandemTestServer s = start(dir); Client c = connect(s)) {
            populate(c);
            assertEquals("0", info(c, "aof_enabled"));
            assertEquals("OK", str(c.call("CONFIG", "SET", "appendonly", "yes")));
            assertEquals("1", info(c, "aof_enabled"));
            c.call("SET", "while", "waiting");
            awaitRewrite(c);
            c.call("SET", "after", "enable");
            digest = str(c.call("DEBUG", "DIGEST"));
            assertEquals(List.of("appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"), files());
            assertTrue(Long.parseLong(info(c, "aof_current_size")) > Long.parseLong(info(c, "aof_base_size")));
            assertEquals("OK", str(c.call("CONFIG", "SET", "appendonly", "no")));
            assertEquals("0", info(c, "aof_enabled"));
            long size = Files.size(aofDir().resolve("appendonly.aof.1.incr.aof"));
            c.call("SET", "not", "logged");
            Thread.sleep(50);
            assertEquals(size, Files.size(aofDir().resolve("appendonly.aof.1.incr.aof")));
        }
        try (TandemTestServer s = start(dir, "appendonly", "yes"); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
    }

    @Test
    void autoRewriteOnGrowth() throws Exception {
        try (TandemTestServer s = start(dir, "appendonly", "yes", "auto-aof-rewrite-min-size", "1", "auto-aof-rewrite-percentage", "100",
                "hz", "50"); Client c = connect(s)) {
            populate(c);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (info(c, "aof_rewrites").equals("0") && System.nanoTime() < deadline) Thread.sleep(20);
            assertNotEquals("0", info(c, "aof_rewrites"));
            awaitRewrite(c);
            String digest = str(c.call("DEBUG", "DIGEST"));
            c.call("CONFIG", "SET", "auto-aof-rewrite-percentage", "0");
            s.close();
            try (TandemTestServer s2 = start(dir, "appendonly", "yes"); Client c2 = connect(s2)) {
                assertEquals(digest, str(c2.call("DEBUG", "DIGEST")));
            }
        }
    }
}
