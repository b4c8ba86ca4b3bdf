package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * RENAME, MOVE and COPY of collections big enough to live on the heap (by handle), not only of
 * compact ones: the value must arrive whole and the source must be gone (or, for COPY, independent).
 */
class BigValueKeyCommandsTest {
    static TandemTestServer server;

    @BeforeAll
    static void start() {
        server = TandemTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, String> bigHash(Jedis j, String key) {
        Map<String, String> h = new HashMap<>();
        for (int i = 0; i < 2000; i++) h.put("f" + i, "v" + i);
        j.hset(key, h);
        assertEquals("hashtable", j.objectEncoding(key));
        return h;
    }

    @Test
    void renameMovesABigHashWhole() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            j.flushAll();
            Map<String, String> h = bigHash(j, "src");
            assertEquals("OK", j.rename("src", "dst"));
            assertFalse(j.exists("src"));
            assertEquals(h, j.hgetAll("dst"));
            assertEquals(2000, j.hlen("dst"));
        }
    }

    @Test
    void moveCarriesABigListToAnotherDatabase() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            j.flushAll();
            for (int i = 0; i < 3000; i++) j.rpush("l", "e" + i);
            assertEquals(1, j.move("l", 5));
            assertFalse(j.exists("l"));
            j.select(5);
            assertEquals(3000, j.llen("l"));
            assertEquals(List.of("e0", "e1"), j.lrange("l", 0, 1));
            assertEquals("e2999", j.lindex("l", -1));
        }
    }

    @Test
    void copyOfABigHashIsIndependent() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            j.flushAll();
            Map<String, String> h = bigHash(j, "a");
            assertEquals(true, j.copy("a", "b", false));
            j.hset("a", "f0", "changed");
            assertEquals("v0", j.hget("b", "f0"));
            j.del("a");
            assertEquals(h, j.hgetAll("b"));
        }
    }
}
