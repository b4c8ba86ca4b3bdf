package io.tandem.server.commands;

import io.tandem.server.Server;
import io.tandem.server.testing.TandemTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BLPOP, BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH through sockets against an in-process Tandem:
 * clients that block are served by other connections' pushes, in blocking order, after EXEC for
 * pushes inside MULTI, time out, are unblocked by CLIENT UNBLOCK or vanish; what each served
 * client propagates is its effect (LPOP, LMOVE, RPOPLPUSH...), after the push that woke it.
 */
class BlockingListCommandsTest {
    static TandemTestServer tandem;
    static final LinkedBlockingQueue<String> propagated = new LinkedBlockingQueue<>();
    static RawResp admin;
    final ExecutorService pool = Executors.newCachedThreadPool();
    final List<RawResp> conns = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        tandem = TandemTestServer.start();
        Server server = tandem.server().server();
        server.propagation().addSink((db, argv) -> {
            StringBuilder sb = new StringBuilder();
            for (byte[] a : argv) sb.append(sb.length() == 0 ? "" : " ").append(new String(a, StandardCharsets.ISO_8859_1));
            propagated.add(sb.toString());
        });
        admin = new RawResp(tandem.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) admin.close();
        if (tandem != null) tandem.close();
    }

    @BeforeEach
    void flush() throws Exception {
        admin.call("FLUSHALL");
        propagated.clear();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (RawResp c : conns) c.close();
        pool.shutdownNow();
        awaitBlocked(0);
    }

    RawResp conn() throws Exception {
        RawResp c = new RawResp(tandem.port());
        conns.add(c);
        return c;
    }

    Future<String> async(RawResp c, String... cmd) {
        return pool.submit(() -> c.call(cmd));
    }

    static int blockedClients() throws Exception {
        Matcher m = Pattern.compile("blocked_clients:(\\d+)").matcher(admin.call("INFO", "clients"));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    static void awaitBlocked(int n) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (blockedClients() != n) {
            if (System.nanoTime() > end) throw new AssertionError("blocked_clients never reached " + n);
            Thread.sleep(2);
        }
    }

    static String get(Future<String> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS).replace("\r\n", "\\r\\n");
    }

    static List<String> drainPropagated() {
        List<String> out = new ArrayList<>();
        propagated.drainTo(out);
        return out;
    }

    @Test
    void servedByAnotherConnectionsPush() throws Exception {
        Future<String> a = async(conn(), "BLPOP", "q", "0");
        awaitBlocked(1);
        assertFalse(a.isDone());
        assertEquals(":1\r\n", admin.call("RPUSH", "q", "v"));
        assertEquals("*2\\r\\n$1\\r\\nq\\r\\n$1\\r\\nv\\r\\n", get(a));
        assertEquals(":0\r\n", admin.call("EXISTS", "q"));
        assertEquals(List.of("RPUSH q v", "LPOP q"), drainPropagated());
    }

    @Test
    void firstBlockedFirstServed() throws Exception {
        Future<String> a = async(conn(), "BRPOP", "q", "0");
        awaitBlocked(1);
        Future<String> b = async(conn(), "BLPOP", "q", "0");
        awaitBlocked(2);
        admin.call("RPUSH", "q", "x", "y", "z");
        assertEquals("*2\\r\\n$1\\r\\nq\\r\\n$1\\r\\nz\\r\\n", get(a));
        assertEquals("*2\\r\\n$1\\r\\nq\\r\\n$1\\r\\nx\\r\\n", get(b));
        assertEquals("*1\r\n$1\r\ny\r\n", admin.call("LRANGE", "q", "0", "-1"));
        assertEquals(List.of("RPUSH q x y z", "RPOP q", "LPOP q"), drainPropagated());
    }

    @Test
    void servedFromTheKeyThatBecameReady() throws Exception {
        Future<String> a = async(conn(), "BLPOP", "k1", "k2", "k3", "0");
        awaitBlocked(1);
        admin.call("LPUSH", "k3", "v");
        assertEquals("*2\\r\\n$2\\r\\nk3\\r\\n$1\\r\\nv\\r\\n", get(a));
        admin.call("LPUSH", "k1", "w"); // nobody waits any more
        assertEquals(":1\r\n", admin.call("LLEN", "k1"));
    }

    @Test
    void timeoutsAsFractionsOfSeconds() throws Exception {
        RawResp c = conn();
        long start = System.nanoTime();
        assertEquals("*-1\r\n", c.call("BLPOP", "q", "0.1"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 95 && ms < 2000, "timed out after " + ms + " ms");
        assertEquals("*-1\r\n", c.call("BLMOVE", "q", "d", "LEFT", "RIGHT", "0.1"));
        assertEquals("*-1\r\n", c.call("BRPOPLPUSH", "q", "d", "0.05"));
        assertEquals("*-1\r\n", c.call("BLMPOP", "0.05", "2", "q", "r", "LEFT", "COUNT", "3"));
        c.call("HELLO", "3");
        assertEquals("_\r\n", c.call("BRPOP", "q", "0.05"));
        assertEquals("_\r\n", c.call("BLMOVE", "q", "d", "LEFT", "RIGHT", "0.05"));
        assertEquals(0, blockedClients());
        assertEquals(List.of(), drainPropagated());
    }

    @Test
    void pushInsideMultiWakesAfterExec() throws Exception {
        Future<String> a = async(conn(), "BLPOP", "q", "0");
        awaitBlocked(1);
        List<String> replies = admin.pipeline(List.of(new String[] {"MULTI"}, new String[] {"RPUSH", "q", "a"},
                new String[] {"LPUSH", "q", "b"}, new String[] {"EXEC"}));
        assertEquals("*2\r\n:1\r\n:2\r\n", replies.get(3));
        // Served with the state after EXEC: the head is b.
        assertEquals("*2\\r\\n$1\\r\\nq\\r\\n$1\\r\\nb\\r\\n", get(a));
        assertEquals(List.of("MULTI", "RPUSH q a", "LPUSH q b", "EXEC", "LPOP q"), drainPropagated());

        // A transaction that pushes and pops back leaves nothing: the client keeps waiting.
        Future<String> c = async(conn(), "BLPOP", "e", "0");
        awaitBlocked(1);
        admin.pipeline(List.of(new String[] {"MULTI"}, new String[] {"RPUSH", "e", "x"}, new String[] {"RPOP", "e"},
                new String[] {"EXEC"}));
        Thread.sleep(50);
        assertFalse(c.isDone());
        admin.call("RPUSH", "e", "y");
        assertEquals("*2\\r\\n$1\\r\\ne\\r\\n$1\\r\\ny\\r\\n", get(c));
    }

    @Test
    void blockingCommandsInsideMultiDoNotBlock() throws Exception {
        List<String> replies = admin.pipeline(List.of(new String[] {"MULTI"}, new String[] {"BLPOP", "q", "0"},
                new String[] {"BLMOVE", "q", "d", "LEFT", "LEFT", "0"}, new String[] {"BRPOPLPUSH", "q", "d", "0"},
                new String[] {"BLMPOP", "0", "1", "q", "LEFT"}, new String[] {"RPUSH", "q", "v"},
                new String[] {"BRPOP", "q", "0"}, new String[] {"EXEC"}));
        assertEquals("*6\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nq\r\n$1\r\nv\r\n", replies.get(7));
        assertEquals(List.of("MULTI", "RPUSH q v", "RPOP q", "EXEC"), drainPropagated());
    }

    @Test
    void blmoveAndBrpoplpushPropagateTheirEffect() throws Exception {
        Future<String> a = async(conn(), "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
        awaitBlocked(1);
        admin.call("RPUSH", "src", "1", "2");
        assertEquals("$1\\r\\n2\\r\\n", get(a));
        assertEquals("*1\r\n$1\r\n2\r\n", admin.call("LRANGE", "dst", "0", "-1"));
        assertEquals(List.of("RPUSH src 1 2", "LMOVE src dst right left"), drainPropagated());

        Future<String> b = async(conn(), "BRPOPLPUSH", "s2", "d2", "0");
        awaitBlocked(1);
        admin.call("LPUSH", "s2", "x");
        assertEquals("$1\\r\\nx\\r\\n", get(b));
        assertEquals(List.of("LPUSH s2 x", "RPOPLPUSH s2 d2"), drainPropagated());
        assertEquals("*0\r\n", admin.call("KEYS", "s2"));

        // Served at once: the client's own words.
        RawResp c = conn();
        assertEquals("$1\r\n1\r\n", c.call("BLMOVE", "src", "dst", "lEfT", "RIGHT", "0"));
        assertEquals(List.of("LMOVE src dst lEfT RIGHT"), drainPropagated());
        assertEquals("$1\r\n1\r\n", c.call("BRPOPLPUSH", "dst", "dst", "0"));
        assertEquals(List.of("RPOPLPUSH dst dst"), drainPropagated());
    }

    @Test
    void blmoveOntoItself() throws Exception {
        Future<String> a = async(conn(), "BLMOVE", "q", "q", "LEFT", "RIGHT", "0");
        awaitBlocked(1);
        admin.call("RPUSH", "q", "a", "b");
        assertEquals("$1\\r\\na\\r\\n", get(a));
        assertEquals("*2\r\n$1\r\nb\r\n$1\r\na\r\n", admin.call("LRANGE", "q", "0", "-1"));
    }

    @Test
    void blmpopServedWithCountAndPropagatedAsPopWithCount() throws Exception {
        Future<String> a = async(conn(), "BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2");
        awaitBlocked(1);
        admin.call("RPUSH", "b", "1", "2", "3");
        assertEquals("*2\\r\\n$1\\r\\nb\\r\\n*2\\r\\n$1\\r\\n3\\r\\n$1\\r\\n2\\r\\n", get(a));
        assertEquals(List.of("RPUSH b 1 2 3", "RPOP b 2"), drainPropagated());
        Future<String> c = async(conn(), "BLMPOP", "0", "1", "c", "LEFT", "COUNT", "5");
        awaitBlocked(1);
        admin.call("RPUSH", "c", "1");
        assertEquals("*2\\r\\n$1\\r\\nc\\r\\n*1\\r\\n$1\\r\\n1\\r\\n", get(c));
        assertEquals(List.of("RPUSH c 1", "LPOP c 1"), drainPropagated());
    }

    @Test
    void wrongTypeAtWakeTime() throws Exception {
        // Destination of another type: WRONGTYPE, the client is unblocked, the element stays.
        Future<String> a = async(conn(), "BLMOVE", "src", "dst", "LEFT", "LEFT", "0");
        awaitBlocked(1);
        admin.call("SET", "dst", "string");
        admin.call("RPUSH", "src", "e");
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\\r\\n", get(a));
        assertEquals(":1\r\n", admin.call("LLEN", "src"));
        assertEquals(0, blockedClients());

        // The ready key itself turned into another type: the client keeps waiting.
        Future<String> b = async(conn(), "BLPOP", "k", "0");
        awaitBlocked(1);
        admin.pipeline(List.of(new String[] {"MULTI"}, new String[] {"RPUSH", "k", "x"}, new String[] {"DEL", "k"},
                new String[] {"SET", "k", "s"}, new String[] {"EXEC"}));
        Thread.sleep(50);
        assertFalse(b.isDone());
        admin.call("DEL", "k");
        admin.call("RPUSH", "k", "y");
        assertEquals("*2\\r\\n$1\\r\\nk\\r\\n$1\\r\\ny\\r\\n", get(b));
    }

    @Test
    void clientUnblock() throws Exception {
        RawResp c = conn();
        String id = c.call("CLIENT", "ID").substring(1).trim();
        Future<String> a = async(c, "BLPOP", "q", "0");
        awaitBlocked(1);
        assertEquals(":1\r\n", admin.call("CLIENT", "UNBLOCK", id));
        assertEquals("*-1\\r\\n", get(a));
        Future<String> b = async(c, "BLMOVE", "q", "d", "LEFT", "LEFT", "0");
        awaitBlocked(1);
        assertEquals(":1\r\n", admin.call("CLIENT", "UNBLOCK", id, "ERROR"));
        assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK\\r\\n", get(b));
        assertEquals(":0\r\n", admin.call("CLIENT", "UNBLOCK", id));
        // The connection works normally afterwards.
        assertEquals("+PONG\r\n", c.call("PING"));
    }

    @Test
    void disconnectWhileBlocked() throws Exception {
        RawResp c = conn();
        async(c, "BLPOP", "q", "0");
        awaitBlocked(1);
        c.close();
        awaitBlocked(0);
        admin.call("RPUSH", "q", "v");
        assertEquals(":1\r\n", admin.call("LLEN", "q"));
        assertEquals(List.of("RPUSH q v"), drainPropagated());
    }

    @Test
    void commandsPipelinedBehindABlockedOneWaitForIt() throws Exception {
        RawResp c = conn();
        Future<List<String>> f = pool.submit(() -> c.pipeline(List.of(new String[] {"BLPOP", "q", "0"},
                new String[] {"RPUSH", "q", "mine"}, new String[] {"LRANGE", "q", "0", "-1"})));
        awaitBlocked(1);
        admin.call("RPUSH", "q", "theirs");
        List<String> replies = f.get(5, TimeUnit.SECONDS);
        assertEquals("*2\r\n$1\r\nq\r\n$6\r\ntheirs\r\n", replies.get(0));
        assertEquals(":1\r\n", replies.get(1));
        assertEquals("*1\r\n$4\r\nmine\r\n", replies.get(2));
    }

    @Test
    void sortStoreOntoAWaitedKeyServesIt() throws Exception {
        admin.call("RPUSH", "src", "3", "1", "2");
        Future<String> a = async(conn(), "BLPOP", "sorted", "0");
        awaitBlocked(1);
        assertEquals(":3\r\n", admin.call("SORT", "src", "STORE", "sorted"));
        assertEquals("*2\\r\\n$6\\r\\nsorted\\r\\n$1\\r\\n1\\r\\n", get(a));
        assertEquals(List.of("RPUSH src 3 1 2", "SORT src STORE sorted", "LPOP sorted"), drainPropagated());
    }

    @Test
    void renameMoveAndCopyOntoAWaitedKeyServeIt() throws Exception {
        List<String[]> fill = new ArrayList<>();
        for (int i = 0; i < 3000; i++) fill.add(new String[] {"RPUSH", "big", "element-number-" + i}); // on-heap list
        admin.pipeline(fill);
        Future<String> a = async(conn(), "BLPOP", "renamed", "0");
        awaitBlocked(1);
        assertEquals("+OK\r\n", admin.call("RENAME", "big", "renamed"));
        assertEquals("*2\\r\\n$7\\r\\nrenamed\\r\\n$16\\r\\nelement-number-0\\r\\n", get(a));
        assertEquals(":2999\r\n", admin.call("LLEN", "renamed"));

        Future<String> b = async(conn(), "BRPOP", "copied", "0");
        awaitBlocked(1);
        assertEquals(":1\r\n", admin.call("COPY", "renamed", "copied"));
        assertEquals("*2\\r\\n$6\\r\\ncopied\\r\\n$19\\r\\nelement-number-2999\\r\\n", get(b));
        assertEquals(":2998\r\n", admin.call("LLEN", "copied"));
        assertEquals(":2999\r\n", admin.call("LLEN", "renamed"));

        RawResp other = conn();
        other.call("SELECT", "1");
        Future<String> d = async(other, "BLPOP", "renamed", "0");
        awaitBlocked(1);
        assertEquals(":1\r\n", admin.call("MOVE", "renamed", "1"));
        assertEquals("*2\\r\\n$7\\r\\nrenamed\\r\\n$16\\r\\nelement-number-1\\r\\n", get(d));
        assertEquals("+OK\r\n", other.call("SELECT", "1"));
        assertEquals(":2998\r\n", other.call("LLEN", "renamed"));
    }
}
