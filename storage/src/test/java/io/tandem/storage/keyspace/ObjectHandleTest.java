package io.tandem.storage.keyspace;

import io.tandem.storage.collection.HashTable;
import io.tandem.storage.collection.QuickList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On-heap objects referenced from off-heap records: every way a record goes away releases its handle. */
class ObjectHandleTest {
    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final List<String> expired = new ArrayList<>();
    ChronicleKeyspace ks;

    @BeforeEach
    void open() {
        ks = ChronicleKeyspace.open(4, ChronicleKeyspaceTest.SMALL);
        ks.setClock(clock::get);
        ks.setExpiryListener((db, key) -> expired.add(db + ":" + new String(key, StandardCharsets.US_ASCII)));
    }

    @AfterEach
    void close() {
        ks.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static HashTable hash(int n) {
        HashTable t = new HashTable();
        for (int i = 0; i < n; i++) t.put(b("f" + i), b("v" + i));
        return t;
    }

    void putHash(Database db, String key, SizedObject o, long expireAt) {
        db.putObject(b(key), StoredValue.TYPE_HASH, Encoding.HASHTABLE, o, expireAt);
    }

    @Test
    void getReturnsTheLiveObjectAndInPlaceChangesNeedNoPut() {
        Database db = ks.db(0);
        HashTable t = hash(3);
        putHash(db, "h", t, StoredValue.NO_EXPIRE);
        StoredValue v = db.get(b("h"));
        assertSame(t, v.object);
        assertEquals(StoredValue.TYPE_HASH, v.type);
        assertEquals(Encoding.HASHTABLE, v.encoding);
        assertEquals(0, v.payload.length);
        ((HashTable) v.object).put(b("new"), b("x"));
        assertEquals(4, ((HashTable) db.get(b("h")).object).size());
        assertEquals(1, db.objectCount());
    }

    @Test
    void overwriteDeleteAndReplaceReleaseHandles() {
        Database db = ks.db(0);
        putHash(db, "h", hash(2), StoredValue.NO_EXPIRE);
        putHash(db, "h", hash(3), StoredValue.NO_EXPIRE); // object over object
        assertEquals(1, db.objectCount());
        db.put(b("h"), StoredValue.TYPE_STRING, Encoding.RAW, b("s"), StoredValue.NO_EXPIRE); // string over object
        assertEquals(0, db.objectCount());
        assertNull(db.get(b("h")).object);
        putHash(db, "h", hash(1), StoredValue.NO_EXPIRE); // object over string
        assertEquals(1, db.objectCount());
        assertTrue(db.delete(b("h")));
        assertEquals(0, db.objectCount());
        assertFalse(db.delete(b("h")));
    }

    @Test
    void lazyAndActiveExpiryRelease() {
        Database db = ks.db(0);
        long now = clock.get();
        putHash(db, "lazy", hash(1), now + 10);
        putHash(db, "active", hash(1), now + 10);
        putHash(db, "kept", hash(1), now + 1_000_000);
        assertEquals(3, db.objectCount());
        clock.addAndGet(20);
        assertNull(db.get(b("lazy")));
        assertEquals(2, db.objectCount());
        int n = 0;
        for (int i = 0; i < 100 && n == 0; i++) n += db.activeExpire(100);
        assertEquals(1, n);
        assertEquals(1, db.objectCount());
        assertTrue(expired.contains("0:lazy") && expired.contains("0:active"));
        // KEEP_TTL and setExpire keep the handle valid
        db.setExpire(b("kept"), StoredValue.NO_EXPIRE);
        assertNotNull(db.get(b("kept")).object);
        db.setExpire(b("kept"), clock.get() + 5000);
        assertNotNull(db.get(b("kept")).object);
        // an expired object overwritten by a put is released too
        clock.addAndGet(10_000);
        putHash(db, "kept", hash(2), StoredValue.NO_EXPIRE);
        assertEquals(1, db.objectCount());
        assertEquals(2, ((HashTable) db.get(b("kept")).object).size());
    }

    @Test
    void clearSwapAndCloseRelease() {
        Database d0 = ks.db(0);
        Database d1 = ks.db(1);
        HashTable a = hash(5);
        putHash(d0, "a", a, StoredValue.NO_EXPIRE);
        QuickList q = new QuickList();
        q.addLast(b("x"));
        d1.putObject(b("l"), StoredValue.TYPE_LIST, Encoding.QUICKLIST, q, StoredValue.NO_EXPIRE);
        ks.swap(0, 1);
        assertSame(q, ks.db(0).get(b("l")).object);
        assertSame(a, ks.db(1).get(b("a")).object);
        assertEquals(1, ks.db(0).objectCount());
        ks.db(0).clear();
        assertEquals(0, ks.db(0).objectCount());
        assertEquals(1, ks.db(1).objectCount());
        ks.clearAll();
        assertEquals(0, ks.db(1).objectCount());
        putHash(ks.db(2), "z", hash(1), StoredValue.NO_EXPIRE);
        ks.close();
        assertEquals(0, ks.db(2).objectCount());
    }

    @Test
    void forEachSampleAndCopy() {
        Database db = ks.db(0);
        Map<String, SizedObject> put = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            HashTable t = hash(i + 1);
            put.put("k" + i, t);
            putHash(db, "k" + i, t, StoredValue.NO_EXPIRE);
        }
        Map<String, SizedObject> seen = new HashMap<>();
        db.forEach((k, v) -> seen.put(new String(k, StandardCharsets.US_ASCII), v.object));
        assertEquals(put, seen);
        List<StoredValue> sampled = new ArrayList<>();
        db.sample(5, false, (k, v) -> sampled.add(v));
        assertFalse(sampled.isEmpty());
        for (StoredValue v : sampled) assertNotNull(v.object);
        // COPY: a deep copy stored under another key is independent
        HashTable src = (HashTable) db.get(b("k3")).object;
        db.putObject(b("copy"), StoredValue.TYPE_HASH, Encoding.HASHTABLE, src.copy(), StoredValue.NO_EXPIRE);
        HashTable dst = (HashTable) db.get(b("copy")).object;
        assertNotSame(src, dst);
        dst.put(b("only-in-copy"), b("1"));
        assertNull(src.get(b("only-in-copy")));
        assertEquals(51, db.objectCount());
    }

    @Test
    void memoryUsageCountsObjects() {
        Database db = ks.db(0);
        long before = db.memoryUsage();
        HashTable t = hash(10_000);
        putHash(db, "big", t, StoredValue.NO_EXPIRE);
        long withObject = db.memoryUsage();
        assertTrue(withObject - before >= t.memoryUsage(), withObject - before + " < " + t.memoryUsage());
        assertTrue(t.memoryUsage() > 10_000 * 10, "at least the data: " + t.memoryUsage());
        long key = db.memoryUsage(b("big"));
        assertTrue(key >= t.memoryUsage());
        t.put(b("more-data-" + "x".repeat(1000)), new byte[100_000]);
        assertTrue(db.memoryUsage(b("big")) >= key + 100_000, "in-place growth is seen");
        db.delete(b("big"));
        assertTrue(db.memoryUsage() < withObject);
    }

    @Test
    void randomOperationsNeverLeakHandles() {
        Random rnd = new Random(7);
        Map<String, Boolean> model = new HashMap<>(); // key -> holds an object
        for (int i = 0; i < 5000; i++) {
            String k = "k" + rnd.nextInt(200);
            Database db = ks.db(0);
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    putHash(db, k, hash(1), StoredValue.NO_EXPIRE);
                    model.put(k, true);
                }
                case 1 -> {
                    db.put(b(k), StoredValue.TYPE_STRING, Encoding.RAW, b("v"), StoredValue.NO_EXPIRE);
                    model.put(k, false);
                }
                case 2 -> {
                    db.delete(b(k));
                    model.remove(k);
                }
                default -> {
                    StoredValue v = db.get(b(k));
                    assertEquals(Boolean.TRUE.equals(model.get(k)), v != null && v.object != null);
                }
            }
            if (i % 500 == 0) {
                assertEquals(model.values().stream().filter(x -> x).count(), db.objectCount());
            }
        }
        assertEquals(model.values().stream().filter(x -> x).count(), ks.db(0).objectCount());
    }
}
