package io.tandem.server.persist;

import static io.tandem.server.persist.PersistTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tandem.server.TandemServer;
import io.tandem.server.config.ConfigLoader;
import io.tandem.server.config.ServerConfig;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.keyspace.ChronicleKeyspace;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;
import io.tandem.storage.testing.RedisProcess.RedisError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The AOF incr file written through mmap ({@code storage.io.MappedAppendFile}), with 64 KiB
 * windows so a few hundred KB cross many: while open the file is window-aligned with a zero tail
 * and INFO reports the data length; after SHUTDOWN it is exact, passes redis-check-aof and loads
 * in redis-server; what a crash leaves (the live file, zero tail included) loads with every
 * acknowledged write and the tail cut; zeros followed by data are corruption; a full disk refuses
 * writes with MISCONF until a write succeeds, losing nothing.
 */
class AofMmapTest {
    static final long W = 64 * 1024;
    Path dir;
    ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-aofmmap-");
        System.setProperty("tandem.aof.mapWindow", Long.toString(W));
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Aof.class)).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(Aof.class)).detachAppender(logs);
        System.clearProperty("tandem.aof.mapWindow");
        deleteTree(dir);
    }

    private TandemTestServer startAof(Path d, String fsync) {
        return start(d, "appendonly", "yes", "appendfsync", fsync);
    }

    private static Path incr(Path d) {
        return d.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
    }

    private static Aof aof(TandemTestServer s) {
        return s.server().aof();
    }

    private boolean logged(String part) {
        return logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains(part));
    }

    /** Enough writes to cross several 64 KiB windows. */
    private static void load(Client c, String prefix, int n) throws IOException {
        List<Object[]> cmds = new ArrayList<>();
        for (int i = 0; i < n; i++) cmds.add(new Object[] {"SET", prefix + i, (prefix + i + ":").repeat(40)});
        for (Object r : c.pipeline(cmds)) {
            if (r instanceof RuntimeException e) throw e;
        }
    }

    private static String redisCheckAof(Path d) throws Exception {
        Path check = RedisProcess.requireBinary().resolveSibling("redis-check-aof");
        Process p = new ProcessBuilder(check.toString(), d.resolve("appendonlydir").resolve("appendonly.aof.manifest").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("is valid"), out);
        return out;
    }

    private static boolean endsInZero(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, ch.size() - 1);
            return b.get(0) == 0;
        }
    }

    @Test
    void openFileHasAZeroTailShutdownLeavesExactlyTheDataForRedis() throws Exception {
        String digest;
        try (TandemTestServer s = startAof(dir, "everysec"); Client c = connect(s)) {
            populate(c);
            load(c, "w:", 2000);
            digest = str(c.call("DEBUG", "DIGEST"));
            long data = aof(s).incrLength();
            assertTrue(data > 4 * W, "crossed several windows: " + data);
            long onDisk = Files.size(incr(dir));
            assertEquals(0, onDisk % W, "grown by whole windows");
            assertTrue(onDisk > data, onDisk + " on disk for " + data + " bytes of data");
            assertTrue(endsInZero(incr(dir)));
            assertEquals(aof(s).baseSize() + data, Long.parseLong(info(c, "aof_current_size")), "INFO reports the data, not the mapping");
            try {
                c.call("SHUTDOWN");
            } catch (IOException | RedisError closed) {
                // the connection closes
            }
            assertEquals(0, s.server().awaitTermination());
        }
        assertFalse(endsInZero(incr(dir)));
        redisCheckAof(dir);
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--appendonly", "yes", "--appenddirname",
                "appendonlydir")) {
            assertEquals(digest, redis.callString("DEBUG", "DIGEST"));
        }
        try (TandemTestServer s = startAof(dir, "everysec"); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
        assertFalse(logged("zero-filled tail"), "a clean close leaves no tail to cut");
    }

    /**
     * What a crash leaves is the live file: the page cache holds every byte stored into the
     * mapping. A copy of the directory while the server runs (appendfsync always, every reply
     * received) is that state; the next start cuts the tail and has every acknowledged write.
     */
    @Test
    void whatACrashLeavesLoadsWithTheTailCut() throws Exception {
        Path crashed = Files.createDirectory(dir.resolve("crashed"));
        String digest;
        try (TandemTestServer s = startAof(dir, "always"); Client c = connect(s)) {
            populate(c);
            load(c, "acked:", 1500);
            c.call("INCR", "counter");
            digest = str(c.call("DEBUG", "DIGEST"));
            Path src = dir.resolve("appendonlydir");
            Files.createDirectories(crashed.resolve("appendonlydir"));
            try (Stream<Path> files = Files.list(src)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, crashed.resolve("appendonlydir").resolve(f.getFileName()));
            }
        }
        long crashedSize = Files.size(incr(crashed));
        assertEquals(0, crashedSize % W);
        assertTrue(endsInZero(incr(crashed)));
        // The "crash" also cut a command in two (killed in the middle of the copy into the mapping):
        // a partial SET just before the zeros. aof-load-truncated (the default) drops it.
        long dataEnd;
        byte[] acked;
        try (FileChannel ch = FileChannel.open(incr(crashed), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            dataEnd = trueEnd(ch);
            acked = java.util.Arrays.copyOf(Files.readAllBytes(incr(crashed)), (int) dataEnd);
            ch.write(ByteBuffer.wrap("*3\r\n$3\r\nSET\r\n$4\r\nhalf".getBytes(StandardCharsets.US_ASCII)), dataEnd);
        }
        try (TandemTestServer s = startAof(crashed, "always"); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
            assertEquals(0L, c.call("EXISTS", "half"));
            assertTrue(logged("removed its zero-filled tail"), "one line says the tail was cut");
            assertTrue(logged("short read while loading the AOF file"));
            c.call("SET", "after", "restart");
            digest = str(c.call("DEBUG", "DIGEST"));
        }
        // appending resumed at the true end: the acknowledged bytes, then this life's (no zeros, no half command)
        byte[] after = Files.readAllBytes(incr(crashed));
        assertArrayEquals(acked, java.util.Arrays.copyOf(after, (int) dataEnd));
        String resumed = new String(after, (int) dataEnd, after.length - (int) dataEnd, StandardCharsets.ISO_8859_1);
        assertTrue(resumed.startsWith("#REPL:") || resumed.startsWith("*"), resumed);
        assertTrue(resumed.contains("restart") && !resumed.contains("half") && resumed.indexOf(0) < 0, resumed);
        redisCheckAof(crashed);
        try (TandemTestServer s = startAof(crashed, "always"); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
    }

    private static long trueEnd(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) ch.size());
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // fill
        }
        int i = b.capacity();
        while (i > 0 && b.get(i - 1) == 0) i--;
        return i;
    }

    @Test
    void zerosFollowedByDataAreCorruptionNamedByOffset() throws Exception {
        try (TandemTestServer s = startAof(dir, "always"); Client c = connect(s)) {
            c.call("SET", "a", "1");
        }
        long end = Files.size(incr(dir));
        Files.write(incr(dir), new byte[100], StandardOpenOption.APPEND);
        Files.write(incr(dir), "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        ServerConfig config = ConfigLoader.loadString("port " + TandemTestServer.freePort() + "\nbind 127.0.0.1\nsave \"\"\ndir "
                + dir + "\nappendonly yes\n");
        TandemServer server = new TandemServer(config, ChronicleKeyspace.open(config.databases()));
        try {
            Persistence.FatalLoadError e = assertThrows(Persistence.FatalLoadError.class, server::start);
            assertTrue(e.getMessage().contains("at offset " + end), e.getMessage());
        } finally {
            server.close();
        }
        assertEquals(end + 100 + 14, Files.size(incr(dir)), "nothing cut");
    }

    /**
     * A write that cannot grow the file (the test hook caps it, as a full disk): the reply of the
     * command whose bytes failed still leaves (as Redis under everysec), then writes and PING are
     * refused with MISCONF, reads work, nothing already written is damaged; once the disk has
     * room the pending bytes go out at the next flush and writes are accepted again.
     */
    @Test
    void aFullDiskRefusesWritesWithMisconfUntilAWriteSucceeds() throws Exception {
        for (String fsync : new String[] {"everysec", "always"}) {
            Path d = Files.createDirectory(dir.resolve(fsync));
            String digest;
            try (TandemTestServer s = startAof(d, fsync); Client c = connect(s)) {
                load(c, "before:", 200);
                long good = aof(s).incrLength();
                byte[] goodBytes = java.util.Arrays.copyOf(Files.readAllBytes(incr(d)), (int) good);
                aof(s).limitIncrForTesting(good);
                assertEquals("OK", str(c.call("SET", "b", "2")));
                assertEquals("err", info(c, "aof_last_write_status"));
                RedisError e = assertThrows(RedisError.class, () -> c.call("SET", "c", "3"));
                assertEquals("MISCONF Errors writing to the AOF file: No space left on device", e.getMessage());
                e = assertThrows(RedisError.class, () -> c.call("PING"));
                assertTrue(e.getMessage().startsWith("MISCONF"), e.getMessage());
                assertEquals("2", str(c.call("GET", "b")));
                assertEquals(0L, c.call("EXISTS", "c"));
                assertEquals(good, aof(s).incrLength());
                assertArrayEquals(goodBytes, java.util.Arrays.copyOf(Files.readAllBytes(incr(d)), (int) good), "written data intact");
                assertTrue(logged("Error writing to the AOF file: No space left on device"));

                aof(s).limitIncrForTesting(Long.MAX_VALUE);
                assertEquals("2", str(c.call("GET", "b"))); // the batch's flush retries the pending bytes
                assertEquals("ok", info(c, "aof_last_write_status"));
                assertTrue(logged("AOF write error looks solved, Redis can write again."));
                assertEquals("OK", str(c.call("SET", "c", "3")));
                digest = str(c.call("DEBUG", "DIGEST"));
            }
            redisCheckAof(d);
            try (TandemTestServer s = startAof(d, fsync); Client c = connect(s)) {
                assertEquals(digest, str(c.call("DEBUG", "DIGEST")), fsync);
                assertEquals("2", str(c.call("GET", "b")));
                assertEquals("3", str(c.call("GET", "c")));
            }
        }
    }

    @Test
    void rewriteSwitchesIncrFilesEachCutToItsData() throws Exception {
        String digest;
        try (TandemTestServer s = startAof(dir, "everysec"); Client c = connect(s)) {
            load(c, "one:", 500);
            assertEquals("Background append only file rewriting started", str(c.call("BGREWRITEAOF")));
            load(c, "two:", 500);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!info(c, "aof_rewrite_in_progress").equals("0")) {
                assertTrue(System.nanoTime() < deadline, "rewrite did not finish");
                Thread.sleep(10);
            }
            assertEquals("ok", info(c, "aof_last_bgrewrite_status"));
            Path second = dir.resolve("appendonlydir").resolve("appendonly.aof.2.incr.aof");
            assertTrue(Files.size(second) % W == 0 && endsInZero(second), "the new incr file is mapped");
            assertEquals(aof(s).baseSize() + aof(s).incrLength(), Long.parseLong(info(c, "aof_current_size")));
            digest = str(c.call("DEBUG", "DIGEST"));
        }
        redisCheckAof(dir);
        try (TandemTestServer s = startAof(dir, "everysec"); Client c = connect(s)) {
            assertEquals(digest, str(c.call("DEBUG", "DIGEST")));
        }
    }
}
