package io.tandem.server.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.storage.testing.RedisProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tandem-rdb aof-to-rdb on the golden AOFs of a real Redis 7.0.15: the RDB written loads in a
 * real redis-server with the same DEBUG DIGEST as that server loading the AOF itself, and
 * passes redis-check-rdb.
 */
class AofToRdbTest {
    @TempDir
    Path tmp;

    static Path golden(String name) {
        return io.tandem.server.testing.GoldenFiles.path("aof/" + name);
    }

    record Run(int rc, String err) {}

    static Run tool(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = RdbToolMain.run(args, new ByteArrayOutputStream(), new PrintStream(err, true, StandardCharsets.UTF_8), null);
        return new Run(rc, err.toString(StandardCharsets.UTF_8));
    }

    /** DEBUG DIGEST of a real redis-server that loaded the multi-part AOF directory {@code name}. */
    private String digestOfRedisLoadingAof(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("aof-" + name));
        Path aofDir = Files.createDirectories(dir.resolve("appendonlydir"));
        try (Stream<Path> s = Files.list(golden(name))) {
            for (Path f : s.toList()) Files.copy(f, aofDir.resolve(f.getFileName()));
        }
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--appendonly", "yes")) {
            return redis.callString("DEBUG", "DIGEST");
        }
    }

    private String digestOfRedisLoadingRdb(Path rdb) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("rdb-" + System.nanoTime()));
        Files.copy(rdb, dir.resolve("dump.rdb"));
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "dump.rdb")) {
            assertEquals("12346", redis.callString("GET", "str:int"));
            return redis.callString("DEBUG", "DIGEST");
        }
    }

    @Test
    void multiPartAofsBecomeTheSameDatasetInRedis() throws Exception {
        for (String name : new String[] {"multipart-rdb-base", "multipart-aof-base"}) {
            Path out = tmp.resolve(name + ".rdb");
            Run r = tool("aof-to-rdb", golden(name + "/appendonly.aof.manifest").toString(), out.toString());
            assertEquals(0, r.rc(), r.err());
            String expected = digestOfRedisLoadingAof(name);
            assertEquals(expected, digestOfRedisLoadingRdb(out), name);
            var check = io.tandem.server.testing.RedisTools.run(null, 30, "redis-check-rdb", out.toString());
            assertEquals(0, check.exit(), check.out());
        }
    }

    @Test
    void singleFilesWithAndWithoutPreambleGiveTheSameRdbData() throws Exception {
        String expected = digestOfRedisLoadingAof("multipart-rdb-base");
        for (String f : new String[] {"preamble.aof", "plain.aof"}) {
            Path out = tmp.resolve(f + ".rdb");
            Run r = tool("aof-to-rdb", golden(f).toString(), out.toString());
            assertEquals(0, r.rc(), r.err());
            assertEquals(expected, digestOfRedisLoadingRdb(out), f);
        }
    }

    /** --load-truncated loads what Redis loads from a crashed AOF (aof-load-truncated yes): the open MULTI is dropped. */
    @Test
    void loadTruncatedMatchesRedis() throws Exception {
        Path out = tmp.resolve("trunc.rdb");
        Run r = tool("aof-to-rdb", "--load-truncated", golden("truncated-in-multi.aof").toString(), out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("revert incomplete MULTI/EXEC"), r.err());
        Path dir = Files.createDirectories(tmp.resolve("redis-trunc"));
        Files.copy(golden("truncated-in-multi.aof"), dir.resolve("appendonly.aof"));
        String expected;
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--appendonly", "yes", "--aof-load-truncated", "yes")) {
            assertEquals(0L, redis.call("EXISTS", "tx:a"));
            expected = redis.callString("DEBUG", "DIGEST");
        }
        assertEquals(expected, digestOfRedisLoadingRdb(out));
        Run strict = tool("aof-to-rdb", golden("truncated-in-multi.aof").toString(), tmp.resolve("strict.rdb").toString());
        assertEquals(1, strict.rc());
        assertTrue(strict.err().contains("--load-truncated"), strict.err());
    }

    @Test
    void damagedAofFailsWithOffsetAndWritesNothing() {
        Path out = tmp.resolve("out.rdb");
        Run r = tool("aof-to-rdb", golden("truncated-last-command.aof").toString(), out.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("[offset 3492]") || r.err().contains("[offset "), r.err());
        assertTrue(r.err().contains("truncated"), r.err());
        assertFalse(Files.exists(out));
        r = tool("aof-to-rdb", golden("corrupt-bulk-length.aof").toString(), out.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("Expected \\r\\n, got: 780d"), r.err());
        assertFalse(Files.exists(out));
        assertEquals(1, tool("aof-to-rdb", tmp.resolve("none.aof").toString(), out.toString()).rc());
        assertEquals(1, tool("aof-to-rdb", golden("plain.aof").toString()).rc());
    }
}
