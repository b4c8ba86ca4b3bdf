package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP through real sockets against the in-process server: a client
 * blocked on a missing key is served by a ZADD (or a Z*STORE) from another connection, waits
 * for a member when a non-zset write touches the key, and times out with fractional timeouts.
 */
class ZSetBlockingTest {
    static TandemTestServer tandem;

    @BeforeAll
    static void start() {
        tandem = TandemTestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        if (tandem != null) tandem.close();
    }

    @BeforeEach
    void flush() throws Exception {
        try (RawResp c = new RawResp(tandem.port())) {
            c.call("FLUSHALL");
        }
    }

    static CompletableFuture<String> async(RawResp conn, String... cmd) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return conn.call(cmd);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Waits until the server reports n clients blocked on keys. */
    static void awaitBlocked(RawResp c, int n) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            if (c.call("INFO", "clients").contains("blocked_clients:" + n + "\r\n")) return;
            Thread.sleep(5);
        }
        throw new AssertionError("clients never blocked");
    }

    @Test
    void bzpopminIsServedByZaddFromAnotherConnection() throws Exception {
        try (RawResp blocked = new RawResp(tandem.port()); RawResp writer = new RawResp(tandem.port())) {
            CompletableFuture<String> reply = async(blocked, "BZPOPMIN", "a", "z", "0");
            awaitBlocked(writer, 1);
            assertEquals(":1\r\n", writer.call("LPUSH", "other", "x"));
            writer.call("SET", "a", "string"); // not a zset: the client keeps waiting
            assertFalse(reply.isDone());
            assertEquals(":2\r\n", writer.call("ZADD", "z", "2", "two", "1.5", "one"));
            assertEquals("*3\r\n$1\r\nz\r\n$3\r\none\r\n$3\r\n1.5\r\n", reply.get(5, TimeUnit.SECONDS));
            assertEquals("*2\r\n$3\r\ntwo\r\n$1\r\n2\r\n", writer.call("ZRANGE", "z", "0", "-1", "WITHSCORES"));
            // the blocked client's connection works normally afterwards
            assertEquals("+PONG\r\n", blocked.call("PING"));
        }
    }

    @Test
    void bzpopmaxAndBzmpopServedInBlockingOrder() throws Exception {
        try (RawResp first = new RawResp(tandem.port()); RawResp second = new RawResp(tandem.port());
                RawResp writer = new RawResp(tandem.port())) {
            CompletableFuture<String> a = async(first, "BZPOPMAX", "z", "0");
            awaitBlocked(writer, 1);
            CompletableFuture<String> b = async(second, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "5");
            awaitBlocked(writer, 2);
            writer.call("ZADD", "src", "1", "a", "2", "b", "3", "c");
            assertEquals(":3\r\n", writer.call("ZUNIONSTORE", "z", "1", "src"));
            assertEquals("*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n", a.get(5, TimeUnit.SECONDS));
            assertEquals("*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", b.get(5, TimeUnit.SECONDS));
            assertEquals(":0\r\n", writer.call("EXISTS", "z"));
        }
    }

    @Test
    void fractionalTimeoutsExpire() throws Exception {
        try (RawResp c = new RawResp(tandem.port())) {
            long t0 = System.nanoTime();
            assertEquals("*-1\r\n", c.call("BZPOPMIN", "nokey", "0.15"));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 140 && ms < 2000, "timed out after " + ms + " ms");
            t0 = System.nanoTime();
            assertEquals("*-1\r\n", c.call("BZMPOP", "0.05", "2", "n1", "n2", "MAX"));
            ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 45 && ms < 2000, "timed out after " + ms + " ms");
            c.call("HELLO", "3");
            assertEquals("_\r\n", c.call("BZPOPMAX", "nokey", "0.01"));
            assertEquals("-ERR timeout is negative\r\n", c.call("BZPOPMIN", "k", "-0.5"));
            assertEquals("-ERR timeout is not a float or out of range\r\n", c.call("BZPOPMIN", "k", "abc"));
            List<String> replies = c.pipeline(List.of(new String[] {"MULTI"}, new String[] {"BZPOPMIN", "nokey", "0"},
                    new String[] {"EXEC"}));
            assertEquals("*1\r\n_\r\n", replies.get(2), "inside MULTI an empty key answers at once");
        }
    }
}
