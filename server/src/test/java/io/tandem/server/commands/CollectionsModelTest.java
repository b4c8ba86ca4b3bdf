package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hashes and lists in Tandem against plain Java models (LinkedHashMap, ArrayList), driven by
 * seeded random operations with tiny thresholds so that conversions happen constantly: hashes
 * listpack → hashtable (never back), lists off-heap ↔ on-heap in both directions, emptied keys
 * deleted, and no on-heap object left behind.
 */
class CollectionsModelTest {
    static TandemTestServer tandem;
    static RedisProcess.Client c;

    @BeforeAll
    static void start() throws Exception {
        tandem = TandemTestServer.start(Map.of());
        tandem.server().settings().hashMaxListpackEntries = 8;
        tandem.server().settings().hashMaxListpackValue = 8;
        tandem.server().settings().listMaxListpackSize = 4;
        // where a value lives, read on the executor: 1 on-heap, 0 off-heap, -1 absent; and the live handle count
        DebugExtensions.register("tandem-heap", call -> {
            StoredValue v = call.db().get(call.arg(2));
            call.out.array(2);
            call.out.integer(v == null ? -1 : v.object != null ? 1 : 0);
            call.out.integer(call.db().objectCount());
        });
        c = RedisProcess.Client.connect("127.0.0.1", tandem.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) c.close();
        if (tandem != null) tandem.close();
    }

    static String s(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) o;
    }

    static String encoding(String key) throws Exception {
        String o = s(c.call("DEBUG", "OBJECT", key));
        int i = o.indexOf("encoding:");
        return o.substring(i + 9, o.indexOf(' ', i));
    }

    static long onHeap(String key) throws Exception {
        return (Long) ((List<?>) c.call("DEBUG", "TANDEM-HEAP", key)).get(0);
    }

    static long liveObjects() throws Exception {
        return (Long) ((List<?>) c.call("DEBUG", "TANDEM-HEAP", "x")).get(1);
    }

    @Test
    void hashesFollowAModel() throws Exception {
        Random rnd = new Random(11);
        Map<String, LinkedHashMap<String, String>> model = new LinkedHashMap<>();
        Map<String, Boolean> converted = new LinkedHashMap<>();
        int conversions = 0;
        int deletions = 0;
        for (int i = 0; i < 4000; i++) {
            String k = "h" + rnd.nextInt(4);
            LinkedHashMap<String, String> m = model.computeIfAbsent(k, x -> new LinkedHashMap<>());
            String f = "f" + rnd.nextInt(10);
            boolean growing = (i / 120) % 2 == 0; // phases of growth and shrinking
            int op = rnd.nextInt(10);
            if (growing ? op < 7 : op < 2) {
                String v = rnd.nextInt(15) == 0 ? "long-value-" + i : "v" + rnd.nextInt(100);
                long created = (Long) c.call("HSET", k, f, v);
                assertEquals(m.containsKey(f) ? 0 : 1, created);
                m.put(f, v);
                if (m.size() > 8 || v.length() > 8) {
                    if (!converted.getOrDefault(k, false)) conversions++;
                    converted.put(k, true);
                }
            } else if (op < 9) {
                long n = (Long) c.call("HDEL", k, f);
                assertEquals(m.remove(f) != null ? 1 : 0, n);
                if (n == 1 && m.isEmpty()) {
                    deletions++;
                    converted.remove(k);
                    assertEquals(0L, c.call("EXISTS", k));
                }
            } else {
                assertEquals(m.get(f), c.call("HGET", k, f) == null ? null : s(c.call("HGET", k, f)));
            }
            if (m.isEmpty()) {
                assertEquals(0L, c.call("EXISTS", k));
                continue;
            }
            List<?> all = (List<?>) c.call("HGETALL", k);
            Map<String, String> got = new LinkedHashMap<>();
            for (int j = 0; j < all.size(); j += 2) got.put(s(all.get(j)), s(all.get(j + 1)));
            boolean ht = converted.getOrDefault(k, false);
            assertEquals(ht ? "hashtable" : "listpack", encoding(k), "encoding of " + k + " at op " + i);
            if (ht) assertEquals(m, got);
            else assertEquals(new ArrayList<>(m.entrySet()), new ArrayList<>(got.entrySet()), "listpack keeps insertion order");
            assertEquals((long) m.size(), c.call("HLEN", k));
        }
        assertTrue(conversions >= 3 && deletions >= 3, conversions + " conversions, " + deletions + " deletions");
        c.call("FLUSHALL");
        assertEquals(0L, liveObjects());
    }

    @Test
    void listsFollowAModelAcrossBothRepresentations() throws Exception {
        Random rnd = new Random(12);
        Map<String, List<String>> model = new LinkedHashMap<>();
        Map<String, Long> where = new LinkedHashMap<>();
        int toHeap = 0;
        int offHeap = 0;
        int deletions = 0;
        for (int i = 0; i < 3000; i++) {
            String k = "l" + rnd.nextInt(3);
            List<String> m = model.computeIfAbsent(k, x -> new ArrayList<>());
            boolean growing = (i / 60) % 2 == 0; // phases of growth and shrinking
            int[] shrinkOps = {3, 5, 5, 9, 6, 7, 8};
            int op = growing ? (rnd.nextInt(4) == 0 ? 11 : 0) : shrinkOps[rnd.nextInt(shrinkOps.length)];
            String e = "e" + rnd.nextInt(6);
            switch (op) {
                case 0, 1, 2 -> {
                    boolean left = rnd.nextBoolean();
                    assertEquals((long) m.size() + 1, c.call(left ? "LPUSH" : "RPUSH", k, e));
                    if (left) m.add(0, e);
                    else m.add(e);
                }
                case 3, 4 -> {
                    boolean left = rnd.nextBoolean();
                    Object got = c.call(left ? "LPOP" : "RPOP", k);
                    String exp = m.isEmpty() ? null : m.remove(left ? 0 : m.size() - 1);
                    assertEquals(exp, got == null ? null : s(got));
                }
                case 5, 10 -> {
                    long n = rnd.nextInt(6);
                    Object got = c.call("RPOP", k, n);
                    if (m.isEmpty()) {
                        assertEquals(null, got);
                    } else {
                        List<String> exp = new ArrayList<>();
                        for (int j = 0; j < n && !m.isEmpty(); j++) exp.add(m.remove(m.size() - 1));
                        List<String> act = new ArrayList<>();
                        for (Object o : (List<?>) got) act.add(s(o));
                        assertEquals(exp, act);
                    }
                }
                case 6 -> {
                    if (m.isEmpty()) break;
                    int idx = rnd.nextInt(m.size());
                    c.call("LSET", k, idx, e);
                    m.set(idx, e);
                }
                case 7 -> {
                    long got = (Long) c.call("LINSERT", k, "BEFORE", e, "ins");
                    int at = m.indexOf(e);
                    if (m.isEmpty()) assertEquals(0, got);
                    else if (at < 0) assertEquals(-1, got);
                    else {
                        m.add(at, "ins");
                        assertEquals(m.size(), got);
                    }
                }
                case 8 -> {
                    long n = (Long) c.call("LREM", k, 0, e);
                    int before = m.size();
                    m.removeIf(e::equals);
                    assertEquals(before - m.size(), n);
                }
                case 9 -> {
                    int start = rnd.nextInt(3);
                    int stop = -1 - rnd.nextInt(3);
                    c.call("LTRIM", k, start, stop);
                    int len = m.size();
                    int s0 = start;
                    int e0 = len + stop;
                    List<String> kept = s0 > e0 || s0 >= len ? List.of() : new ArrayList<>(m.subList(s0, Math.min(e0, len - 1) + 1));
                    m.clear();
                    m.addAll(kept);
                }
                default -> {
                    int n = 3 + rnd.nextInt(6);
                    Object[] args = new Object[2 + n];
                    args[0] = "RPUSH";
                    args[1] = k;
                    for (int j = 0; j < n; j++) {
                        args[2 + j] = e + j;
                        m.add(e + j);
                    }
                    c.call(args);
                }
            }
            List<String> act = new ArrayList<>();
            for (Object o : (List<?>) c.call("LRANGE", k, 0, -1)) act.add(s(o));
            assertEquals(m, act, "list " + k + " at op " + i);
            long h = onHeap(k);
            if (m.isEmpty()) {
                assertEquals(-1, h, "an emptied list is deleted");
                if (where.containsKey(k)) deletions++;
                where.remove(k);
                continue;
            }
            assertEquals("quicklist", encoding(k));
            // fill 4: on the heap above 4 entries, back off-heap at 2 or fewer
            if (m.size() > 4) assertEquals(1, h, "big list on heap, size " + m.size());
            if (m.size() <= 2) assertEquals(0, h, "small list off heap, size " + m.size());
            Long prev = where.put(k, h);
            if (prev != null && prev == 0 && h == 1) toHeap++;
            if (prev != null && prev == 1 && h == 0) offHeap++;
        }
        assertTrue(toHeap >= 1 && offHeap >= 1 && deletions >= 1, toHeap + " up, " + offHeap + " down, " + deletions + " deleted");
        c.call("FLUSHALL");
        assertEquals(0L, liveObjects());
    }
}
