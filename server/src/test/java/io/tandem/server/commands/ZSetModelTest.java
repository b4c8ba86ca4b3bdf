package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sorted sets in Tandem against a plain model (a HashMap member → score per key, sorted on
 * demand by score then member bytes), driven by seeded random operations with tiny thresholds
 * (8 entries, 8-byte members) so that listpack → skiplist conversions, the store commands'
 * conversion back, and deletion of emptied keys happen constantly. After every operation the
 * whole set (ZRANGE WITHSCORES), its cardinality, a rank and the expected encoding are checked.
 */
class ZSetModelTest {
    static final int ENTRIES = 8;
    static final int VALUE = 8;
    static TandemTestServer tandem;
    static RedisProcess.Client c;

    @BeforeAll
    static void start() throws Exception {
        tandem = TandemTestServer.start(Map.of());
        tandem.server().settings().zsetMaxListpackEntries = ENTRIES;
        tandem.server().settings().zsetMaxListpackValue = VALUE;
        c = RedisProcess.Client.connect("127.0.0.1", tandem.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) c.close();
        if (tandem != null) tandem.close();
    }

    static String s(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    /** A key's model: members with scores, and whether it must be a skiplist. */
    static final class Model {
        final Map<String, Double> scores = new HashMap<>();
        boolean skiplist;

        List<String> sorted() {
            List<String> l = new ArrayList<>(scores.keySet());
            l.sort((a, b) -> {
                double x = scores.get(a);
                double y = scores.get(b);
                if (x < y) return -1;
                if (x > y) return 1;
                return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
            });
            return l;
        }

        void add(String m, double score) {
            if (!scores.containsKey(m) && (scores.size() + 1 > ENTRIES || m.length() > VALUE)) skiplist = true;
            scores.put(m, score);
        }

        /** A store result: listpack unless too big (zsetConvertToListpackIfNeeded / zsetAdd). */
        static Model result(Map<String, Double> content) {
            Model r = new Model();
            r.scores.putAll(content);
            r.skiplist = content.size() > ENTRIES || content.keySet().stream().anyMatch(x -> x.length() > VALUE);
            return r;
        }
    }

    static String fmt(double d) {
        return io.tandem.storage.resp.RespWriter.formatDouble(d);
    }

    static void check(Map<String, Model> models, String key, String what) throws Exception {
        Model m = models.get(key);
        if (m == null || m.scores.isEmpty()) {
            models.remove(key);
            assertEquals(0L, c.call("EXISTS", key), what + ": " + key + " deleted");
            return;
        }
        List<String> expected = new ArrayList<>();
        for (String x : m.sorted()) {
            expected.add(x);
            expected.add(fmt(m.scores.get(x)));
        }
        List<String> actual = new ArrayList<>();
        for (Object o : (List<?>) c.call("ZRANGE", key, "0", "-1", "WITHSCORES")) actual.add(s(o));
        assertEquals(expected, actual, what);
        assertEquals((long) m.scores.size(), c.call("ZCARD", key), what);
        String enc = s(c.call("OBJECT", "ENCODING", key));
        assertEquals(m.skiplist ? "skiplist" : "listpack", enc, what + ": encoding of " + key);
        List<String> order = m.sorted();
        int r = order.size() / 2;
        assertEquals((long) r, c.call("ZRANK", key, order.get(r)), what);
        assertEquals((long) (order.size() - 1 - r), c.call("ZREVRANK", key, order.get(r)), what);
    }

    @Test
    void randomOperationsMatchTheModel() throws Exception {
        Random rnd = new Random(77);
        Map<String, Model> models = new HashMap<>();
        String[] keys = {"k0", "k1", "k2"};
        for (int step = 0; step < 4000; step++) {
            String key = keys[rnd.nextInt(keys.length)];
            Model m = models.computeIfAbsent(key, k -> new Model());
            String member = rnd.nextInt(25) == 0 ? "member-long-" + rnd.nextInt(3) : "m" + rnd.nextInt(14);
            double score = rnd.nextInt(9) - 4 + (rnd.nextBoolean() ? 0.5 : 0);
            String what = "step " + step;
            int op = rnd.nextInt(10);
            switch (op) {
                case 0, 1, 2, 3 -> {
                    long added = (Long) c.call("ZADD", key, fmt(score), member);
                    assertEquals(m.scores.containsKey(member) ? 0L : 1L, added, what);
                    m.add(member, score);
                }
                case 4 -> {
                    double now = m.scores.getOrDefault(member, 0.0) + score;
                    assertEquals(fmt(now), s(c.call("ZINCRBY", key, fmt(score), member)), what);
                    m.add(member, now);
                }
                case 5 -> {
                    long removed = (Long) c.call("ZREM", key, member);
                    assertEquals(m.scores.remove(member) != null ? 1L : 0L, removed, what);
                }
                case 6 -> {
                    boolean max = rnd.nextBoolean();
                    int n = 1 + rnd.nextInt(4);
                    List<?> got = (List<?>) c.call(max ? "ZPOPMAX" : "ZPOPMIN", key, "" + n);
                    List<String> order = m.sorted();
                    if (max) java.util.Collections.reverse(order);
                    List<String> exp = new ArrayList<>();
                    for (String x : order.subList(0, Math.min(n, order.size()))) {
                        exp.add(x);
                        exp.add(fmt(m.scores.remove(x)));
                    }
                    List<String> act = new ArrayList<>();
                    for (Object o : got) act.add(s(o));
                    assertEquals(exp, act, what);
                }
                case 7 -> {
                    double lo = score;
                    double hi = score + rnd.nextInt(3);
                    long removed = (Long) c.call("ZREMRANGEBYSCORE", key, fmt(lo), fmt(hi));
                    long exp = m.scores.entrySet().stream().filter(e -> e.getValue() >= lo && e.getValue() <= hi).count();
                    m.scores.values().removeIf(v -> v >= lo && v <= hi);
                    assertEquals(exp, removed, what);
                }
                case 8 -> {
                    int start = rnd.nextInt(4);
                    int stop = start + rnd.nextInt(4);
                    List<String> order = m.sorted();
                    long removed = (Long) c.call("ZREMRANGEBYRANK", key, "" + start, "" + stop);
                    long exp = 0;
                    for (int i = start; i <= stop && i < order.size(); i++) {
                        m.scores.remove(order.get(i));
                        exp++;
                    }
                    assertEquals(exp, removed, what);
                }
                default -> {
                    String src = keys[rnd.nextInt(keys.length)];
                    Model sm = models.getOrDefault(src, new Model());
                    Map<String, Double> union = new HashMap<>(m.scores);
                    sm.scores.forEach((x, v) -> union.merge(x, v, Double::sum));
                    String dst = "d" + rnd.nextInt(2);
                    long n = (Long) c.call("ZUNIONSTORE", dst, "2", key, src);
                    assertEquals((long) union.size(), n, what);
                    models.put(dst, Model.result(union));
                    check(models, dst, what + " (union into " + dst + ")");
                    List<String> order = m.sorted();
                    if (!order.isEmpty()) {
                        int a = rnd.nextInt(order.size());
                        int b = a + rnd.nextInt(12);
                        Map<String, Double> slice = new HashMap<>();
                        for (int i = a; i <= b && i < order.size(); i++) slice.put(order.get(i), m.scores.get(order.get(i)));
                        String dst2 = "r" + rnd.nextInt(2);
                        c.call("ZRANGESTORE", dst2, key, "" + a, "" + b);
                        models.put(dst2, Model.result(slice));
                        check(models, dst2, what + " (rangestore into " + dst2 + ")");
                    }
                }
            }
            if (m.scores.isEmpty()) m.skiplist = false;
            check(models, key, what + " op " + op);
        }
    }
}
