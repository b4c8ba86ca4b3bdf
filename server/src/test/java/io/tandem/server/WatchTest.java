package io.tandem.server;

import io.tandem.server.testing.RawConnection;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.tandem.server.RawResp.call;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** WATCH / UNWATCH / MULTI / EXEC / DISCARD over sockets, as Redis 7.0's multi.c. */
class WatchTest {
    static TandemTestServer server;

    @BeforeAll
    static void start() {
        server = TandemTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawConnection conn() throws Exception {
        return new RawConnection(server.port());
    }

    /** MULTI; GET key; EXEC — returns EXEC's reply. */
    private static String execGet(RawConnection c, String key) throws Exception {
        assertEquals("+OK\r\n", call(c, "MULTI"));
        assertEquals("+QUEUED\r\n", call(c, "GET", key));
        return call(c, "EXEC");
    }

    @Test
    void writeByAnotherClientAbortsExec() throws Exception {
        try (RawConnection a = conn(); RawConnection b = conn()) {
            call(b, "SET", "w1", "0");
            assertEquals("+OK\r\n", call(a, "WATCH", "w1", "w1-other"));
            assertEquals("+OK\r\n", call(b, "SET", "w1", "1"));
            assertEquals("*-1\r\n", execGet(a, "w1"));
            // The watch is gone after EXEC: the next transaction runs.
            assertEquals("*1\r\n$1\r\n1\r\n", execGet(a, "w1"));
        }
    }

    @Test
    void readsAndUnchangedWritesDoNotAbort() throws Exception {
        try (RawConnection a = conn(); RawConnection b = conn()) {
            call(b, "SET", "w2", "v");
            call(a, "WATCH", "w2");
            call(b, "GET", "w2");
            call(b, "EXISTS", "w2");
            call(b, "DEL", "w2-unrelated"); // a write that changed nothing
            assertEquals("*1\r\n$1\r\nv\r\n", execGet(a, "w2"));
        }
    }

    @Test
    void unwatchAndDiscardForgetWatches() throws Exception {
        try (RawConnection a = conn(); RawConnection b = conn()) {
            call(a, "WATCH", "w3");
            call(b, "SET", "w3", "x");
            assertEquals("+OK\r\n", call(a, "UNWATCH"));
            assertEquals("*1\r\n$1\r\nx\r\n", execGet(a, "w3"));
            call(a, "WATCH", "w3");
            call(a, "MULTI");
            assertEquals("+OK\r\n", call(a, "DISCARD"));
            call(b, "SET", "w3", "y");
            assertEquals("*1\r\n$1\r\ny\r\n", execGet(a, "w3"));
        }
    }

    @Test
    void watchInsideMultiAndExecAbort() throws Exception {
        try (RawConnection a = conn()) {
            call(a, "MULTI");
            assertEquals("-ERR WATCH inside MULTI is not allowed\r\n", call(a, "WATCH", "x"));
            assertEquals("+QUEUED\r\n", call(a, "SET", "w4", "1"));
            assertEquals("*1\r\n+OK\r\n", call(a, "EXEC"));
            call(a, "MULTI");
            assertEquals("-ERR wrong number of arguments for 'get' command\r\n", call(a, "GET"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", call(a, "EXEC"));
            assertEquals("-ERR EXEC without MULTI\r\n", call(a, "EXEC"));
            assertEquals("-ERR DISCARD without MULTI\r\n", call(a, "DISCARD"));
        }
    }

    @Test
    void expiryAfterWatchAborts() throws Exception {
        try (RawConnection a = conn(); RawConnection b = conn()) {
            call(b, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
            try {
                call(b, "SET", "w5", "v", "PX", "50");
                call(a, "WATCH", "w5");
                Thread.sleep(80);
                // Nobody touched it, it just expired (Redis 7.0's isWatchedKeyExpired).
                assertEquals("*-1\r\n", execGet(a, "w5"));
                // Already expired at WATCH time: not a change.
                call(b, "SET", "w5b", "v", "PX", "1");
                Thread.sleep(10);
                call(a, "WATCH", "w5b");
                assertEquals("*1\r\n$-1\r\n", execGet(a, "w5b"));
            } finally {
                call(b, "DEBUG", "SET-ACTIVE-EXPIRE", "1");
            }
        }
    }

    @Test
    void activeExpiryAborts() throws Exception {
        try (RawConnection a = conn(); RawConnection b = conn()) {
            call(b, "SET", "w6", "v", "PX", "20");
            call(a, "WATCH", "w6");
            Thread.sleep(400); // active expiry at hz 10 deletes it; nobody reads it
            assertEquals("*-1\r\n", execGet(a, "w6"));
        }
    }

    @Test
    void flushAbortsOnlyWhenTheKeyExisted() throws Exception {
        try (RawConnection a = conn(); RawConnection b = conn()) {
            call(a, "SELECT", "3");
            call(b, "SELECT", "3");
            call(a, "WATCH", "w7-missing");
            call(b, "FLUSHDB");
            assertEquals("*1\r\n$-1\r\n", execGet(a, "w7-missing"));
            call(b, "SET", "w7", "v");
            call(a, "WATCH", "w7");
            call(b, "FLUSHALL");
            assertEquals("*-1\r\n", execGet(a, "w7"));
            // A flush of another database leaves it alone.
            call(b, "SET", "w7", "v");
            call(a, "WATCH", "w7");
            call(b, "SELECT", "4");
            call(b, "FLUSHDB");
            assertEquals("*1\r\n$1\r\nv\r\n", execGet(a, "w7"));
        }
    }

    /** SWAPDB reports both databases as flushed after the swap (the keys engineer's SWAPDB does so). */
    @Test
    void swapAbortsWhenTheKeyExistsOnEitherSide() throws Exception {
        Server s = server.server().server();
        try (RawConnection a = conn(); RawConnection b = conn()) {
            call(a, "SELECT", "5");
            call(b, "SELECT", "6");
            call(b, "SET", "w8", "in6");
            call(a, "WATCH", "w8", "w8-nowhere");
            swap(s, 5, 6);
            assertEquals("*-1\r\n", execGet(a, "w8"));
            call(a, "WATCH", "w8-nowhere");
            swap(s, 5, 6);
            assertEquals("*1\r\n$-1\r\n", execGet(a, "w8-nowhere"));
            call(a, "FLUSHALL");
        }
    }

    private static void swap(Server s, int x, int y) throws Exception {
        s.executor().call(() -> {
            s.keyspace().swap(x, y);
            s.flushed(x);
            s.flushed(y);
            return null;
        });
    }

    @Test
    void disconnectForgetsWatches() throws Exception {
        Server s = server.server().server();
        RawConnection a = conn();
        call(a, "WATCH", "w9");
        a.close();
        for (int i = 0; i < 100 && s.executor().call(() -> s.watches().watchedKeyCount()) > 0; i++) Thread.sleep(10);
        assertEquals(0, s.executor().call(() -> s.watches().watchedKeyCount()));
    }
}
