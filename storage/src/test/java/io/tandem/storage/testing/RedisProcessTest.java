package io.tandem.storage.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisProcessTest {
    @Test
    void startCallPipelineStop() throws Exception {
        Path dir;
        try (RedisProcess redis = RedisProcess.start("--databases", "4")) {
            dir = redis.dir();
            assertTrue(Files.isDirectory(dir));
            assertEquals("PONG", redis.call("PING"));
            assertEquals("OK", redis.call("SET", "k", new byte[] {0, 1, 2}));
            assertArrayEquals(new byte[] {0, 1, 2}, (byte[]) redis.call("GET", "k"));
            assertNull(redis.call("GET", "missing"));
            assertEquals(3L, redis.call("RPUSH", "l", "a", "b", 7));
            assertEquals(List.of("4"), List.of(new String((byte[]) ((List<?>) redis.call("CONFIG", "GET", "databases")).get(1),
                    StandardCharsets.UTF_8)));
            assertThrows(RedisProcess.RedisError.class, () -> redis.call("SELECT", 10));
            List<Object> replies = redis.pipeline(List.of(
                    new Object[] {"INCR", "n"}, new Object[] {"INCR", "k"}, new Object[] {"LRANGE", "l", 0, -1}));
            assertEquals(1L, replies.get(0));
            assertInstanceOf(RedisProcess.RedisError.class, replies.get(1));
            assertEquals(3, ((List<?>) replies.get(2)).size());
            try (RedisProcess.Client c = redis.connect()) {
                assertEquals(1L, c.call("EXISTS", "n"));
            }
        }
        assertFalse(Files.exists(dir), "temp dir removed on close");
    }
}
