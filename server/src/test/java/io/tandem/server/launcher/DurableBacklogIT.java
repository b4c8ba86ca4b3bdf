package io.tandem.server.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6: the disk backlog lets replicas continue partially after any restart of their master.
 * The master is the real launcher ({@code bin/tandem-server}), killed with SIGKILL under a write
 * load or shut down; the replicas are Tandem servers that keep running and reconnect by
 * themselves. After the restart the master has the same replid (appendfsync always, or the same
 * OS boot), its dataset ends where its backlog ends, and every replica gets {@code +CONTINUE}:
 * {@code sync_full} 0 and {@code sync_partial_ok} counting them in the restarted master's INFO.
 */
class DurableBacklogIT {
    static final Path ROOT = Path.of(System.getProperty("tandem.project.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Process master;
    private int port;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closeables) c.close();
        if (master != null) master.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private void startMaster(String name, String... extra) throws Exception {
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/tandem-server").toString(), "--port", Integer.toString(port),
                "--dir", dir.resolve("master").toString(), "--save", "", "--logfile", log.toString()));
        cmd.addAll(List.of(extra));
        Files.createDirectories(dir.resolve("master"));
        master = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".stdout").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("Ready to accept connections")) return;
            assertTrue(master.isAlive(), () -> "master exited: " + read(log));
            Thread.sleep(50);
        }
        throw new AssertionError("master not ready: " + read(log));
    }

    private void kill9() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(master.pid())).start().waitFor();
        assertTrue(master.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, master.exitValue());
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "(no log)";
        } catch (Exception e) {
            return e.toString();
        }
    }

    private TandemTestServer replica(Map<String, String> extra) {
        Map<String, String> cfg = new HashMap<>(Map.of("replicaof", "127.0.0.1 " + port));
        cfg.putAll(extra);
        TandemTestServer r = TandemTestServer.start(cfg);
        closeables.add(r);
        return r;
    }

    private Client connect(int p) throws Exception {
        Client c = Client.connect("127.0.0.1", p);
        closeables.add(c);
        return c;
    }

    static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    static String field(String info, String name) {
        for (String line : info.split("\r\n")) if (line.startsWith(name + ":")) return line.substring(name.length() + 1);
        return null;
    }

    private static String info(Client c, String section, String name) throws Exception {
        return field(text(c.call("INFO", section)), name);
    }

    /** Waits until the replica's link is up at the master's offset; then digests must match. */
    private static void awaitInSync(Client replica, Client master) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        String want = null;
        String got = null;
        while (System.currentTimeMillis() < deadline) {
            want = info(master, "replication", "master_repl_offset");
            String ri = text(replica.call("INFO", "replication"));
            got = field(ri, "master_repl_offset");
            if ("up".equals(field(ri, "master_link_status")) && want.equals(got)) break;
            Thread.sleep(50);
        }
        assertEquals(want, got, "replica caught up with the master");
        assertEquals(text(master.call("DEBUG", "DIGEST")), text(replica.call("DEBUG", "DIGEST")));
    }

    /** Writes (SET key:i, INCR counter) until stopped or the connection dies; counts acknowledged INCRs. */
    private static Thread writer(int port, AtomicBoolean stop, AtomicLong acked, AtomicBoolean inflight) {
        Thread t = new Thread(() -> {
            try (Client c = Client.connect("127.0.0.1", port)) {
                for (int i = 0; !stop.get(); i++) {
                    c.call("SET", "key:" + (i % 5000), "value-" + i);
                    c.call("SELECT", Integer.toString(i % 3));
                    inflight.set(true);
                    c.call("INCR", "counter");
                    acked.incrementAndGet();
                    inflight.set(false);
                    c.call("SELECT", "0");
                }
            } catch (Exception connectionLost) {
                // the kill
            }
        });
        t.start();
        return t;
    }

    private void masterRestartKeepsReplicasPartial(boolean sigkill, String appendfsync) throws Exception {
        port = TandemTestServer.freePort();
        String[] cfg = {"--appendonly", "yes", "--appendfsync", appendfsync};
        startMaster("master-1", cfg);
        Client m = connect(port);
        TandemTestServer r1 = replica(Map.of());
        TandemTestServer r2 = replica(Map.of());
        Client c1 = connect(r1.port());
        Client c2 = connect(r2.port());
        for (int i = 0; i < 2000; i++) m.call("SET", "pre:" + i, "v" + i);
        awaitInSync(c1, m);
        awaitInSync(c2, m);
        String replid = info(m, "replication", "master_replid");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acked = new AtomicLong();
        AtomicBoolean inflight = new AtomicBoolean();
        Thread w = writer(port, stop, acked, inflight);
        Thread.sleep(1500);
        if (sigkill) {
            kill9(); // under load: the replicas are at various offsets at or below the master's
        } else {
            stop.set(true);
            w.join();
            try {
                m.call("SHUTDOWN");
            } catch (Exception closed) {
                // SHUTDOWN closes the connection
            }
            assertTrue(master.waitFor(30, TimeUnit.SECONDS));
        }
        stop.set(true);
        w.join();
        assertTrue(acked.get() > 100, "the load wrote something: " + acked.get());

        startMaster("master-2", cfg);
        Client m2 = connect(port);
        assertEquals(replid, info(m2, "replication", "master_replid"), () -> "same history after the restart: " + read(dir.resolve("master-2.log")));
        long counter = 0;
        for (int db = 0; db < 3; db++) {
            m2.call("SELECT", Integer.toString(db));
            Object v = m2.call("GET", "counter");
            if (v != null) counter += Long.parseLong(text(v));
        }
        m2.call("SELECT", "0");
        if ("always".equals(appendfsync) || !sigkill) {
            assertTrue(counter == acked.get() || (inflight.get() && counter == acked.get() + 1),
                    "every acknowledged INCR survived: " + counter + " vs " + acked.get());
        }
        m2.call("SET", "after-restart", "x"); // the stream goes on from the recovered point
        awaitInSync(c1, m2);
        awaitInSync(c2, m2);
        assertEquals("0", info(m2, "stats", "sync_full"), "no replica needed a full sync");
        assertEquals("2", info(m2, "stats", "sync_partial_ok"), "both replicas continued");
        assertEquals("x", text(c1.call("GET", "after-restart")));
        String backlog = text(m2.call("DEBUG", "BACKLOG"));
        assertTrue(backlog.contains("replid:" + replid), backlog);
    }

    @Test
    void sigkilledMasterUnderLoadWithAppendfsyncAlways() throws Exception {
        masterRestartKeepsReplicasPartial(true, "always");
    }

    @Test
    void sigkilledMasterWithAppendfsyncEverysecOnTheSameBoot() throws Exception {
        // The documented rule: a process crash keeps what was written into the kernel, and replicas
        // only get bytes after their AOF write, so on the same boot the replid is kept.
        masterRestartKeepsReplicasPartial(true, "everysec");
    }

    @Test
    void masterShutDownCleanly() throws Exception {
        masterRestartKeepsReplicasPartial(false, "everysec");
    }

    /**
     * A replica whose offset fell out of the (small) backlog while it was down full-syncs after
     * the master's restart; the one that stayed continues partially.
     */
    @Test
    void replicaBehindTheTrimmedBacklogFullSyncsOthersContinue() throws Exception {
        port = TandemTestServer.freePort();
        String[] cfg = {"--appendonly", "yes", "--appendfsync", "always", "--repl-backlog-size", "64kb"};
        startMaster("master-1", cfg);
        Client m = connect(port);
        TandemTestServer r1 = replica(Map.of());
        Path r2dir = dir.resolve("r2");
        Files.createDirectories(r2dir);
        Map<String, String> r2cfg = Map.of("dir", r2dir.toString(), "appendonly", "yes");
        TandemTestServer r2 = TandemTestServer.start(withReplicaof(r2cfg));
        Client c1 = connect(r1.port());
        try (Client c2 = Client.connect("127.0.0.1", r2.port())) {
            for (int i = 0; i < 500; i++) m.call("SET", "pre:" + i, "v" + i);
            awaitInSync(c1, m);
            awaitInSync(c2, m);
        }
        r2.close();
        for (int i = 0; i < 3000; i++) m.call("SET", "gap:" + i, "x".repeat(100)); // ~400 KB > 64 KB
        awaitInSync(c1, m);
        kill9();
        startMaster("master-2", cfg);
        Client m2 = connect(port);
        awaitInSync(c1, m2);
        TandemTestServer r2b = TandemTestServer.start(withReplicaof(r2cfg));
        closeables.add(r2b);
        Client c2b = connect(r2b.port());
        awaitInSync(c2b, m2);
        assertEquals("1", info(m2, "stats", "sync_partial_ok"), "the replica that stayed continued");
        assertEquals("1", info(m2, "stats", "sync_full"), "the one behind the trimmed backlog full-synced");
    }

    private Map<String, String> withReplicaof(Map<String, String> cfg) {
        Map<String, String> m = new HashMap<>(cfg);
        m.put("replicaof", "127.0.0.1 " + port);
        return m;
    }

    /**
     * Bad input: a corrupted backlog store is detected at startup, logged, and replaced by an
     * empty one at the dataset's offset; a replica that was behind then gets a full sync of the
     * right data — never a partial resync onto bytes that cannot be vouched for.
     */
    @Test
    void corruptBacklogStoreMeansFullSyncNotWrongHistory() throws Exception {
        port = TandemTestServer.freePort();
        String[] cfg = {"--appendonly", "yes", "--appendfsync", "always"};
        startMaster("master-1", cfg);
        Client m = connect(port);
        Path r1dir = dir.resolve("r1");
        Files.createDirectories(r1dir);
        Map<String, String> r1cfg = withReplicaof(Map.of("dir", r1dir.toString(), "appendonly", "yes"));
        try (TandemTestServer r1 = TandemTestServer.start(r1cfg); Client c1 = Client.connect("127.0.0.1", r1.port())) {
            for (int i = 0; i < 1000; i++) m.call("SET", "k:" + i, "v".repeat(50));
            awaitInSync(c1, m);
        }
        for (int i = 1000; i < 3000; i++) m.call("SET", "k:" + i, "v".repeat(50)); // the replica is behind by these
        kill9();
        Path data = dir.resolve("master/replbacklog/data.mdb");
        assertTrue(Files.exists(data), "the backlog lives under dir");
        corrupt(data);
        startMaster("master-2", cfg);
        Client m2 = connect(port);
        TandemTestServer r1b = TandemTestServer.start(r1cfg);
        closeables.add(r1b);
        Client c1b = connect(r1b.port());
        awaitInSync(c1b, m2);
        assertEquals("1", info(m2, "stats", "sync_full"), "the replica got a full sync");
        assertEquals("0", info(m2, "stats", "sync_partial_ok"));
        assertEquals("3000", text(c1b.call("DBSIZE")));
        String log = read(dir.resolve("master-2.log"));
        assertTrue(log.contains("disk replication backlog") && log.contains("unusable"), log);
    }

    /** Damages the store's data past LMDB's two meta pages. */
    static void corrupt(Path data) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            long len = f.length();
            byte[] junk = new byte[(int) Math.min(len - 8192, 64 * 1024)];
            java.util.Arrays.fill(junk, (byte) 0x5a);
            f.seek(8192);
            f.write(junk);
        }
    }
}
