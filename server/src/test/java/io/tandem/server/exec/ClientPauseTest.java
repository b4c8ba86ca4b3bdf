package io.tandem.server.exec;

import io.tandem.server.testing.RawConnection;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CLIENT PAUSE WRITE|ALL / UNPAUSE over sockets: held commands wait, in order, and are not refused. */
class ClientPauseTest {
    static TandemTestServer server;

    @BeforeAll
    static void start() {
        server = TandemTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String cmd(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        return sb.toString();
    }

    private static String line(RawConnection c, String... args) throws IOException {
        c.send(cmd(args));
        return c.readLine();
    }

    @Test
    void pauseWriteHoldsWritesButNotReads() throws Exception {
        try (RawConnection admin = new RawConnection(server.port());
             RawConnection w = new RawConnection(server.port());
             RawConnection r = new RawConnection(server.port())) {
            line(w, "SET", "pw", "old");
            assertEquals("+OK\r\n", line(admin, "CLIENT", "PAUSE", "400", "WRITE"));
            long t0 = System.nanoTime();
            w.send(cmd("SET", "pw", "new") + cmd("GET", "pw"));
            assertEquals("$3\r\n", line(r, "GET", "pw"));
            assertEquals("old\r\n", r.readLine());
            String header = line(r, "INFO", "clients");
            String info = r.read(Integer.parseInt(header.substring(1).trim()) + 2);
            assertTrue(info.contains("blocked_clients:1"), info);
            assertEquals("+PONG\r\n", line(r, "PING"));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 350, "reads must not wait");
            assertEquals("+OK\r\n", w.readLine());
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited >= 350, "the write ran after " + waited + " ms");
            assertEquals("$3\r\n", w.readLine());
            assertEquals("new\r\n", w.readLine());
        }
    }

    @Test
    void pauseAllHoldsEveryCommandEvenUnpause() throws Exception {
        try (RawConnection admin = new RawConnection(server.port()); RawConnection c = new RawConnection(server.port())) {
            assertEquals("+OK\r\n", line(admin, "CLIENT", "PAUSE", "300", "ALL"));
            long t0 = System.nanoTime();
            // As in Redis 7.0, under ALL even CLIENT UNPAUSE waits for the pause to end.
            assertEquals("+OK\r\n", line(c, "CLIENT", "UNPAUSE"));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited >= 250, "waited " + waited + " ms");
            assertEquals("+PONG\r\n", line(admin, "PING"));
        }
    }

    @Test
    void unpauseReleasesHeldWritesInOrder() throws Exception {
        try (RawConnection admin = new RawConnection(server.port()); RawConnection c = new RawConnection(server.port())) {
            assertEquals("+OK\r\n", line(admin, "CLIENT", "PAUSE", "20000", "WRITE"));
            long t0 = System.nanoTime();
            c.send(cmd("SET", "pu", "1") + cmd("INCR", "pu") + cmd("PING"));
            Thread.sleep(100);
            assertEquals("+OK\r\n", line(admin, "CLIENT", "UNPAUSE"));
            assertEquals("+OK\r\n", c.readLine());
            assertEquals(":2\r\n", c.readLine());
            assertEquals("+PONG\r\n", c.readLine());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000);
        }
    }
}
