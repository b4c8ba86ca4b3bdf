package io.tandem.server.commands;

import io.tandem.server.testing.RawRespClient;
import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connection and server commands against a real redis-server 7.0 with the same configuration:
 * the raw replies (type, text, RESP2/RESP3 shape) must be identical, byte for byte, where they
 * do not depend on the process (ids, addresses, times are masked).
 */
class ConnectionDifferentialTest {
    static RedisProcess redis;
    static TandemTestServer tandem;
    static RedisProcess redisAuth;
    static TandemTestServer tandemAuth;

    @BeforeAll
    static void start() {
        redis = RedisProcess.start("--enable-debug-command", "yes");
        tandem = TandemTestServer.start();
        redisAuth = RedisProcess.start();
        redisAuth.call("CONFIG", "SET", "requirepass", "s3cret"); // after start: its readiness check PINGs
        tandemAuth = TandemTestServer.start(Map.of("requirepass", "s3cret"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {redis, tandem, redisAuth, tandemAuth}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static byte[][] argv(String line) {
        List<byte[]> out = new ArrayList<>();
        for (String s : line.split(" ")) out.add(s.replace("\\s", " ").replace("<empty>", "").getBytes(StandardCharsets.UTF_8));
        return out.toArray(new byte[0][]);
    }

    private static void compare(int redisPort, int tandemPort, String... script) throws Exception {
        try (RawRespClient r = new RawRespClient("127.0.0.1", redisPort);
             RawRespClient t = new RawRespClient("127.0.0.1", tandemPort)) {
            for (String line : script) {
                String expected = mask(r.call(argv(line)));
                String actual = mask(t.call(argv(line)));
                assertEquals(expected, actual, "reply to: " + line);
            }
        }
    }

    /** Values that differ by process: client ids. */
    private static String mask(String reply) {
        return reply.replaceAll(":\\d{1,6}\r\n(\\$4\r\nmode)", ":ID\r\n$1");
    }

    @Test
    void connectionCommands() throws Exception {
        compare(redis.port(), tandem.port(),
                "PING", "PING hello", "PING a b", "ECHO hi", "ECHO", "SELECT 15", "SELECT 16", "SELECT -1", "SELECT x",
                "SELECT 0", "AUTH x", "AUTH default x", "AUTH a b c", "CLIENT SETNAME my-conn", "CLIENT GETNAME",
                "CLIENT SETNAME bad\\sname", "CLIENT SETNAME <empty>", "CLIENT GETNAME", "CLIENT NOSUCH", "CLIENT",
                "CLIENT REPLY maybe", "CLIENT NO-EVICT maybe", "CLIENT KILL 1.2.3.4:5", "CLIENT KILL ID 0",
                "CLIENT KILL TYPE nosuch x", "CLIENT KILL ID 99999", "CLIENT LIST TYPE nosuch",
                "HELLO 4", "HELLO x", "HELLO 2 FOO", "CONFIG GET maxclients", "CONFIG GET nosuch*",
                "CONFIG SET maxclients abc", "CONFIG SET nosuch 1", "CONFIG SET hz 20 hz 30", "CONFIG",
                "DBSIZE", "FLUSHALL", "FLUSHALL bad", "FLUSHDB ASYNC", "TIME x", "COMMAND GETKEYS get k",
                "COMMAND GETKEYS mset a 1 b 2", "COMMAND GETKEYS ping", "COMMAND GETKEYS nosuch",
                "COMMAND INFO nosuch", "SLOWLOG RESET", "SLOWLOG GET -2", "LATENCY RESET", "MEMORY USAGE nosuch",
                "DEBUG NOSUCH", "OBJECT ENCODING nosuch", "MULTI", "MULTI", "PING", "EXEC", "EXEC", "DISCARD",
                "MULTI", "NOSUCH", "PING", "EXEC", "MULTI", "GET", "EXEC", "MULTI", "SET a 1", "INCR a", "GET a", "EXEC",
                "QUIT");
    }

    @Test
    void resp3Shapes() throws Exception {
        compare(redis.port(), tandem.port(), "HELLO 3 SETNAME x", "PING", "GET nosuch", "CONFIG GET maxclients",
                "COMMAND GETKEYS set k v", "MULTI", "GET nosuch", "EXEC", "HELLO 2");
    }

    @Test
    void authentication() throws Exception {
        compare(redisAuth.port(), tandemAuth.port(),
                "PING", "GET k", "SELECT 1", "HELLO 3", "AUTH wrong", "AUTH default wrong", "AUTH someone s3cret",
                "HELLO 2 AUTH default wrong", "AUTH s3cret", "PING", "AUTH default s3cret", "HELLO 2 AUTH default s3cret SETNAME n",
                "CLIENT GETNAME");
    }

    @Test
    void unauthenticatedHelloAuthSucceedsOnTandemToo() throws Exception {
        try (RawRespClient t = new RawRespClient("127.0.0.1", tandemAuth.port())) {
            assertEquals("-NOAUTH Authentication required.\r\n", t.call(argv("GET k")));
            assertTrue(t.call(argv("HELLO 3 AUTH default s3cret")).startsWith("%7\r\n"));
            assertEquals("_\r\n", t.call(argv("GET k")));
        }
    }
}
