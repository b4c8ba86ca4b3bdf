package io.tandem.perf;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real redis-server on a free loopback port, for the duration of a test class. */
final class RedisServer implements AutoCloseable {
    static final String BINARY = "/usr/bin/redis-server";

    final int port;
    private final Process process;
    private final Path dir;

    private RedisServer(int port, Process process, Path dir) {
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    /** Skips the test when redis-server is missing, except on CI (CI=true), where that fails. */
    static void assumeAvailable() {
        boolean present = new File(BINARY).canExecute();
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(BINARY + " is missing on CI: install redis-server");
        }
        Assumptions.assumeTrue(present, BINARY + " is not installed");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static RedisServer start(String... extra) throws Exception {
        assumeAvailable();
        int port = freePort();
        Path dir = Files.createTempDirectory("tandem-bench-redis");
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--enable-debug-command", "yes", "--dir", dir.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisServer server = new RedisServer(port, p, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (BlockingClient c = new BlockingClient("127.0.0.1", port, 500)) {
                c.call("PING");
                return server;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
