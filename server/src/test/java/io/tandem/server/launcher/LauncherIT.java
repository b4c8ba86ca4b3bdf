package io.tandem.server.launcher;

import io.tandem.server.testing.RedisTools;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/tandem-server} started exactly as a user starts it (after {@code package}, so the
 * launcher finds the jar): redis-server's command line, startup log lines that harnesses grep,
 * pidfile, signals, SHUTDOWN, daemonize, a port in use, bad configuration.
 */
class LauncherIT {
    static final Path ROOT = Path.of(System.getProperty("tandem.project.root", "..")).toAbsolutePath().normalize();
    static final Path LAUNCHER = ROOT.resolve("bin/tandem-server");

    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : started) p.destroyForcibly();
    }

    private Process launch(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static String waitForLog(Path log, String needle, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (s.contains(needle)) return s;
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + needle + "' in log:\n" + (Files.exists(log) ? Files.readString(log) : "(none)"));
    }

    private static String cli(int port, String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "redis-cli";
        cmd[1] = "-p";
        cmd[2] = Integer.toString(port);
        System.arraycopy(args, 0, cmd, 3, args.length);
        return RedisTools.run(null, 30, cmd).out().trim();
    }

    @Test
    void startsWithTheSampleConfigAndStopsOnSigterm() throws Exception {
        RedisTools.require("redis-cli");
        int port = TandemTestServer.freePort();
        Path log = dir.resolve("out.log");
        Path pidfile = dir.resolve("tandem.pid");
        Process p = launch(log, ROOT.resolve("conf/tandem.conf").toString(), "--port", Integer.toString(port),
                "--dir", dir.toString(), "--pidfile", pidfile.toString(), "--logfile", "", "--save", "");
        String out = waitForLog(log, "Ready to accept connections", 90);
        Matcher m = Pattern.compile("PID: (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        long pid = Long.parseLong(m.group(1));
        assertEquals(p.pid(), pid, "the launcher must exec the JVM: the process id is the server's");
        assertTrue(out.matches("(?s).*\\d+:M \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\* Ready to accept connections.*"), out);
        assertEquals(Long.toString(pid), Files.readString(pidfile).trim());
        assertEquals("PONG", cli(port, "PING"));
        assertTrue(cli(port, "INFO", "server").contains("process_id:" + pid));
        assertEquals("port\n" + port, cli(port, "CONFIG", "GET", "port"));
        assertTrue(cli(port, "INFO", "server").contains("config_file:" + ROOT.resolve("conf/tandem.conf")));

        new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "SIGTERM must stop the server");
        assertEquals(0, p.exitValue());
        String end = Files.readString(log);
        assertTrue(end.contains("Received SIGTERM scheduling shutdown..."), end);
        assertTrue(end.contains("ready to exit, bye bye..."), end);
        assertFalse(Files.exists(pidfile), "pidfile removed on shutdown");
    }

    @Test
    void configFromStdinAndShutdownCommand() throws Exception {
        RedisTools.require("redis-cli");
        int port = TandemTestServer.freePort();
        Path log = dir.resolve("out.log");
        List<String> cmd = List.of(LAUNCHER.toString(), "-", "--save", "");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        p.getOutputStream().write(("port " + port + "\nmaxclients 77\n").getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        waitForLog(log, "Ready to accept connections", 90);
        assertEquals("maxclients\n77", cli(port, "CONFIG", "GET", "maxclients"));
        cli(port, "SHUTDOWN", "NOSAVE");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "SHUTDOWN must stop the server");
        assertEquals(0, p.exitValue());
    }

    @Test
    void portInUseIsReportedAndExitsNonZero() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Path log = dir.resolve("out.log");
            Process p = launch(log, "--port", Integer.toString(taken.getLocalPort()), "--bind", "0.0.0.0", "--save", "");
            assertTrue(p.waitFor(90, TimeUnit.SECONDS));
            assertNotEquals(0, p.exitValue());
            assertTrue(Files.readString(log).contains("Failed listening on port " + taken.getLocalPort() + " (tcp), aborting"),
                    Files.readString(log));
        }
    }

    @Test
    void badConfigurationStopsTheStartWithRedisReport() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "# a comment\nport 6379\nmaxmemory lots\n");
        Path log = dir.resolve("out.log");
        Process p = launch(log, conf.toString());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        assertEquals("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n"
                + ">>> 'maxmemory lots'\nargument must be a memory value\n", Files.readString(log));
    }

    @Test
    void daemonizeWritesThePidfileOfTheServer() throws Exception {
        RedisTools.require("redis-cli");
        int port = TandemTestServer.freePort();
        Path pidfile = dir.resolve("d.pid");
        Path logfile = dir.resolve("d.log");
        // an empty argument (--save "") before others: the detached child must get every argument
        Process p = launch(dir.resolve("out.log"), "--save", "", "--port", Integer.toString(port), "--daemonize", "yes",
                "--pidfile", pidfile.toString(), "--logfile", logfile.toString());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launching process returns once detached");
        assertEquals(0, p.exitValue());
        waitForLog(logfile, "Ready to accept connections", 90);
        long pid = Long.parseLong(Files.readString(pidfile).trim());
        assertTrue(ProcessHandle.of(pid).isPresent(), "pidfile names the running server");
        assertEquals("PONG", cli(port, "PING"));
        cli(port, "SHUTDOWN");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(100);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(pidfile));
    }

    @Test
    void debianRedisConfWorksAsIs() throws Exception {
        Path etc = Path.of("/etc/redis/redis.conf");
        if (!Files.isReadable(etc)) {
            if ("true".equals(System.getenv("CI"))) throw new AssertionError(etc + " missing: .ci/run installs redis-server");
            org.junit.jupiter.api.Assumptions.abort(etc + " not present (redis-server package not installed)");
        }
        int port = TandemTestServer.freePort();
        Path log = dir.resolve("out.log");
        // As a user would run it next to a system redis: same file, a few directives overridden.
        Process p = launch(log, etc.toString(), "--port", Integer.toString(port), "--daemonize", "no",
                "--dir", dir.toString(), "--logfile", "", "--pidfile", dir.resolve("r.pid").toString(), "--save", "");
        waitForLog(log, "Ready to accept connections", 90);
        assertEquals("PONG", cli(port, "PING"));
        cli(port, "SHUTDOWN", "NOSAVE");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
}
