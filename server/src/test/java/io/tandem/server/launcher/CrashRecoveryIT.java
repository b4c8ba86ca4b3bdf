package io.tandem.server.launcher;

import io.tandem.server.testing.RedisTools;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code appendfsync always}: the server is SIGKILLed at random moments while a client writes,
 * over several cycles on the same data directory; after each restart every write whose reply the
 * client received is there (the reply is released only once the AOF is on disk).
 *
 * <p>The incr file is written through mmap'd windows, one page here so every life crosses several:
 * a kill leaves the file window-aligned with a zero tail, which the next start cuts (and says so
 * in one log line) before loading and appending. After the final SHUTDOWN the file is exactly
 * its data and passes redis-check-aof.
 */
class CrashRecoveryIT {
    static final Path ROOT = Path.of(System.getProperty("tandem.project.root", "..")).toAbsolutePath().normalize();
    static final int WINDOW = 4096;

    @TempDir
    Path dir;
    private Process server;

    @AfterEach
    void kill() {
        if (server != null) server.destroyForcibly();
    }

    private int start(Path log) throws Exception {
        int port = TandemTestServer.freePort();
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("bin/tandem-server").toString(), "--port", Integer.toString(port),
                "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--logfile", log.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile());
        pb.environment().put("TANDEM_JAVA_OPTS", "-Dtandem.aof.mapWindow=" + WINDOW);
        server = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("Ready to accept connections")) return port;
            assertTrue(server.isAlive(), () -> "server exited: " + read(log));
            Thread.sleep(50);
        }
        throw new AssertionError("not ready: " + read(log));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "(no log)";
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** The last incr file the manifest names (the one being appended to). */
    private Path lastIncr() throws Exception {
        Path aofDir = dir.resolve("appendonlydir");
        String name = null;
        for (String line : Files.readAllLines(aofDir.resolve("appendonly.aof.manifest"))) {
            if (line.endsWith("type i")) name = line.split(" ")[1];
        }
        return aofDir.resolve(name);
    }

    /** Window-aligned and ending in a zero byte: what a process killed with the file mapped leaves. */
    private static boolean zeroTail(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        return b.length > 0 && b.length % WINDOW == 0 && b[b.length - 1] == 0;
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        RedisTools.require("redis-server"); // CI installs the Redis packages; locally a missing one skips
        Random rnd = new Random(System.nanoTime());
        List<Integer> acked = new ArrayList<>();
        long ackedIncr = 0;
        boolean inflightIncr = false;
        int next = 0;
        boolean tailLeft = false;
        int tailsCut = 0;
        for (int cycle = 0; cycle < 4; cycle++) {
            Path log = dir.resolve("tandem-" + cycle + ".log");
            int port = start(log);
            boolean cut = read(log).contains("removed its zero-filled tail");
            assertEquals(tailLeft, cut, "cycle " + cycle + ": the zero tail left by the kill is cut at start, and only then");
            if (cut) tailsCut++;
            try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
                // Everything acknowledged in earlier lives is still there; an INCR in flight at the kill may
                // have reached the disk without its reply (allowed), and is then durable from here on.
                long counter = j.get("counter") == null ? 0 : Long.parseLong(j.get("counter"));
                assertTrue(counter == ackedIncr || (inflightIncr && counter == ackedIncr + 1),
                        "cycle " + cycle + ": counter " + counter + ", acknowledged " + ackedIncr);
                ackedIncr = counter;
                inflightIncr = false;
                for (int i : acked) assertEquals("value-" + i, j.get("key:" + i), "key:" + i + " lost, cycle " + cycle);
                long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150 + rnd.nextInt(600));
                Thread killer = new Thread(() -> {
                    while (System.nanoTime() < killAt) Thread.onSpinWait();
                    try {
                        new ProcessBuilder("kill", "-9", Long.toString(server.pid())).start().waitFor();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                killer.start();
                try {
                    while (true) {
                        int i = next++;
                        if ("OK".equals(j.set("key:" + i, "value-" + i))) acked.add(i);
                        inflightIncr = true;
                        j.incr("counter");
                        inflightIncr = false;
                        ackedIncr++;
                    }
                } catch (Exception connectionLost) {
                    // the kill: the last write may or may not have reached the disk, but was not acknowledged
                }
                killer.join();
            }
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, server.exitValue(), "killed by SIGKILL");
            tailLeft = zeroTail(lastIncr());
        }
        // Final life: the counter may include one unacknowledged INCR (sent, applied, reply lost).
        int port = start(dir.resolve("tandem-final.log"));
        if (tailLeft) tailsCut++;
        assertEquals(tailLeft, read(dir.resolve("tandem-final.log")).contains("removed its zero-filled tail"));
        assertTrue(tailsCut > 0, "the kills left zero tails to cut");
        try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
            long counter = Long.parseLong(j.get("counter"));
            assertTrue(counter == ackedIncr || (inflightIncr && counter == ackedIncr + 1), counter + " vs acknowledged " + ackedIncr);
            for (int i : acked) assertEquals("value-" + i, j.get("key:" + i));
            assertTrue(acked.size() > 100, "the load wrote something: " + acked.size());
            j.shutdown();
        } catch (Exception closedByShutdown) {
            // SHUTDOWN closes the connection
        }
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, server.exitValue(), "clean SHUTDOWN");
        assertTrue(!zeroTail(lastIncr()), "a clean close cuts the file to its data");
        Path check = RedisTools.require("redis-check-aof");
        Process p = new ProcessBuilder(check.toString(), dir.resolve("appendonlydir").resolve("appendonly.aof.manifest").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("is valid"), out);
    }
}
