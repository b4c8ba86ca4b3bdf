package io.tandem.server.exec;

import io.netty.buffer.ByteBuf;
import io.tandem.server.Server;
import io.tandem.server.Settings;
import io.tandem.server.command.Call;
import io.tandem.server.command.CommandError;
import io.tandem.server.command.CommandTable;
import io.tandem.storage.keyspace.ChronicleKeyspace;
import io.tandem.storage.keyspace.StoredValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking framework driven directly, on the test thread (which plays the executor), with
 * real {@link Client}s without a channel and a settable clock. A test-only "queue" model stands
 * for a data type: the keyspace holds a marker key while the model's queue is not empty, and
 * the retry pops from the model, as a list's BLPOP would pop from the list.
 */
class BlockingTest {
    static ChronicleKeyspace keyspace;
    Server server;
    Blocking blocking;
    long now = 1_000_000;
    long nextId = 1;
    final Map<String, ArrayDeque<String>> queues = new HashMap<>();

    @BeforeAll
    static void open() {
        keyspace = ChronicleKeyspace.open(16);
    }

    @AfterAll
    static void close() {
        keyspace.close();
    }

    @BeforeEach
    void setUp() {
        keyspace.clearAll();
        keyspace.setClock(() -> now);
        server = new Server(new Settings(), keyspace, new CommandTable(), new Executor());
        blocking = server.blocking();
        io.tandem.server.commands.ConnectionCommands.register(server.commands());
        // A stand-in handler so the test's own table knows BLPOP's spec (the list engineer provides the real one).
        server.commands().register("blpop", c -> { });
    }

    final java.util.List<Client> clients = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void releaseBuffers() {
        for (Client c : clients) c.discardPending();
    }

    private Client client() {
        Client c = new Client(nextId++, null, now);
        clients.add(c);
        server.clientConnected(c);
        return c;
    }

    private Call call(Client c, String... argv) {
        Call k = new Call(server);
        k.client = c;
        k.argv = new byte[argv.length][];
        for (int i = 0; i < argv.length; i++) k.argv[i] = argv[i].getBytes(StandardCharsets.UTF_8);
        k.spec = server.commands().lookup(k.argv[0]);
        k.out = c.out();
        return k;
    }

    /** Reply bytes written to the client so far (then forgotten). */
    private static String take(Client c) {
        ByteBuf b = c.writer.buffer();
        if (b == null) return "";
        String s = b.toString(StandardCharsets.ISO_8859_1);
        b.clear();
        return s;
    }

    private void push(String key, String value) {
        queues.computeIfAbsent(key, k -> new ArrayDeque<>()).add(value);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        keyspace.db(0).put(k, StoredValue.TYPE_LIST, (byte) 0, new byte[] {1}, StoredValue.NO_EXPIRE);
        server.signalKeyAsReady(0, k);
    }

    /** What a BLPOP-like command's retry does: pop and reply [key, value], or keep waiting. */
    private boolean pop(Call c, byte[] key) {
        String k = new String(key, StandardCharsets.UTF_8);
        ArrayDeque<String> q = queues.get(k);
        if (q == null || q.isEmpty()) return false;
        String v = q.poll();
        if (q.isEmpty()) keyspace.db(c.client.db).delete(key);
        c.out.array(2);
        c.out.bulk(key);
        c.out.bulk(v);
        c.dirty(1);
        return true;
    }

    private boolean block(Client c, long deadline, String... keys) {
        byte[][] k = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) k[i] = keys[i].getBytes(StandardCharsets.UTF_8);
        String[] argv = new String[keys.length + 2];
        argv[0] = "blpop";
        System.arraycopy(keys, 0, argv, 1, keys.length);
        argv[argv.length - 1] = "0";
        return blocking.block(call(c, argv), k, deadline, this::pop);
    }

    @Test
    void firstBlockedFirstServed() {
        Client a = client();
        Client b = client();
        assertTrue(block(a, 0, "q"));
        assertTrue(block(b, 0, "q"));
        assertTrue(a.blocked && b.blocked);
        push("q", "one");
        blocking.afterCommand();
        assertEquals("*2\r\n$1\r\nq\r\n$3\r\none\r\n", take(a));
        assertFalse(a.blocked);
        assertEquals("", take(b));
        assertTrue(b.blocked);
        push("q", "two");
        push("q", "three");
        blocking.afterCommand();
        assertEquals("*2\r\n$1\r\nq\r\n$3\r\ntwo\r\n", take(b));
        assertEquals(0, blocking.blockedOnKeys());
        assertEquals(1, queues.get("q").size());
    }

    @Test
    void servedOnAnyOfItsKeysThenForgottenOnTheOthers() {
        Client a = client();
        block(a, 0, "k1", "k2", "k1");
        push("k2", "v");
        blocking.afterCommand();
        assertEquals("*2\r\n$2\r\nk2\r\n$1\r\nv\r\n", take(a));
        assertEquals(0, blocking.blockedOnKeys());
        push("k1", "w"); // nobody waits any more: nothing happens
        blocking.afterCommand();
        assertEquals("", take(a));
    }

    @Test
    void signalWithoutDataKeepsWaiting() {
        Client a = client();
        block(a, 0, "e");
        server.signalKeyAsReady(0, "e".getBytes(StandardCharsets.UTF_8)); // key does not exist
        blocking.afterCommand();
        assertTrue(a.blocked);
        keyspace.db(0).put("e".getBytes(StandardCharsets.UTF_8), StoredValue.TYPE_LIST, (byte) 0, new byte[] {1}, StoredValue.NO_EXPIRE);
        server.signalKeyAsReady(0, "e".getBytes(StandardCharsets.UTF_8)); // exists, but the model is empty
        blocking.afterCommand();
        assertTrue(a.blocked);
        assertEquals("", take(a));
    }

    @Test
    void timeoutsWithFractionsOfASecond() {
        Client a = client();
        Client b = client();
        b.writer.protocol(3);
        long deadline = Blocking.deadline(call(a, "blpop", "t", "0.25"), 2);
        assertEquals(now + 250, deadline);
        block(a, deadline, "t");
        block(b, Blocking.deadline(call(b, "blpop", "t", "1.5"), 2), "t");
        now += 249;
        blocking.checkTimeouts();
        assertTrue(a.blocked);
        now += 1;
        blocking.checkTimeouts();
        assertFalse(a.blocked);
        assertEquals("*-1\r\n", take(a));
        assertTrue(b.blocked);
        now += 1250;
        blocking.checkTimeouts();
        assertEquals("_\r\n", take(b));
        assertFalse(b.blocked);
        // cron checks too (and flushes, so the reply is gone from the buffer)
        Client c = client();
        block(c, now + 50, "t");
        now += 50;
        server.cron();
        assertFalse(c.blocked);
    }

    @Test
    void timeoutArgumentErrors() {
        Client a = client();
        assertEquals(0, Blocking.deadline(call(a, "blpop", "t", "0"), 2));
        assertEquals(0, Blocking.deadline(call(a, "blpop", "t", "0.0001"), 2));
        assertEquals("ERR timeout is not a float or out of range",
                assertThrows(CommandError.class, () -> Blocking.deadline(call(a, "blpop", "t", "abc"), 2)).getMessage());
        assertEquals("ERR timeout is not a float or out of range",
                assertThrows(CommandError.class, () -> Blocking.deadline(call(a, "blpop", "t", "nan"), 2)).getMessage());
        assertEquals("ERR timeout is negative",
                assertThrows(CommandError.class, () -> Blocking.deadline(call(a, "blpop", "t", "-0.5"), 2)).getMessage());
        assertEquals("ERR timeout is negative",
                assertThrows(CommandError.class, () -> Blocking.deadline(call(a, "blpop", "t", "inf"), 2)).getMessage());
        // Redis 7.0 (unlike 7.2) has no "timeout is out of range": the overflowed deadline never fires.
        assertEquals(0, Blocking.deadline(call(a, "blpop", "t", "9223372036854774"), 2));
        assertEquals(now + 16_000, Blocking.deadline(call(a, "blpop", "t", "0x10"), 2));
    }

    @Test
    void clientUnblockAsTimeoutOrError() {
        Client a = client();
        Client b = client();
        block(a, 0, "u");
        block(b, 0, "u");
        assertTrue(blocking.unblockByCommand(a, false));
        assertEquals("*-1\r\n", take(a));
        assertTrue(blocking.unblockByCommand(b, true));
        assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", take(b));
        assertFalse(blocking.unblockByCommand(b, true));
        assertEquals(0, blocking.blockedOnKeys());
    }

    @Test
    void noBlockingInsideExec() {
        Client a = client();
        a.denyBlocking = true;
        assertFalse(block(a, 0, "m"));
        assertFalse(a.blocked);
        assertEquals("*-1\r\n", take(a));
    }

    @Test
    void disconnectWhileBlockedCleansUp() {
        Client a = client();
        Client b = client();
        block(a, now + 100, "d");
        block(b, 0, "d");
        server.clientDisconnected(a);
        assertEquals(1, blocking.blockedOnKeys());
        push("d", "v");
        blocking.afterCommand();
        assertEquals("*2\r\n$1\r\nd\r\n$1\r\nv\r\n", take(b));
        now += 1000;
        blocking.checkTimeouts(); // a's timeout entry is stale and ignored
        assertEquals(0, blocking.blockedOnKeys());
    }

    @Test
    void commandsSentWhileBlockedRunAfterTheReply() {
        Client a = client();
        block(a, 0, "p");
        server.dispatcher().process(a, new byte[][] {"PING".getBytes(StandardCharsets.US_ASCII)});
        assertEquals(1, a.deferred.size());
        assertEquals("", take(a));
        push("p", "v");
        blocking.afterCommand();
        assertEquals("*2\r\n$1\r\np\r\n$1\r\nv\r\n+PONG\r\n", take(a));
        assertTrue(a.deferred.isEmpty());
    }

    @Test
    void anErrorFromTheRetryIsTheReply() {
        Client a = client();
        blocking.block(call(a, "blpop", "x", "0"), new byte[][] {"x".getBytes(StandardCharsets.UTF_8)}, 0,
                (c, key) -> {
                    throw CommandError.WRONG_TYPE;
                });
        push("x", "v");
        blocking.afterCommand();
        assertEquals("-" + CommandError.WRONGTYPE + "\r\n", take(a));
        assertFalse(a.blocked);
    }
}
