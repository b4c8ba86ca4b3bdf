package io.tandem.server;

import io.netty.channel.epoll.Epoll;
import io.tandem.server.testing.RawConnection;
import io.tandem.server.testing.RedisTools;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server-level behaviour seen from clients: MONITOR, SLOWLOG, idle timeout, CLIENT LIST/KILL, unix socket, RESET, limits. */
class ServerBehaviourTest {

    @Test
    void monitorShowsCommandsInRedisFormat() throws Exception {
        try (TandemTestServer s = TandemTestServer.start(); RawConnection mon = new RawConnection(s.port());
             Jedis j = new Jedis("127.0.0.1", s.port())) {
            mon.send("MONITOR\r\n");
            assertEquals("+OK\r\n", mon.readLine());
            j.set("mk", "a \"quoted\"\nvalue");
            String line = mon.readLine();
            assertTrue(line.matches("\\+\\d+\\.\\d{6} \\[0 127\\.0\\.0\\.1:\\d+\\] \"SET\" \"mk\" \"a \\\\\"quoted\\\\\"\\\\nvalue\"\r\n"), line);
        }
    }

    @Test
    void slowlogRecordsSlowCommands() {
        try (TandemTestServer s = TandemTestServer.start(Map.of("slowlog-log-slower-than", "0", "slowlog-max-len", "3"));
             Jedis j = new Jedis("127.0.0.1", s.port())) {
            j.slowlogReset();
            for (int i = 0; i < 5; i++) j.set("s" + i, "v");
            assertEquals(3, j.slowlogLen());
            // As in Redis, SLOWLOG LEN itself is logged too (it has no skip_slowlog flag): newest first.
            var entries = j.slowlogGet();
            assertEquals(3, entries.size());
            assertEquals(List.of("SLOWLOG", "LEN"), entries.get(0).getArgs());
            assertEquals(List.of("SET", "s4", "v"), entries.get(1).getArgs());
            assertEquals(List.of("SET", "s3", "v"), entries.get(2).getArgs());
            assertTrue(entries.get(0).getId() > entries.get(1).getId());
            j.configSet("slowlog-log-slower-than", "-1");
            j.slowlogReset();
            j.set("x", "y");
            assertEquals(0, j.slowlogLen());
        }
    }

    @Test
    void idleClientsAreClosedAfterTimeout() throws Exception {
        try (TandemTestServer s = TandemTestServer.start(Map.of("timeout", "1")); RawConnection c = new RawConnection(s.port())) {
            c.send("PING\r\n");
            assertEquals("+PONG\r\n", c.readLine());
            Thread.sleep(2500);
            assertTrue(c.closedByServer(), "an idle client is closed after 'timeout' seconds");
        }
    }

    @Test
    void clientListAndKill() throws Exception {
        try (TandemTestServer s = TandemTestServer.start(); Jedis a = new Jedis("127.0.0.1", s.port());
             RawConnection b = new RawConnection(s.port())) {
            b.send("CLIENT SETNAME victim\r\n");
            assertEquals("+OK\r\n", b.readLine());
            a.clientSetname("me");
            String list = a.clientList();
            assertTrue(list.matches("(?s)id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ fd=\\d+ name=\\S* age=\\d+ idle=\\d+ flags=N db=0 .*"), list);
            assertTrue(list.contains("name=victim") && list.contains("name=me") && list.contains("cmd=client|list"), list);
            String victim = list.lines().filter(l -> l.contains("name=victim")).findFirst().orElseThrow();
            String addr = victim.replaceAll(".* addr=(\\S+) .*", "$1");
            assertEquals("OK", a.clientKill(addr));
            assertTrue(b.closedByServer());
            assertEquals("ERR No such client", assertThrows(() -> a.clientKill(addr)));
        }
    }

    private static String assertThrows(Runnable r) {
        try {
            r.run();
        } catch (Exception e) {
            return e.getMessage();
        }
        throw new AssertionError("no error");
    }

    @Test
    void unixSocket(@TempDir Path dir) throws Exception {
        if (!Epoll.isAvailable()) return; // unix sockets need the native transport; NIO-only platforms skip
        Path sock = dir.resolve("tandem.sock");
        try (TandemTestServer s = TandemTestServer.start(Map.of("unixsocket", sock.toString()))) {
            RedisTools.Result r = RedisTools.run(null, 30, "redis-cli", "-s", sock.toString(), "PING");
            assertEquals("PONG\n", r.out());
        }
    }

    @Test
    void resetReturnsTheConnectionToItsInitialState() throws Exception {
        try (TandemTestServer s = TandemTestServer.start(); RawConnection c = new RawConnection(s.port())) {
            c.send("SELECT 3\r\nCLIENT SETNAME n\r\nMULTI\r\nRESET\r\nCLIENT GETNAME\r\nCLIENT INFO\r\n");
            assertEquals("+OK\r\n", c.readLine());
            assertEquals("+OK\r\n", c.readLine());
            assertEquals("+OK\r\n", c.readLine());
            assertEquals("+RESET\r\n", c.readLine());
            assertEquals("$-1\r\n", c.readLine());
            c.readLine();
            String info = c.readLine();
            assertTrue(info.contains(" db=0 ") && info.contains(" multi=-1 "), info);
        }
    }

    @Test
    void debugChangeReplIdGivesANewHistory() {
        try (TandemTestServer s = TandemTestServer.start(); Jedis j = new Jedis("127.0.0.1", s.port())) {
            String before = j.info("replication").replaceAll("(?s).*master_replid:(\\w+).*", "$1");
            assertTrue(before.matches("[0-9a-f]{40}"), before);
            Object reply = j.sendCommand(() -> "DEBUG".getBytes(), "CHANGE-REPL-ID");
            assertEquals("OK", new String((byte[]) reply));
            String after = j.info("replication").replaceAll("(?s).*master_replid:(\\w+).*", "$1");
            assertTrue(after.matches("[0-9a-f]{40}") && !after.equals(before), before + " " + after);
        }
    }

    @Test
    void queryBufferLimitClosesTheClient() throws Exception {
        try (TandemTestServer s = TandemTestServer.start(Map.of("client-query-buffer-limit", "1mb"));
             RawConnection c = new RawConnection(s.port())) {
            c.send("*2\r\n$3\r\nSET\r\n$10000000\r\n");
            c.send(new byte[2 * 1024 * 1024]);
            assertTrue(c.closedByServer(), "a client whose unfinished command passes client-query-buffer-limit is closed");
        }
    }
}
