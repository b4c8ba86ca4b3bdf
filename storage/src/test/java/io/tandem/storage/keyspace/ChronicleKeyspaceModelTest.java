package io.tandem.storage.keyspace;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random operations against a {@link HashMap} reference model, on a keyspace that starts tiny
 * (so shards resize several times mid-run) and with a low inline limit (so big-value blocks are
 * exercised with small values).
 */
class ChronicleKeyspaceModelTest {
    static final int DBS = 3;
    static final ChronicleKeyspace.Options TINY = new ChronicleKeyspace.Options(1, 64, 64, 4, 200);

    record Val(byte type, byte enc, byte[] payload, long expireAt) {}

    static ByteBuffer k(byte[] key) {
        return ByteBuffer.wrap(key);
    }

    @Test
    void fixedSeeds() {
        for (long seed : new long[] {1, 2, 3}) run(seed, 20000);
    }

    @Test
    void randomSeed() {
        run(System.nanoTime(), 20000);
    }

    private void run(long seed, int ops) {
        try {
            runModel(seed, ops);
        } catch (Throwable t) {
            throw new AssertionError("model test failed with seed " + seed + ": " + t, t);
        }
    }

    private void runModel(long seed, int ops) {
        Random rnd = new Random(seed);
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        List<Map<ByteBuffer, Val>> model = new ArrayList<>();
        for (int i = 0; i < DBS; i++) model.add(new HashMap<>());
        int[] current = {0};
        try (ChronicleKeyspace ks = ChronicleKeyspace.open(DBS, TINY)) {
            ks.setClock(clock::get);
            ks.setExpiryListener((db, key) -> {
                Val v = model.get(db).remove(k(key));
                assertNotNull(v, "listener reported a key the model does not have");
                assertTrue(v.expireAt != -1 && v.expireAt <= clock.get(), "listener reported a live key");
            });
            int keySpace = 3000;
            for (int op = 0; op < ops; op++) {
                int dbi = rnd.nextInt(10) < 7 ? 0 : rnd.nextInt(DBS);
                current[0] = dbi;
                Database db = ks.db(dbi);
                Map<ByteBuffer, Val> m = model.get(dbi);
                byte[] key = ("key:" + rnd.nextInt(keySpace)).getBytes(StandardCharsets.US_ASCII);
                long now = clock.get();
                int r = rnd.nextInt(100);
                if (r < 40) {
                    byte[] payload = new byte[rnd.nextInt(10) == 0 ? 200 + rnd.nextInt(2000) : rnd.nextInt(60)];
                    rnd.nextBytes(payload);
                    int e = rnd.nextInt(10);
                    long exp = e < 6 ? -1 : e < 9 ? now + 1 + rnd.nextInt(5000) : Database.KEEP_TTL;
                    byte type = (byte) rnd.nextInt(5);
                    byte enc = (byte) rnd.nextInt(8);
                    db.put(key, type, enc, payload, exp);
                    Val old = m.get(k(key));
                    long eff = exp;
                    if (exp == Database.KEEP_TTL) {
                        eff = old != null && !(old.expireAt != -1 && old.expireAt <= now) ? old.expireAt : -1;
                    }
                    m.put(k(key), new Val(type, enc, payload, eff));
                } else if (r < 60) {
                    StoredValue v = db.get(key);
                    Val mv = live(m, key, now);
                    if (mv == null) {
                        assertNull(v);
                    } else {
                        assertNotNull(v, "missing key " + new String(key));
                        assertEquals(mv.type, v.type);
                        assertEquals(mv.enc, v.encoding);
                        assertArrayEquals(mv.payload, v.payload);
                        assertEquals(mv.expireAt, v.expireAt);
                    }
                } else if (r < 67) {
                    boolean d = db.delete(key);
                    Val mv = live(m, key, now);
                    assertEquals(mv != null, d);
                    m.remove(k(key));
                } else if (r < 72) {
                    Val mv = live(m, key, now);
                    assertEquals(mv != null, db.exists(key));
                    assertEquals(mv == null ? -1 : mv.type, db.type(key));
                    assertEquals(mv == null ? -2 : mv.expireAt, db.getExpire(key));
                } else if (r < 80) {
                    long exp = rnd.nextInt(3) == 0 ? -1 : now + 1 + rnd.nextInt(3000);
                    boolean ok = db.setExpire(key, exp);
                    Val mv = live(m, key, now);
                    assertEquals(mv != null, ok);
                    if (mv != null) m.put(k(key), new Val(mv.type, mv.enc, mv.payload, exp));
                } else if (r < 85) {
                    clock.addAndGet(rnd.nextInt(400));
                } else if (r < 87) {
                    byte[] rk = db.randomKey();
                    if (rk == null) {
                        assertTrue(liveCount(m, clock.get()) == 0, "randomKey null but keys live");
                    } else {
                        assertNotNull(live(m, rk, clock.get()), "randomKey returned a dead key");
                    }
                } else if (r < 89) {
                    int n = db.activeExpire(1 + rnd.nextInt(50));
                    assertTrue(n >= 0);
                } else if (r < 90) {
                    scanDuringGrowth(db, m, rnd, clock);
                } else if (r < 91 && rnd.nextInt(4) == 0) {
                    db.clear();
                    m.clear();
                    assertEquals(0, db.size());
                    assertEquals(0, db.memoryUsage());
                } else if (r < 92) {
                    int other = rnd.nextInt(DBS);
                    ks.swap(dbi, other);
                    Map<ByteBuffer, Val> t = model.get(dbi);
                    model.set(dbi, model.get(other));
                    model.set(other, t);
                } else if (r < 94) {
                    db.touch(key);
                } else {
                    ((ChronicleDatabase) db).tick(rnd.nextInt(64));
                }
                if (op % 500 == 0) verifyAll(ks, model, clock.get());
                for (int i = 0; i < DBS; i++) {
                    assertEquals(model.get(i).size(), ks.db(i).size(), "size of db " + i + " after op " + op);
                }
            }
            verifyAll(ks, model, clock.get());
            long resizes = ks.resizes();
            assertTrue(resizes >= 3, "expected several resizes, got " + resizes);
            ks.clearAll();
            assertEquals(0, ks.memoryUsage());
        }
    }

    /** The model's live value, removing an expired key exactly as the keyspace's lazy expiry does. */
    private static Val live(Map<ByteBuffer, Val> m, byte[] key, long now) {
        Val v = m.get(k(key));
        if (v == null) return null;
        if (v.expireAt != -1 && v.expireAt <= now) {
            // the keyspace deleted it and told the listener, which removed it from the model
            return null;
        }
        return v;
    }

    private static long liveCount(Map<ByteBuffer, Val> m, long now) {
        return m.values().stream().filter(v -> v.expireAt == -1 || v.expireAt > now).count();
    }

    /** A full SCAN while puts make the shards grow: every key live throughout is returned. */
    private static void scanDuringGrowth(Database db, Map<ByteBuffer, Val> m, Random rnd, AtomicLong clock) {
        long now = clock.get();
        Set<ByteBuffer> mustSee = new HashSet<>();
        for (Map.Entry<ByteBuffer, Val> e : m.entrySet()) {
            Val v = e.getValue();
            if (v.expireAt == -1) mustSee.add(e.getKey()); // no TTL: stays live while the clock stands still
        }
        Set<ByteBuffer> seen = new HashSet<>();
        long cursor = 0;
        int steps = 0;
        do {
            cursor = db.scan(cursor, 1 + rnd.nextInt(30), key -> {
                seen.add(k(key));
                Val v = m.get(k(key));
                assertNotNull(v, "scan returned an absent key " + new String(key));
                assertTrue(v.expireAt == -1 || v.expireAt > now, "scan returned an expired key");
            });
            // grow meanwhile with fresh keys (never touching mustSee keys)
            for (int i = 0; i < 5; i++) {
                byte[] key = ("grow:" + rnd.nextInt(1_000_000)).getBytes(StandardCharsets.US_ASCII);
                byte[] p = new byte[rnd.nextInt(20)];
                db.put(key, StoredValue.TYPE_STRING, Encoding.RAW, p, -1);
                m.put(k(key), new Val(StoredValue.TYPE_STRING, Encoding.RAW, p, -1));
            }
            assertTrue(++steps < 1_000_000, "scan does not end");
        } while (cursor != 0);
        for (ByteBuffer b : mustSee) {
            if (!seen.contains(b)) fail("scan missed " + StandardCharsets.US_ASCII.decode(b.duplicate()));
        }
    }

    private static void verifyAll(ChronicleKeyspace ks, List<Map<ByteBuffer, Val>> model, long now) {
        for (int i = 0; i < DBS; i++) {
            Map<ByteBuffer, Val> m = model.get(i);
            Map<ByteBuffer, StoredValue> seen = new HashMap<>();
            ks.db(i).forEach((key, v) -> assertNull(seen.put(k(key), v), "forEach visited a key twice"));
            assertEquals(liveCount(m, now), seen.size(), "forEach count of db " + i);
            long expires = m.values().stream().filter(v -> v.expireAt != -1).count();
            assertEquals(expires, ks.db(i).expiresCount(), "expires of db " + i);
            for (Map.Entry<ByteBuffer, StoredValue> e : seen.entrySet()) {
                Val mv = m.get(e.getKey());
                assertNotNull(mv);
                assertTrue(Arrays.equals(mv.payload, e.getValue().payload));
                assertEquals(mv.expireAt, e.getValue().expireAt);
            }
            if (!m.isEmpty()) assertTrue(ks.db(i).memoryUsage() > 0);
        }
    }
}
