package io.tandem.server.net;

import io.tandem.server.testing.RedisTools;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tandem driven by the clients people use: redis-cli (incl. --pipe), redis-benchmark and Jedis. */
class ClientInteropTest {
    static TandemTestServer server;

    @BeforeAll
    static void start() {
        server = TandemTestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RedisTools.Result cli(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "redis-cli";
        cmd[1] = "-p";
        cmd[2] = Integer.toString(server.port());
        System.arraycopy(args, 0, cmd, 3, args.length);
        return RedisTools.run(null, 60, cmd);
    }

    @Test
    void redisCliCommands() throws Exception {
        assertEquals("PONG\n", cli("PING").out());
        assertEquals("OK\n", cli("SET", "cli:k", "v1").out());
        assertEquals("v1\n", cli("GET", "cli:k").out());
        assertEquals("(error) ERR value is not an integer or out of range\n", cli("--no-raw", "INCR", "cli:k").out());
        assertTrue(cli("INFO", "server").out().contains("redis_version:7.0.15"));
        assertTrue(cli("--no-raw", "NOSUCHCMD").out().startsWith("(error) ERR unknown command 'NOSUCHCMD'"));
    }

    @Test
    void redisCliPipeOf100kCommands() throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) {
            String k = "pipe:" + i;
            String v = "value-" + i;
            in.writeBytes(("*3\r\n$3\r\nSET\r\n$" + k.length() + "\r\n" + k + "\r\n$" + v.length() + "\r\n" + v + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        RedisTools.Result r = RedisTools.run(in.toByteArray(), 120, "redis-cli", "-p", Integer.toString(server.port()), "--pipe");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("errors: 0, replies: 100000"), r.out());
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertEquals("value-99999", j.get("pipe:99999"));
            assertEquals("value-0", j.get("pipe:0"));
        }
    }

    @Test
    void redisBenchmarkRunsWithoutErrors() throws Exception {
        RedisTools.Result r = RedisTools.run(null, 300, "redis-benchmark", "-p", Integer.toString(server.port()),
                "-n", "10000", "-t", "set,get,incr,mset", "-q", "-c", "20");
        assertEquals(0, r.exit(), r.out() + r.err());
        String out = r.out() + r.err();
        for (String t : new String[] {"SET", "GET", "INCR", "MSET"}) {
            assertTrue(out.contains(t + ": ") || out.contains(t + " (10 keys): "), "no result for " + t + " in " + out);
        }
        assertFalse(out.contains("ERR"), out);
        assertFalse(out.contains("WARNING: Could not fetch server CONFIG"), out);
    }

    @Test
    void jedisStringsExpiryAndErrors() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertEquals("OK", j.set("jedis:k", "v"));
            assertEquals("v", j.get("jedis:k"));
            assertEquals("OK", j.set("jedis:ttl", "v", SetParams.setParams().px(100_000)));
            long ttl = j.pttl("jedis:ttl");
            assertTrue(ttl > 90_000 && ttl <= 100_000, "pttl " + ttl);
            assertEquals(1, j.del("jedis:k"));
            assertNull(j.get("jedis:k"));
            assertEquals(5, j.incrBy("jedis:n", 5));
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.incr("jedis:ttl"));
            assertEquals("ERR value is not an integer or out of range", e.getMessage());
            Pipeline p = j.pipelined();
            for (int i = 0; i < 1000; i++) p.set("jp:" + i, Integer.toString(i));
            p.sync();
            assertEquals("999", j.get("jp:999"));
            assertEquals(Arrays.asList("0", null, "999"), j.mget("jp:0", "nope", "jp:999"));
        }
    }

    @Test
    void hundredMegabyteValue() {
        byte[] big = new byte[100 * 1024 * 1024];
        new Random(7).nextBytes(big);
        byte[] key = "big:100mb".getBytes(StandardCharsets.US_ASCII);
        try (Jedis j = new Jedis("127.0.0.1", server.port(), 60_000)) {
            assertEquals("OK", j.set(key, big));
            assertArrayEquals(big, j.get(key));
            assertEquals(1, j.del(key));
        }
    }

    @Test
    void resp3HelloThroughJedis() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            var hello = j.sendCommand(() -> "HELLO".getBytes(StandardCharsets.US_ASCII), "3");
            assertTrue(hello.toString().length() > 0);
            assertEquals("PONG", j.ping());
        }
    }
}
