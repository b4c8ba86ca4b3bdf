package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sets in Tandem against {@link HashSet} models, driven by seeded random operations with a tiny
 * {@code set-max-intset-entries} so that conversions happen constantly: intset → hashtable
 * (never back, except for SPOP's rebuild), the hashtable's compact off-heap form ↔ on-heap table
 * in both directions, emptied keys deleted and no on-heap object left behind. Also pins what
 * SPOP propagates.
 */
class SetsModelTest {
    static final int MAX_INTSET = 8;
    static TandemTestServer tandem;
    static RedisProcess.Client c;
    static final ConcurrentLinkedQueue<String> propagated = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        tandem = TandemTestServer.start(Map.of("set-max-intset-entries", "" + MAX_INTSET));
        // where a value lives, read on the executor: 1 on-heap, 0 off-heap, -1 absent; and the live handle count
        DebugExtensions.register("tandem-set-heap", call -> {
            StoredValue v = call.db().get(call.arg(2));
            call.out.array(2);
            call.out.integer(v == null ? -1 : v.object != null ? 1 : 0);
            call.out.integer(call.db().objectCount());
        });
        tandem.server().server().propagation().addSink((db, argv) -> {
            List<String> parts = new ArrayList<>();
            for (byte[] a : argv) parts.add(new String(a, StandardCharsets.UTF_8));
            propagated.add(String.join(" ", parts));
        });
        c = RedisProcess.Client.connect("127.0.0.1", tandem.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) c.close();
        if (tandem != null) tandem.close();
    }

    @BeforeEach
    void flush() throws Exception {
        c.call("FLUSHALL");
        propagated.clear();
    }

    static String s(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) o;
    }

    static Set<String> strings(Object reply) {
        Set<String> out = new HashSet<>();
        for (Object o : (List<?>) reply) out.add(s(o));
        return out;
    }

    static String encoding(String key) throws Exception {
        String o = s(c.call("DEBUG", "OBJECT", key));
        int i = o.indexOf("encoding:");
        return o.substring(i + 9, o.indexOf(' ', i));
    }

    static long onHeap(String key) throws Exception {
        return (Long) ((List<?>) c.call("DEBUG", "TANDEM-SET-HEAP", key)).get(0);
    }

    static long liveObjects() throws Exception {
        return (Long) ((List<?>) c.call("DEBUG", "TANDEM-SET-HEAP", "x")).get(1);
    }

    static boolean isInt(String m) {
        return io.tandem.storage.collection.Intset.isInteger(m.getBytes(StandardCharsets.US_ASCII));
    }

    static String member(Random rnd, int i) {
        return switch (rnd.nextInt(6)) {
            case 0 -> "m" + rnd.nextInt(40);
            case 1 -> "long-member-" + "x".repeat(60) + rnd.nextInt(4);
            default -> Integer.toString(rnd.nextInt(300) - 20);
        };
    }

    @Test
    void setsFollowAModel() throws Exception {
        Random rnd = new Random(31);
        Map<String, Set<String>> model = new LinkedHashMap<>();
        /** The encoding the model predicts: intset until a non-integer or too many, never back. */
        Map<String, Boolean> hashtable = new LinkedHashMap<>();
        int toHashtable = 0;
        int deletions = 0;
        int toHeap = 0;
        int offHeap = 0;
        String lastDst = null;
        for (int i = 0; i < 4800; i++) {
            String k = "s" + rnd.nextInt(3);
            Set<String> m = model.computeIfAbsent(k, x -> new HashSet<>());
            long wasOnHeap = onHeap(k);
            lastDst = null;
            boolean growing = (i / 300) % 2 == 0; // phases of growth and shrinking
            int op = rnd.nextInt(10);
            if (growing ? op < 6 : op < 2) {
                List<String> add = new ArrayList<>();
                int n = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 30 : 3);
                boolean intsOnly = rnd.nextInt(4) != 0;
                for (int j = 0; j < n; j++) {
                    String e = member(rnd, i);
                    if (!intsOnly || isInt(e)) add.add(e);
                }
                if (add.isEmpty()) add.add("1");
                List<Object> cmd = new ArrayList<>(List.of("SADD", k));
                cmd.addAll(add);
                boolean fresh = m.isEmpty();
                long before = m.size();
                if (fresh) hashtable.put(k, !isInt(add.get(0)));
                for (String e : add) {
                    if (m.add(e) && !hashtable.get(k) && (!isInt(e) || m.size() > MAX_INTSET)) {
                        hashtable.put(k, true);
                        toHashtable++;
                    }
                }
                assertEquals(m.size() - before, c.call(cmd.toArray()));
            } else if (op < 7) {
                String e = (!growing || rnd.nextBoolean()) && !m.isEmpty() ? new ArrayList<>(m).get(rnd.nextInt(m.size())) : member(rnd, i);
                assertEquals(m.remove(e) ? 1L : 0L, c.call("SREM", k, e));
            } else if (op < 8) {
                long n = rnd.nextInt(growing ? 4 : 40);
                Object r = c.call("SPOP", k, "" + n);
                Set<String> popped = strings(r);
                assertEquals(Math.min(n, m.size()), popped.size());
                assertTrue(m.containsAll(popped));
                int remaining = m.size() - popped.size();
                m.removeAll(popped);
                if (remaining > 0 && (long) remaining * 5 <= n) {
                    // rebuilt from the remaining members: the encoding they call for
                    boolean allInts = m.stream().allMatch(SetsModelTest::isInt);
                    hashtable.put(k, !(allInts && m.size() <= MAX_INTSET));
                }
            } else if (op < 9) {
                String dst = "s" + rnd.nextInt(3);
                lastDst = dst;
                String e = rnd.nextBoolean() && !m.isEmpty() ? new ArrayList<>(m).get(rnd.nextInt(m.size())) : member(rnd, i);
                Set<String> d = model.computeIfAbsent(dst, x -> new HashSet<>());
                long moved = dst.equals(k) ? (m.contains(e) ? 1 : 0) : (m.remove(e) ? 1 : 0);
                if (moved == 1 && !dst.equals(k)) {
                    if (d.isEmpty()) hashtable.put(dst, !isInt(e));
                    if (d.add(e) && !hashtable.get(dst) && (!isInt(e) || d.size() > MAX_INTSET)) hashtable.put(dst, true);
                }
                assertEquals(moved, c.call("SMOVE", k, dst, e));
            } else {
                String e = member(rnd, i);
                assertEquals(m.contains(e) ? 1L : 0L, c.call("SISMEMBER", k, e));
            }
            String dstKey = lastDst;
            for (String key : model.keySet()) {
                if (i % 100 != 0 && !key.equals(k) && !key.equals(dstKey)) continue;
                Set<String> want = model.get(key);
                if (want.isEmpty()) {
                    assertEquals(0L, c.call("EXISTS", key), key + " deleted when emptied, op " + i);
                    continue;
                }
                assertEquals(want, strings(c.call("SMEMBERS", key)), key + " at op " + i);
                assertEquals((long) want.size(), c.call("SCARD", key));
                assertEquals(hashtable.get(key) ? "hashtable" : "intset", encoding(key), "encoding of " + key + " at op " + i);
            }
            if (m.isEmpty() && wasOnHeap >= 0) deletions++;
            long nowOnHeap = onHeap(k);
            if (wasOnHeap == 0 && nowOnHeap == 1) toHeap++;
            if (wasOnHeap == 1 && nowOnHeap == 0) offHeap++;
            if (nowOnHeap == 1) {
                assertTrue(m.size() > 64 || m.stream().anyMatch(e -> e.length() > 64), "only a table too big to be compact is on the heap");
            }
        }
        assertTrue(toHashtable >= 5 && deletions >= 5 && toHeap >= 3 && offHeap >= 3,
                toHashtable + " conversions, " + deletions + " deletions, " + toHeap + " to heap, " + offHeap + " off heap");
        c.call("FLUSHALL");
        assertEquals(0L, liveObjects());
    }

    @Test
    void onHeapSetsAreReleasedByEveryPath() throws Exception {
        List<Object> cmd = new ArrayList<>(List.of("SADD", "big"));
        for (int i = 0; i < 200; i++) cmd.add("member-" + i);
        c.call(cmd.toArray());
        assertEquals(1L, onHeap("big"));
        c.call("SUNIONSTORE", "copy", "big");
        c.call("COPY", "big", "copy2");
        assertEquals(3L, liveObjects());
        c.call("SINTERSTORE", "copy", "nokey"); // empty result deletes the destination
        c.call("SPOP", "copy2", "1000"); // the whole set
        assertEquals(1L, liveObjects());
        c.call("SDIFFSTORE", "big", "big", "nokey"); // overwritten by a fresh table
        assertEquals(1L, liveObjects());
        for (int i = 0; i < 190; i++) c.call("SREM", "big", "member-" + i);
        assertEquals(0L, onHeap("big"), "back off-heap once small");
        assertEquals(0L, liveObjects());
        assertEquals("hashtable", encoding("big"));
        assertEquals(10L, c.call("SCARD", "big"));
    }

    @Test
    void copyOfAnOnHeapSetIsDeep() throws Exception {
        List<Object> cmd = new ArrayList<>(List.of("SADD", "a"));
        for (int i = 0; i < 200; i++) cmd.add("member-" + i);
        c.call(cmd.toArray());
        assertEquals(1L, c.call("COPY", "a", "b"));
        assertEquals(1L, onHeap("b"));
        c.call("SREM", "a", "member-0");
        assertEquals(200L, c.call("SCARD", "b"));
        assertEquals(1L, c.call("SISMEMBER", "b", "member-0"));
        assertEquals(2L, liveObjects());
    }

    @Test
    void spopPropagatesItsEffect() throws Exception {
        c.call("SADD", "k", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        propagated.clear();
        String one = s(c.call("SPOP", "k"));
        List<String> two = new ArrayList<>(strings(c.call("SPOP", "k", "2"))); // removes one by one
        List<String> seven = new ArrayList<>(strings(c.call("SPOP", "k", "6"))); // rebuilds from what remains
        c.call("SPOP", "k", "0");
        c.call("SPOP", "k", "5"); // the rest: DEL
        c.call("SPOP", "nokey", "5");
        List<String> got = new ArrayList<>(propagated);
        assertEquals(4, got.size(), got.toString());
        assertEquals("SREM k " + one, got.get(0));
        assertEquals(Set.of(two.toArray()), Set.of(got.get(1).substring("SREM k ".length()).split(" ")));
        assertEquals(Set.of(seven.toArray()), Set.of(got.get(2).substring("SREM k ".length()).split(" ")));
        assertEquals("DEL k", got.get(3));
        // a large pop goes out in SREMs of at most 1024 members
        List<Object> cmd = new ArrayList<>(List.of("SADD", "b"));
        for (int i = 0; i < 3000; i++) cmd.add("m" + i);
        c.call(cmd.toArray());
        propagated.clear();
        assertEquals(2500, ((List<?>) c.call("SPOP", "b", "2500")).size());
        Set<String> removed = new HashSet<>();
        for (String p : propagated) {
            String[] parts = p.split(" ");
            assertEquals("SREM", parts[0]);
            assertTrue(parts.length - 2 <= 1024);
            for (int i = 2; i < parts.length; i++) assertTrue(removed.add(parts[i]));
        }
        assertEquals(2500, removed.size());
        assertEquals(500L, c.call("SCARD", "b"));
    }
}
