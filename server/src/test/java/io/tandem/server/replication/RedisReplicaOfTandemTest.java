package io.tandem.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import io.tandem.storage.testing.RedisProcess.Client;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real redis-server 7.0 replicating from Tandem: full sync of every type in several
 * databases, a live write load, then a cut link that Redis heals with a partial resync
 * (PSYNC2 {@code +CONTINUE} from Tandem's backlog). After each phase both servers hold the same
 * data (DEBUG DIGEST) at the same offset.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisReplicaOfTandemTest {
    static TandemTestServer tandem;
    static Client t;
    static RedisProcess replica;

    @BeforeAll
    static void start() throws Exception {
        tandem = TandemTestServer.start(Map.of("repl-ping-replica-period", "1"));
        t = Client.connect("127.0.0.1", tandem.port());
        populate(t);
        replica = RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(tandem.port()),
                "--hash-max-listpack-entries", "128");
    }

    @AfterAll
    static void stop() throws Exception {
        if (replica != null) replica.close();
        if (t != null) t.close();
        if (tandem != null) tandem.close();
    }

    static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    static String field(String info, String name) {
        for (String line : info.split("\r\n")) if (line.startsWith(name + ":")) return line.substring(name.length() + 1);
        return null;
    }

    /** Data of every type and encoding Tandem has, in three databases, some with TTLs. */
    static void populate(Client c) throws Exception {
        for (int db : new int[] {0, 3, 9}) {
            c.call("SELECT", db);
            String p = "db" + db + ":";
            c.call("SET", p + "s:int", "12345");
            c.call("SET", p + "s:text", "hello world");
            c.call("SET", p + "s:lzf", "abcdefgh".repeat(500));
            c.call("SET", p + "s:big", "x".repeat(100_000));
            c.call("SET", p + "s:ttl", "v", "PX", "10000000");
            c.call("RPUSH", p + "l:small", "a", "1", "-2", "70000", "x".repeat(100));
            List<Object> args = new ArrayList<>(List.of("RPUSH", p + "l:big"));
            for (int i = 0; i < 3000; i++) args.add("e:" + i);
            c.call(args.toArray());
            c.call("HSET", p + "h:small", "f1", "v1", "f2", "2");
            args = new ArrayList<>(List.of("HSET", p + "h:many"));
            for (int i = 0; i < 300; i++) {
                args.add("f:" + i);
                args.add("v:" + i);
            }
            c.call(args.toArray());
            c.call("EXPIRE", p + "h:many", "100000");
            c.call("SADD", p + "set:int", "5", "-3", "1000", "70000");
            c.call("SADD", p + "set:text", "a", "b", "c");
            args = new ArrayList<>(List.of("SADD", p + "set:big"));
            for (int i = 0; i < 700; i++) args.add(Integer.toString(i));
            c.call(args.toArray());
            c.call("ZADD", p + "z:small", "1.5", "a", "-inf", "b", "inf", "c", "0", "d");
            args = new ArrayList<>(List.of("ZADD", p + "z:big"));
            for (int i = 0; i < 500; i++) {
                args.add(Double.toString(i * 0.25 - 30));
                args.add("member:" + i);
            }
            c.call(args.toArray());
            c.call("PFADD", p + "hll", "a", "b", "c");
        }
        c.call("SELECT", 0);
    }

    /** Waits until the replica has processed everything Tandem produced, then compares digests. */
    static void assertInSync() throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        String mine = null;
        String theirs = null;
        while (System.currentTimeMillis() < deadline) {
            String ri = text(replica.call("INFO", "replication"));
            mine = field(text(t.call("INFO", "replication")), "master_repl_offset");
            theirs = field(ri, "master_repl_offset");
            if ("up".equals(field(ri, "master_link_status")) && mine.equals(theirs)) break;
            Thread.sleep(20);
        }
        assertEquals(mine, theirs, "replica offset\n" + replica.logs());
        assertEquals(text(t.call("DEBUG", "DIGEST")), text(replica.call("DEBUG", "DIGEST")), "digest");
        assertEquals(text(t.call("DBSIZE")), text(replica.call("DBSIZE")));
    }

    static void writeLoad(Client t, Random rnd, int n) throws Exception {
        List<Object[]> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int db = rnd.nextInt(3) * 3;
            batch.add(new Object[] {"SELECT", db});
            String k = "live:" + rnd.nextInt(200);
            switch (rnd.nextInt(12)) {
                case 0 -> batch.add(new Object[] {"SET", k, "v" + i, "EX", "1000"});
                case 1 -> batch.add(new Object[] {"INCRBYFLOAT", "f:" + rnd.nextInt(5), "1.5"});
                case 2 -> batch.add(new Object[] {"LPUSH", "list:" + rnd.nextInt(5), "x" + i});
                case 3 -> batch.add(new Object[] {"HSET", "hash:" + rnd.nextInt(5), "f" + rnd.nextInt(200), "v" + i});
                case 4 -> batch.add(new Object[] {"SADD", "set:" + rnd.nextInt(5), Integer.toString(rnd.nextInt(1000))});
                case 5 -> batch.add(new Object[] {"SPOP", "set:" + rnd.nextInt(5)});
                case 6 -> batch.add(new Object[] {"ZINCRBY", "zs:" + rnd.nextInt(5), "2.5", "m" + rnd.nextInt(50)});
                case 7 -> batch.add(new Object[] {"DEL", k});
                case 8 -> batch.add(new Object[] {"EXPIRE", "list:" + rnd.nextInt(5), "5000"});
                case 9 -> {
                    batch.add(new Object[] {"MULTI"});
                    batch.add(new Object[] {"INCR", "counter"});
                    batch.add(new Object[] {"RPOP", "list:" + rnd.nextInt(5)});
                    batch.add(new Object[] {"EXEC"});
                }
                case 10 -> batch.add(new Object[] {"SET", k, "x".repeat(rnd.nextInt(20_000))});
                default -> batch.add(new Object[] {"APPEND", k + ":a", "abc"});
            }
            if (batch.size() > 200) {
                t.pipeline(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) t.pipeline(batch);
        t.call("SELECT", 0);
    }

    @Test
    @Order(1)
    void fullSyncCopiesEveryTypeAndDatabase() throws Exception {
        assertInSync();
        String info = text(t.call("INFO", "replication"));
        assertEquals("1", field(info, "connected_slaves"));
        assertTrue(field(info, "slave0").matches("ip=127\\.0\\.0\\.1,port=" + replica.port() + ",state=online,offset=\\d+,lag=\\d+"),
                field(info, "slave0"));
        assertEquals("1", field(info, "repl_backlog_active"));
        assertEquals("1", field(text(t.call("INFO", "stats")), "sync_full"));
        String ri = text(replica.call("INFO", "replication"));
        assertEquals(field(info, "master_replid"), field(ri, "master_replid"));
        assertTrue(text(t.call("CLIENT", "LIST", "TYPE", "replica")).contains("flags=S"));
        @SuppressWarnings("unchecked")
        List<Object> role = (List<Object>) t.call("ROLE");
        assertEquals("master", text(role.get(0)));
        assertEquals(1, ((List<?>) role.get(2)).size());
        assertTrue(replica.logs().contains("MASTER <-> REPLICA sync: Finished with success"), replica.logs());
    }

    @Test
    @Order(2)
    void liveWritesReachTheReplica() throws Exception {
        writeLoad(t, new Random(1), 3000);
        assertInSync();
        t.call("SET", "waited", "1");
        assertEquals(1L, t.call("WAIT", 1, 5000), "WAIT counts the replica's ACK of this write");
        long t0 = System.nanoTime();
        assertEquals(1L, t.call("WAIT", 2, 200), "one replica, so WAIT 2 times out with 1");
        assertTrue(System.nanoTime() - t0 >= 150_000_000L);
    }

    @Test
    @Order(3)
    void aCutLinkHealsWithAPartialResync() throws Exception {
        assertEquals(1L, replica.call("CLIENT", "KILL", "TYPE", "master"));
        writeLoad(t, new Random(2), 500);
        assertInSync();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!replica.logs().contains("Successful partial resynchronization with master") && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(replica.logs().contains("Successful partial resynchronization with master"), replica.logs());
        String stats = text(t.call("INFO", "stats"));
        assertEquals("1", field(stats, "sync_partial_ok"));
        assertEquals("1", field(stats, "sync_full"));
        writeLoad(t, new Random(3), 500);
        assertInSync();
    }

    @Test
    @Order(4)
    void anExpiredKeyPropagatesAsDel() throws Exception {
        t.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        try {
            t.call("SET", "short", "v", "PX", "100");
            assertInSync();
            Thread.sleep(200);
            assertEquals(null, replica.call("GET", "short"), "Redis's replica reads it as missing");
            assertEquals(null, t.call("GET", "short")); // Tandem deletes it on access and propagates DEL
            assertInSync();
            assertEquals(0L, replica.call("EXISTS", "short"));
        } finally {
            t.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    @Test
    @Order(5)
    void replconfErrorsAsRedis() throws Exception {
        try (Client c = Client.connect("127.0.0.1", tandem.port()); Client r = replica.connect()) {
            for (Object[] cmd : List.of(new Object[] {"REPLCONF", "foo", "bar"}, new Object[] {"REPLCONF", "listening-port"},
                    new Object[] {"REPLCONF", "listening-port", "x"})) {
                RedisProcess.RedisError mine = assertThrows(RedisProcess.RedisError.class, () -> c.call(cmd));
                RedisProcess.RedisError theirs = assertThrows(RedisProcess.RedisError.class, () -> r.call(cmd));
                assertEquals(theirs.getMessage(), mine.getMessage());
            }
            assertEquals("OK", c.call("REPLCONF", "listening-port", "1234", "capa", "eof", "capa", "psync2"));
        }
    }
}
