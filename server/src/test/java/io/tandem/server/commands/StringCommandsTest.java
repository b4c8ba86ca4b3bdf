package io.tandem.server.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.KeyspaceEvents;
import io.tandem.server.Server;
import io.tandem.server.command.LongDouble;
import io.tandem.server.testing.RawRespClient;
import io.tandem.server.testing.TandemTestServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the differential test cannot see: what each string command propagates (to AOF and
 * replicas) and which keyspace events it fires, plus the long double arithmetic of INCRBYFLOAT.
 */
class StringCommandsTest {
    static TandemTestServer tandem;
    static final LinkedBlockingQueue<String> propagated = new LinkedBlockingQueue<>();
    static final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    static RawRespClient client;

    @BeforeAll
    static void start() throws IOException {
        tandem = TandemTestServer.start();
        Server server = tandem.server().server();
        server.propagation().addSink((db, argv) -> propagated.add(join(argv)));
        server.keyspaceEvents().setFlags(KeyspaceEvents.parse("KA"));
        server.keyspaceEvents().setPublisher((channel, message) -> {
            String ch = new String(channel, StandardCharsets.ISO_8859_1);
            if (ch.startsWith("__keyspace@")) events.add(ch.substring(ch.indexOf(':') + 1) + " " + new String(message, StandardCharsets.ISO_8859_1));
        });
        client = new RawRespClient("127.0.0.1", tandem.port());
    }

    @AfterAll
    static void stop() throws IOException {
        if (client != null) client.close();
        if (tandem != null) tandem.close();
    }

    @BeforeEach
    void clear() throws IOException {
        call("FLUSHALL");
        propagated.clear();
        events.clear();
    }

    static String join(byte[][] argv) {
        StringBuilder sb = new StringBuilder();
        for (byte[] a : argv) sb.append(sb.length() == 0 ? "" : " ").append(new String(a, StandardCharsets.ISO_8859_1));
        return sb.toString();
    }

    static String call(String... args) throws IOException {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        return client.call(argv);
    }

    /** Everything propagated and notified so far (the executor has answered, so it is all there). */
    static List<String> drain(LinkedBlockingQueue<String> q) {
        List<String> out = new ArrayList<>();
        q.drainTo(out);
        return out;
    }

    @Test
    void relativeExpiriesPropagateAsSetPxat() throws IOException {
        long before = System.currentTimeMillis();
        call("SETEX", "k", "100", "v");
        call("PSETEX", "k", "5000", "v");
        call("SET", "k", "v", "EX", "100");
        call("SET", "k", "v", "PXAT", "99999999999999");
        List<String> p = drain(propagated);
        assertEquals(4, p.size(), p.toString());
        for (int i = 0; i < 3; i++) {
            String[] parts = p.get(i).split(" ");
            assertEquals("SET k v PXAT", String.join(" ", parts[0], parts[1], parts[2], parts[3]));
            long at = Long.parseLong(parts[4]);
            assertTrue(at >= before + (i == 1 ? 5000 : 100_000) && at < before + 200_000, p.get(i));
        }
        assertEquals("SET k v PXAT 99999999999999", p.get(3));
        assertEquals(List.of("k set", "k expire", "k set", "k expire", "k set", "k expire", "k set", "k expire"), drain(events));
    }

    @Test
    void getVariantsPropagateTheirEffect() throws IOException {
        call("SET", "k", "v", "GET", "NX", "get");
        call("GETSET", "k", "w");
        call("GETEX", "k", "EX", "100");
        call("GETEX", "k", "PERSIST");
        call("GETEX", "k", "PERSIST");   // no TTL left: nothing to propagate
        call("GETEX", "k");              // plain read
        call("GETEX", "k", "PXAT", "99999999999999");
        call("GETEX", "k", "EXAT", "1");  // in the past: deleted
        call("SET", "k", "v");
        call("GETDEL", "k");
        call("GETDEL", "k");             // missing: nothing
        List<String> p = drain(propagated);
        assertEquals("SET k v NX", p.get(0));
        assertEquals("SET k w", p.get(1));
        assertTrue(p.get(2).startsWith("PEXPIREAT k "), p.get(2));
        assertEquals(List.of("PERSIST k", "GETEX k PXAT 99999999999999", "DEL k", "SET k v", "DEL k"), p.subList(3, p.size()));
        assertEquals(List.of("k set", "k set", "k expire", "k persist", "k expire", "k del", "k set", "k del"), drain(events));
    }

    @Test
    void incrByFloatPropagatesAsSetKeepTtl() throws IOException {
        assertEquals("$4\r\n10.5\r\n", call("INCRBYFLOAT", "f", "10.5"));
        assertEquals("$4\r\n5000\r\n", call("INCRBYFLOAT", "g", "5.0e3"));
        assertEquals("-ERR increment would produce NaN or Infinity\r\n", call("INCRBYFLOAT", "g", "inf"));
        assertEquals(List.of("SET f 10.5 KEEPTTL", "SET g 5000 KEEPTTL"), drain(propagated));
        assertEquals(List.of("f incrbyfloat", "g incrbyfloat"), drain(events));
    }

    @Test
    void inPlaceEditsFireTheirEvents() throws IOException {
        call("APPEND", "k", "ab");
        call("SETRANGE", "k", "1", "x");
        call("SETRANGE", "k", "1", "");     // nothing changes
        call("SETRANGE", "none", "3", "");  // creates nothing
        call("SETBIT", "k", "0", "1");
        call("SETBIT", "k", "0", "1");      // unchanged bit: no event, not propagated
        call("BITFIELD", "k", "INCRBY", "u8", "8", "1");
        call("INCR", "n");
        call("BITOP", "NOT", "d", "k");
        call("BITOP", "AND", "d", "none");  // empty result deletes d
        assertEquals(List.of("k append", "k setrange", "k setbit", "k setbit", "n incrby", "d set", "d del"), drain(events));
        assertEquals(List.of("APPEND k ab", "SETRANGE k 1 x", "SETBIT k 0 1", "BITFIELD k INCRBY u8 8 1", "INCR n",
                "BITOP NOT d k", "BITOP AND d none"), drain(propagated));
    }

    @Test
    void msetnxIsAllOrNothing() throws IOException {
        assertEquals(":1\r\n", call("MSETNX", "a", "1", "b", "2"));
        assertEquals(":0\r\n", call("MSETNX", "b", "3", "c", "4"));
        assertEquals("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n", call("MGET", "a", "b", "c"));
        assertEquals(List.of("MSETNX a 1 b 2"), drain(propagated));
    }

    @Test
    void longDoubleArithmeticAndFormatting() {
        assertEquals("0.3", sum("0.1", "0.2"));           // exact in 80 bits after %.17Lf rounding
        assertEquals("10.5", sum("0", "10.5"));
        assertEquals("5000", sum("0", "5.0e3"));
        assertEquals("0", sum("-0", "-0.0"));
        assertEquals("0", sum("0", "-1e-30"));
        String big = sum("0", "1e400");                       // beyond double, within long double:
        assertEquals(401, big.length());                      // all the digits of the binary value,
        assertTrue(big.startsWith("100000000000000000002818"), big); // as redis-server prints them
        assertEquals("3", sum("1", "0x1p1"));
        assertNull(LongDouble.parse(b("1e5000")));           // overflow: ERANGE
        assertNull(LongDouble.parse(b("1e-5000")));          // underflow to zero: ERANGE
        assertNull(LongDouble.parse(b(" 1")));
        assertNull(LongDouble.parse(b("1 ")));
        assertNull(LongDouble.parse(b("nan")));
        assertNull(LongDouble.parse(b("")));
        assertTrue(LongDouble.parse(b("-Infinity")).isInfinite());
        assertNull(LongDouble.parse(b("inf")).add(LongDouble.parse(b("-inf"))));  // NaN
    }

    static String sum(String a, String b) {
        return LongDouble.parse(b(a)).add(LongDouble.parse(b(b))).toHumanString();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
