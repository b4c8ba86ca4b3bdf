package io.tandem.server.net;

import io.tandem.server.testing.RawConnection;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's protocol behaviour over a real socket: Redis's exact error texts for malformed
 * requests (then the connection closes), inline commands, deep pipelines, limits.
 */
class ProtocolTest {
    static TandemTestServer server;

    @BeforeAll
    static void start() {
        server = TandemTestServer.start(Map.of("proto-max-bulk-len", "1048576"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertProtocolError(String request, String error) throws Exception {
        try (RawConnection c = new RawConnection(server.port())) {
            c.send(request);
            assertEquals("-ERR Protocol error: " + error + "\r\n", c.readLine());
            assertTrue(c.closedByServer(), "connection must be closed after a protocol error");
        }
    }

    @Test
    void malformedRequestsGetRedisErrorsAndAClose() throws Exception {
        assertProtocolError("*3000000000\r\n", "invalid multibulk length");
        assertProtocolError("*1\r\n$-10\r\n", "invalid bulk length");
        assertProtocolError("*1\r\nfoo\r\n", "expected '$', got 'f'");
        assertProtocolError("SET k \"unterminated\r\n", "unbalanced quotes in request");
        assertProtocolError("*1\r\n$2000000\r\n", "invalid bulk length"); // above proto-max-bulk-len
    }

    @Test
    void repliesBeforeAProtocolErrorAreStillSent() throws Exception {
        try (RawConnection c = new RawConnection(server.port())) {
            c.send("*1\r\n$4\r\nPING\r\n*1\r\nx\r\n");
            assertEquals("+PONG\r\n", c.readLine());
            assertEquals("-ERR Protocol error: expected '$', got 'x'\r\n", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void inlineCommandsLikeTelnet() throws Exception {
        try (RawConnection c = new RawConnection(server.port())) {
            c.send("SET inline \"hello world\"\r\n");
            assertEquals("+OK\r\n", c.readLine());
            c.send("GET inline\n");
            assertEquals("$11\r\n", c.readLine());
            assertEquals("hello world\r\n", c.readLine());
        }
    }

    @Test
    void unknownCommandAndArityErrorsKeepTheConnection() throws Exception {
        try (RawConnection c = new RawConnection(server.port())) {
            c.send("*3\r\n$6\r\nNOSUCH\r\n$1\r\na\r\n$1\r\nb\r\n");
            assertEquals("-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n", c.readLine());
            c.send("*1\r\n$3\r\nGET\r\n");
            assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.readLine());
            c.send("PING\r\n");
            assertEquals("+PONG\r\n", c.readLine());
        }
    }

    @Test
    void deepPipelineKeepsOrder() throws Exception {
        int n = 20_000;
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            String v = Integer.toString(i);
            req.writeBytes(("*2\r\n$4\r\nECHO\r\n$" + v.length() + "\r\n" + v + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        try (RawConnection c = new RawConnection(server.port())) {
            c.send(req.toByteArray());
            for (int i = 0; i < n; i++) {
                String v = Integer.toString(i);
                assertEquals("$" + v.length() + "\r\n", c.readLine());
                assertEquals(v + "\r\n", c.readLine());
            }
        }
    }

    @Test
    void maxclientsRefusesWithRedisError() throws Exception {
        RawConnection[] conns = new RawConnection[5];
        try (TandemTestServer small = TandemTestServer.start(Map.of("maxclients", "5"))) {
            for (int i = 0; i < conns.length; i++) {
                conns[i] = new RawConnection(small.port());
                conns[i].send("PING\r\n");
                assertEquals("+PONG\r\n", conns[i].readLine());
            }
            try (RawConnection extra = new RawConnection(small.port())) {
                assertEquals("-ERR max number of clients reached\r\n", extra.readLine());
                assertTrue(extra.closedByServer());
            }
        } finally {
            for (RawConnection c : conns) if (c != null) c.close();
        }
    }
}
