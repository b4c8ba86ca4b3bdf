package io.tandem.perf;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Unreachable servers, wrong passwords, error replies, servers that close or go silent. */
class BadInputTest {

    @Test
    void badCommandLine() {
        Cli c = Cli.run("-c", "many");
        assertEquals(2, c.status());
        assertTrue(c.err().contains("-c wants a whole number, not 'many'"), c::toString);
        assertEquals(2, Cli.run("-t", "nosuchtest").status());
        assertEquals(2, Cli.run("--key-pattern", "zipf:x").status());
        assertEquals(2, Cli.run("-n", "10", "--duration", "1").status());
        assertEquals(0, Cli.run("--help").status());
    }

    @Test
    void unreachableServer() throws IOException {
        int port = RedisServer.freePort();
        long t0 = System.nanoTime();
        Cli c = Cli.run("-p", Integer.toString(port), "-n", "10", "-q");
        assertEquals(1, c.status(), c::toString);
        assertTrue(c.err().contains("cannot connect to 127.0.0.1:" + port), c::toString);
        assertTrue((System.nanoTime() - t0) < 10e9);
    }

    @Test
    void passwords() throws Exception {
        try (RedisServer redis = RedisServer.start("--requirepass", "secret")) {
            String port = Integer.toString(redis.port);
            Cli wrong = Cli.run("-p", port, "-a", "nope", "-n", "10", "-q");
            assertEquals(1, wrong.status(), wrong::toString);
            assertTrue(wrong.err().contains("authentication to 127.0.0.1:" + port + " failed"), wrong::toString);
            assertTrue(wrong.err().contains("WRONGPASS"), wrong::toString);

            Cli none = Cli.run("-p", port, "-n", "10", "-q");
            assertEquals(1, none.status(), none::toString);
            assertTrue(none.err().contains("requires a password"), none::toString);

            Cli right = Cli.run("-p", port, "-a", "secret", "-n", "500", "-c", "5", "-t", "set", "-q");
            assertEquals(0, right.status(), right::toString);
            assertTrue(right.out().contains("500 requests completed"), right::toString);
        }
    }

    @Test
    void errorRepliesAreCounted() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Cli c = Cli.run("-p", Integer.toString(redis.port), "-n", "300", "-c", "3", "-q",
                    "--", "NOSUCHCOMMAND", "key:__rand_int__");
            assertEquals(0, c.status(), c::toString);
            assertTrue(c.out().contains("300 requests completed"), c::toString);
            assertTrue(c.out().contains(", 300 errors"), c::toString);
            assertTrue(c.out().contains("300 x error reply: -ERR unknown command"), c::toString);
        }
    }

    /** A server that answers a few requests per connection, then hangs up. */
    @Test
    void serverThatClosesConnections() throws Exception {
        try (FakeServer fake = new FakeServer(5, false)) {
            long t0 = System.nanoTime();
            Cli c = Cli.run("-p", Integer.toString(fake.port()), "-c", "4", "--duration", "1.5", "-t", "ping",
                    "-q", "--timeout", "2");
            assertTrue((System.nanoTime() - t0) < 15e9, "took too long");
            assertEquals(0, c.status(), c::toString);
            assertTrue(c.out().contains("connections lost:"), c::toString);
            assertTrue(c.out().contains("lost (closed by the server): requests left unanswered"), c::toString);
            assertFalse(c.out().contains(", 0 errors"), c::toString);
        }
    }

    /** A server that accepts and reads but never answers: the run gives up after --timeout. */
    @Test
    void silentServer() throws Exception {
        try (FakeServer fake = new FakeServer(Integer.MAX_VALUE, true)) {
            long t0 = System.nanoTime();
            Cli c = Cli.run("-p", Integer.toString(fake.port()), "-c", "2", "-n", "100", "-t", "set", "-q",
                    "--timeout", "1");
            assertTrue((System.nanoTime() - t0) < 15e9, "took too long");
            assertEquals(1, c.status(), c::toString);
            assertTrue(c.err().contains("no reply from 127.0.0.1:" + fake.port()), c::toString);
        }
    }

    /** Answers +PONG/+OK per request line count; closes after n replies or stays silent. */
    static final class FakeServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0);
        private final List<Socket> clients = new ArrayList<>();
        private final Thread acceptor;

        FakeServer(int repliesPerConnection, boolean silent) throws IOException {
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        synchronized (clients) {
                            clients.add(s);
                        }
                        Thread t = new Thread(() -> serve(s, repliesPerConnection, silent));
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void serve(Socket s, int n, boolean silent) {
            try (s) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                int answered = 0;
                // The first request of the preflight (PING) is always answered.
                while (true) {
                    int r = in.read(buf);
                    if (r < 0) return;
                    int commands = 0;
                    for (int i = 0; i < r; i++) if (buf[i] == '*') commands++;
                    if (silent && answered > 0) continue;
                    for (int k = 0; k < commands; k++) {
                        s.getOutputStream().write("+PONG\r\n".getBytes());
                        if (++answered >= n) return;
                        if (silent) break;
                    }
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (clients) {
                for (Socket s : clients) s.close();
            }
        }
    }
}
