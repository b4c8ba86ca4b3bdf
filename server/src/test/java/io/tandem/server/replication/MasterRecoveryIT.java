package io.tandem.server.replication;

import static io.tandem.server.replication.RedisReplicaOfTandemTest.field;
import static io.tandem.server.replication.RedisReplicaOfTandemTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;
import io.tandem.storage.testing.RedisProcess.RedisError;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master that keeps nothing on disk ({@code save ""}, {@code appendonly no}), SIGKILLed and
 * restarted through the real launcher: with {@code master-recover-from-replica yes} it gets its
 * dataset back from a persisting replica and the replicas continue partially; without it (or
 * with every replica gone) it starts empty and the replicas keep their data
 * ({@code replica-refuse-empty-fullsync yes}) instead of copying the emptiness.
 */
class MasterRecoveryIT {
    static final Path ROOT = Path.of(System.getProperty("tandem.project.root", "..")).toAbsolutePath().normalize();
    static final long WAIT_MS = 120_000;

    /** Kept when a test fails: every server's log is in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;
    private final List<Proc> procs = new ArrayList<>();

    @AfterEach
    void killAll() {
        for (Proc p : procs) p.destroy();
    }

    /** One server on a fixed port and directory, started and SIGKILLed as often as needed. */
    final class Proc {
        final String name;
        final int port = TandemTestServer.freePort();
        final Path dir;
        final List<String> args;
        Process process;
        Path log;
        int life;

        Proc(String name, String... args) throws IOException {
            this.name = name;
            this.dir = Files.createDirectory(tmp.resolve(name));
            this.args = List.of(args);
            procs.add(this);
        }

        /** Starts (again) and waits for "Ready to accept connections". */
        Proc start() throws Exception {
            log = dir.resolve(name + "-" + life++ + ".log");
            List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/tandem-server").toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--logfile", log.toString(), "--enable-debug-command", "yes"));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout-" + life + ".log").toFile());
            pb.environment().put("TANDEM_JAVA_OPTS", "-Xmx256m");
            process = pb.start();
            awaitLog("Ready to accept connections");
            return this;
        }

        String log() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return e.toString();
            }
        }

        void awaitLog(String text) throws Exception {
            long deadline = System.currentTimeMillis() + WAIT_MS;
            while (!log().contains(text)) {
                assertTrue(process.isAlive(), () -> name + " exited:\n" + log());
                assertTrue(System.currentTimeMillis() < deadline, () -> name + " never logged '" + text + "':\n" + log());
                Thread.sleep(50);
            }
        }

        Client client() throws IOException {
            return Client.connect("127.0.0.1", port);
        }

        void sigkill() throws Exception {
            new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, process.exitValue(), name + " killed by SIGKILL");
        }

        void destroy() {
            if (process != null) process.destroyForcibly();
        }

        String info(String section, String f) throws Exception {
            try (Client c = client()) {
                return field(text(c.call("INFO", section)), f);
            }
        }

        String call(Object... cmd) throws Exception {
            try (Client c = client()) {
                return text(c.call(cmd));
            }
        }

        String replicaof() {
            return "127.0.0.1 " + port;
        }
    }

    static void await(String what, Proc p, Predicate<Proc> done) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!done.test(p)) {
            assertTrue(System.currentTimeMillis() < deadline, () -> what + " (" + p.name + "):\n" + p.log());
            Thread.sleep(50);
        }
    }

    /** Waits until the replica's link is up at the master's offset, then compares digests. */
    static void awaitInSync(Proc replica, Proc master) throws Exception {
        await("in sync with " + master.name, replica, r -> {
            try {
                String want = master.info("replication", "master_repl_offset");
                return "up".equals(r.info("replication", "master_link_status")) && want.equals(r.info("replication", "master_repl_offset"));
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(master.call("DEBUG", "DIGEST"), replica.call("DEBUG", "DIGEST"), replica.name + " digest");
    }

    static void awaitRecovered(Proc master) throws Exception {
        master.awaitLog("Recovery finished");
        assertEquals("PONG", master.call("PING"));
        assertEquals("0", master.info("persistence", "loading"));
    }

    /** Keys of every type in three databases, then a random load; WAIT for the replicas. */
    static void write(Proc master, int seed, int replicas) throws Exception {
        try (Client c = master.client()) {
            if (seed == 1) RedisReplicaOfTandemTest.populate(c);
            RedisReplicaOfTandemTest.writeLoad(c, new Random(seed), 2000);
            assertEquals((long) replicas, c.call("WAIT", replicas, 0));
        }
    }

    /**
     * A master without persistence, replica A with the AOF (fsync always), replica B with RDB
     * snapshots. No keepalive PING in the stream (its period and the replicas' timeout are an
     * hour): the replicas' offsets then stand exactly where the test's last write left them,
     * so "B is at the offset the master recovers" does not depend on when a PING happened. The
     * backlog holds everything written while B is down.
     */
    private Proc[] masterAndReplicas(String... masterArgs) throws Exception {
        List<String> margs = new ArrayList<>(List.of("--save", "", "--appendonly", "no", "--repl-ping-replica-period", "3600",
                "--repl-backlog-size", "64mb"));
        margs.addAll(List.of(masterArgs));
        Proc m = new Proc("master", margs.toArray(new String[0])).start();
        Proc a = new Proc("replica-a", "--replicaof", m.replicaof(), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                "--repl-timeout", "3600").start();
        Proc b = new Proc("replica-b", "--replicaof", m.replicaof(), "--save", "3600 1", "--repl-timeout", "3600").start();
        return new Proc[] {m, a, b};
    }

    @Test
    void aRestartedMasterRecoversFromItsReplicasWhichContinuePartially() throws Exception {
        // No disk backlog either: known-replicas is then the master's only file.
        Proc[] s = masterAndReplicas("--master-recover-from-replica", "yes", "--repl-backlog-disk", "no");
        Proc m = s[0], a = s[1], b = s[2];
        write(m, 1, 2);
        awaitInSync(a, m);
        awaitInSync(b, m);
        String digest = m.call("DEBUG", "DIGEST");
        String history = m.info("replication", "master_replid");
        assertEquals(List.of("127.0.0.1:" + a.port, "127.0.0.1:" + b.port).stream().sorted().toList(),
                KnownReplicas.read(m.dir), "the master records its replicas, the only file it keeps");
        try (var files = Files.list(m.dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".log") && !n.equals(KnownReplicas.FILE)).toList(), "nothing else on disk");
        }

        m.sigkill();
        String offset = a.info("replication", "master_repl_offset");
        assertEquals(offset, b.info("replication", "master_repl_offset"), "both replicas stopped at the same point");
        m.start();
        awaitRecovered(m);
        String log = m.log();
        assertTrue(log.contains("Recovering the dataset from replica 127.0.0.1:"), log);
        assertTrue(log.contains("Dataset recovered from replica 127.0.0.1:"), log);
        assertEquals(digest, m.call("DEBUG", "DIGEST"), "the master has its dataset back");
        // (Its offset moves on at once: a keepalive PING goes to the replicas as they come back.)
        assertTrue(log.contains(", offset " + offset + "\n"), "recovered at the replicas' offset " + offset + ":\n" + log);
        assertEquals(history, m.info("replication", "master_replid2"), "the old history is kept as replid2");
        awaitInSync(a, m);
        awaitInSync(b, m);
        assertEquals(digest, a.call("DEBUG", "DIGEST"), "replicas kept every key");
        assertEquals("0", m.info("stats", "sync_full"), "no replica needed a full sync");
        assertEquals("2", m.info("stats", "sync_partial_ok"));
        for (Proc r : List.of(a, b)) {
            assertTrue(r.log().contains("Successful partial resynchronization with master"), r.log());
            assertEquals("0", r.info("replication", "master_sync_refused_empty"));
        }

        // And it serves again: new writes reach both replicas.
        write(m, 2, 2);
        awaitInSync(a, m);
        awaitInSync(b, m);
    }

    @Test
    void withOneReplicaDownTheMasterRecoversFromTheOtherAndTheFirstContinuesLater() throws Exception {
        Proc[] s = masterAndReplicas("--master-recover-from-replica", "yes");
        Proc m = s[0], a = s[1], b = s[2];
        write(m, 1, 2);
        awaitInSync(a, m);
        awaitInSync(b, m);
        assertEquals("OK", b.call("SAVE"), "B's RDB names the point it reached");
        String digest = m.call("DEBUG", "DIGEST");

        b.sigkill();
        m.sigkill();
        m.start();
        awaitRecovered(m);
        assertTrue(m.log().contains("Dataset recovered from replica 127.0.0.1:" + a.port), m.log());
        assertEquals(digest, m.call("DEBUG", "DIGEST"));
        awaitInSync(a, m);
        write(m, 3, 1); // written while B is down: B gets them from the backlog

        b.start();
        awaitInSync(b, m);
        assertTrue(b.log().contains("Successful partial resynchronization with master"), b.log() + "\nmaster:\n" + m.log());
        assertEquals("0", m.info("stats", "sync_full"));
        assertEquals("2", m.info("stats", "sync_partial_ok"));
        assertEquals(m.call("DEBUG", "DIGEST"), a.call("DEBUG", "DIGEST"));
    }

    @Test
    void aReplicaRefusesTheEmptyDatasetOfARestartedMasterUnlessToldOtherwise() throws Exception {
        Proc m = new Proc("master", "--save", "", "--appendonly", "no").start();
        Proc a = new Proc("replica-a", "--replicaof", m.replicaof(), "--save", "", "--appendonly", "yes", "--appendfsync", "always").start();
        write(m, 1, 1);
        awaitInSync(a, m);
        String digest = a.call("DEBUG", "DIGEST");
        String keys = a.call("DBSIZE");

        m.sigkill();
        m.start(); // recovery off: empty, with a new history
        await("three refusals", a, r -> {
            try {
                return Long.parseLong(r.info("replication", "master_sync_refused_empty")) >= 3;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(digest, a.call("DEBUG", "DIGEST"), "the replica kept its data");
        assertEquals(keys, a.call("DBSIZE"));
        assertEquals("down", a.info("replication", "master_link_status"));
        String log = a.log();
        assertEquals(1, log.split("REFUSING the full synchronization", -1).length - 1, "warned once per master history:\n" + log);
        assertTrue(log.contains("replica-refuse-empty-fullsync yes"), log);

        // As Redis: told to, the replica copies the empty dataset.
        assertEquals("OK", a.call("CONFIG", "SET", "replica-refuse-empty-fullsync", "no"));
        awaitInSync(a, m);
        assertEquals("0", a.call("DBSIZE"));
    }

    @Test
    void withEveryReplicaGoneTheMasterStartsEmptyAfterTheTimeout() throws Exception {
        Proc m = new Proc("master", "--save", "", "--appendonly", "no", "--master-recover-from-replica", "yes",
                "--master-recover-timeout", "2").start();
        Proc a = new Proc("replica-a", "--replicaof", m.replicaof(), "--save", "", "--appendonly", "yes", "--appendfsync", "always").start();
        write(m, 1, 1);
        awaitInSync(a, m);
        String digest = a.call("DEBUG", "DIGEST");

        a.sigkill();
        m.sigkill();
        m.start();
        m.awaitLog("starts with an EMPTY dataset");
        assertTrue(m.log().contains("Recovery candidate 127.0.0.1:" + a.port + " did not answer"), m.log());
        assertTrue(m.log().contains("No replica gave the dataset back within master-recover-timeout (2 seconds"), m.log());
        assertEquals("PONG", m.call("PING"));
        assertEquals("0", m.call("DBSIZE"));

        // The replica comes back: it keeps its data and says why.
        a.start();
        await("a refusal", a, r -> {
            try {
                return Long.parseLong(r.info("replication", "master_sync_refused_empty")) >= 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(digest, a.call("DEBUG", "DIGEST"));
    }

    /**
     * While recovering, the master answers -LOADING to everything without the loading flag
     * (replicas' PSYNC included) and INFO says loading:1. A candidate that accepts the
     * connection and never answers holds it there; a shorter master-recover-timeout, set with
     * CONFIG SET (allowed while loading), ends it.
     */
    @Test
    void whileRecoveringClientsGetLoading() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Proc m = new Proc("master", "--save", "", "--master-recover-from-replica", "yes",
                    "--master-recover-candidates", "127.0.0.1:" + silent.getLocalPort(), "--master-recover-timeout", "3600").start();
            try (Client c = m.client()) {
                for (Object[] cmd : List.of(new Object[] {"GET", "k"}, new Object[] {"SET", "k", "v"}, new Object[] {"PING"},
                        new Object[] {"PSYNC", "?", "-1"}, new Object[] {"DBSIZE"})) {
                    RedisError e = assertThrows(RedisError.class, () -> c.call(cmd));
                    assertEquals("LOADING Tandem is recovering the dataset from a replica", e.getMessage());
                }
                assertEquals("1", field(text(c.call("INFO", "persistence")), "loading"));
                assertEquals("master", field(text(c.call("INFO", "replication")), "role"));
                assertEquals("OK", text(c.call("CONFIG", "SET", "master-recover-timeout", "1")));
            }
            m.awaitLog("starts with an EMPTY dataset");
            assertEquals("PONG", m.call("PING"));
            assertEquals("0", m.info("persistence", "loading"));
            assertFalse(m.log().contains("Dataset recovered"));
            for (Socket s : held) s.close();
        }
    }
}
