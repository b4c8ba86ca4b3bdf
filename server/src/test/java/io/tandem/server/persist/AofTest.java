package io.tandem.server.persist;

import static io.tandem.server.persist.PersistTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import io.tandem.server.TandemServer;
import io.tandem.server.config.ConfigLoader;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.keyspace.ChronicleKeyspace;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The multi-part AOF (Redis 7.0): files and manifest as Redis names them, restart with the same
 * DEBUG DIGEST, interop with redis-check-aof and redis-server both ways, truncated tails and
 * corruption at startup.
 */
class AofTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-aof-");
    }

    @AfterEach
    void tearDown() {
        deleteTree(dir);
    }

    private TandemTestServer startAof(String... kv) {
        String[] all = Arrays.copyOf(new String[] {"appendonly", "yes", "appendfsync", "always"}, 4 + kv.length);
        System.arraycopy(kv, 0, all, 4, kv.length);
        return start(dir, all);
    }

    private Path aofDir() {
        return dir.resolve("appendonlydir");
    }

    private Path incr() {
        return aofDir().resolve("appendonly.aof.1.incr.aof");
    }

    @Test
    void filesAsRedisNamesThemAndRestartKeepsTheData() throws Exception {
        String digest;
        try (TandemTestServer s = startAof(); Client c = connect(s)) {
            assertEquals("1", info(c, "aof_enabled"));
            populate(c);
            c.call("SET", "after", "x", "EX", "1000");
            c.call("DEL", "db0:k1");
            c.call("INCR", "db0:int");
            digest = str(c.call("DEBUG", "DIGEST"));
            assertTrue(Long.parseLong(info(c, "aof_current_size")) > 100_000, info(c, "aof_current_size"));
        }
        assertEquals("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
                Files.readString(aofDir().resolve("appendonly.aof.manifest")));
        assertTrue(Files.exists(aofDir().resolve("appendonly.aof.1.base.rdb")));
        // the file names its replication point first (an annotation Redis skips), then the stream
        String text = Files.readString(incr(), StandardCharsets.ISO_8859_1);
        assertTrue(text.matches("(?s)#REPL:[0-9a-f]{40}:\\d+\r\n\\*2\r\n\\$6\r\nSELECT\r\n\\$1\r\n0\r\n.*"),
                text.substring(0, 80));
        assertFalse(Files.exists(dir.resolve("dump.rdb")));
        try (TandemTestServer s = startAof(); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
            c.call("SET", "second", "run");
            digest = str(c.call("DEBUG", "DIGEST"));
        }
        try (TandemTestServer s = startAof("appendfsync", "everysec"); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
    }

    @Test
    void tandemAofPassesRedisCheckAofAndLoadsInRedis() throws Exception {
        Path bin = RedisProcess.requireBinary();
        String digest;
        try (TandemTestServer s = startAof("appendfsync", "no"); Client c = connect(s)) {
            populate(c);
            c.call("MULTI");
            c.call("SET", "tx", "1");
            c.call("LPUSH", "txl", "a");
            c.call("EXEC");
            digest = str(c.call("DEBUG", "DIGEST"));
        }
        Path check = bin.resolveSibling("redis-check-aof");
        if (Files.isExecutable(check)) {
            Process p = new ProcessBuilder(check.toString(), aofDir().resolve("appendonly.aof.manifest").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("is valid"), out);
        }
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--appendonly", "yes", "--appenddirname",
                "appendonlydir")) {
            assertEquals(digest, redis.callString("DEBUG", "DIGEST"));
        }
    }

    @Test
    void redisAofLoadsInTandem() throws Exception {
        String digest;
        try (RedisProcess redis = RedisProcess.start("--appendonly", "yes", "--appendfsync", "always"); Client c = redis.connect()) {
            c.call("SET", "before", "populate");
            populate(c);
            c.call("SELECT", 5);
            c.call("SET", "x", "y");
            digest = str(c.call("DEBUG", "DIGEST"));
            Path src = redis.dir().resolve("appendonlydir");
            Files.createDirectories(aofDir());
            try (Stream<Path> files = Files.list(src)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, aofDir().resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (TandemTestServer s = startAof(); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
    }

    @Test
    void timestampAnnotationsAreWrittenAndSkippedOnLoad() throws Exception {
        String digest;
        try (TandemTestServer s = startAof("aof-timestamp-enabled", "yes"); Client c = connect(s)) {
            c.call("SET", "a", "1");
            c.call("SELECT", 4);
            c.call("SET", "b", "2");
            digest = str(c.call("DEBUG", "DIGEST"));
        }
        String text = Files.readString(incr(), StandardCharsets.ISO_8859_1);
        assertTrue(text.matches("(?s)#REPL:[0-9a-f]{40}:\\d+\r\n#TS:\\d+\r\n\\*2\r\n\\$6\r\nSELECT\r\n.*"), text);
        Path check = RedisProcess.requireBinary().resolveSibling("redis-check-aof");
        if (Files.isExecutable(check)) {
            Process p = new ProcessBuilder(check.toString(), aofDir().resolve("appendonly.aof.manifest").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
        }
        try (TandemTestServer s = startAof(); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
    }

    private String populateAndClose() throws Exception {
        try (TandemTestServer s = startAof(); Client c = connect(s)) {
            c.call("SET", "a", "1");
            c.call("SET", "b", "2");
            c.call("RPUSH", "l", "x", "y");
            return str(c.call("DEBUG", "DIGEST"));
        }
    }

    @Test
    void truncatedTailIsCutWhenAofLoadTruncated() throws Exception {
        String digest = populateAndClose();
        long good = Files.size(incr());
        Files.write(incr(), "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhal".getBytes(StandardCharsets.US_ASCII),
                java.nio.file.StandardOpenOption.APPEND);
        try (TandemTestServer s = startAof(); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
            assertEquals(0L, c.call("EXISTS", "c"));
        }
        assertTrue(Files.size(incr()) >= good);
        // refused with aof-load-truncated no
        Files.write(incr(), "*2\r\n$3\r\nDEL".getBytes(StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.APPEND);
        Persistence.FatalLoadError e = startFails("aof-load-truncated no");
        assertTrue(e.getMessage().contains("at offset"), e.getMessage());
    }

    @Test
    void corruptionInTheMiddleRefusesToStartNamingTheOffset() throws Exception {
        populateAndClose();
        byte[] b = Files.readAllBytes(incr());
        int at = new String(b, StandardCharsets.ISO_8859_1).indexOf("*3\r\n$3\r\nSET\r\n$1\r\nb");
        assertTrue(at > 0);
        b[at] = 'X';
        Files.write(incr(), b);
        Persistence.FatalLoadError e = startFails("");
        assertTrue(e.getMessage().contains("at offset " + at), e.getMessage());
    }

    private Persistence.FatalLoadError startFails(String extra) throws Exception {
        ServerConfig config = ConfigLoader.loadString("port " + TandemTestServer.freePort() + "\nbind 127.0.0.1\nsave \"\"\ndir "
                + dir + "\nappendonly yes\n" + extra + "\n");
        TandemServer server = new TandemServer(config, ChronicleKeyspace.open(config.databases()));
        try {
            return assertThrows(Persistence.FatalLoadError.class, server::start);
        } finally {
            server.close();
        }
    }
}
