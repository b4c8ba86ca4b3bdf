package io.tandem.storage.keyspace;

import static org.junit.jupiter.api.Assertions.*;

import io.tandem.storage.collection.HashTable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The snapshot walk's contract: every key present when the walk starts is visited exactly once,
 * in the bucket {@code bucketOf} names, even when maps grow and migrate between visits; and the
 * write observer hears of every change before it happens.
 */
class SnapshotWalkTest {
    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    ChronicleKeyspace ks;

    @BeforeEach
    void open() {
        ks = ChronicleKeyspace.open(4, ChronicleKeyspaceTest.SMALL);
        ks.setClock(clock::get);
    }

    @AfterEach
    void close() {
        ks.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void everyKeyOnceInItsBucketAcrossGrowthAndMigration() {
        Database db = ks.db(0);
        for (int i = 0; i < 5000; i++) db.put(b("k" + i), StoredValue.TYPE_STRING, Encoding.RAW, b("v" + i), -1);
        Database.SnapshotWalk w = db.snapshotWalk();
        assertTrue(w.buckets() > 0);
        Map<String, Integer> seen = new HashMap<>();
        int half = w.buckets() / 2;
        for (int bkt = 0; bkt < w.buckets(); bkt++) {
            if (bkt == half) {
                // growth and migrations between slices: tables are added and drained
                for (int i = 5000; i < 40000; i++) db.put(b("k" + i), StoredValue.TYPE_STRING, Encoding.RAW, b("v"), -1);
                while (ks.tick(100_000)) { }
            }
            final int bucket = bkt;
            w.visit(bkt, (k, v) -> {
                String key = new String(k, StandardCharsets.US_ASCII);
                assertEquals(bucket, w.bucketOf(k), key);
                assertNull(seen.put(key, bucket), "visited twice: " + key);
            });
        }
        for (int i = 0; i < 5000; i++) assertTrue(seen.containsKey("k" + i), "missed k" + i);
        for (int i = 5000; i < 40000; i++) {
            Integer at = seen.get("k" + i);
            if (at != null) assertTrue(at >= half, "a key added later is only seen in buckets walked later");
        }
    }

    @Test
    void emptyDatabaseHasNoBuckets() {
        assertEquals(0, ks.db(2).snapshotWalk().buckets());
    }

    @Test
    void observerHearsOfChangesBeforeTheyHappen() {
        Database db = ks.db(1);
        List<String> events = new ArrayList<>();
        db.put(b("a"), StoredValue.TYPE_STRING, Encoding.RAW, b("1"), -1);
        HashTable t = new HashTable();
        t.put(b("f"), b("v"));
        db.putObject(b("h"), StoredValue.TYPE_HASH, Encoding.HASHTABLE, t, -1);
        db.put(b("e"), StoredValue.TYPE_STRING, Encoding.RAW, b("x"), clock.get() + 10);
        ks.setWriteObserver(new WriteObserver() {
            @Override
            public void beforeChange(int d, byte[] key) {
                StoredValue v = ks.db(d).peek(key);
                events.add("change " + d + " " + new String(key, StandardCharsets.US_ASCII) + "=" + (v == null ? "null" : v.type));
            }

            @Override
            public void beforeClear(int d) {
                events.add("clear " + d);
            }

            @Override
            public void beforeClearAll() {
                events.add("clearAll");
            }

            @Override
            public void beforeSwap(int x, int y) {
                events.add("swap " + x + " " + y);
            }
        });
        db.put(b("a"), StoredValue.TYPE_STRING, Encoding.RAW, b("2"), -1);
        db.put(b("new"), StoredValue.TYPE_STRING, Encoding.RAW, b("2"), -1);
        assertNotNull(db.get(b("a")));
        assertEquals(List.of("change 1 a=0", "change 1 new=null"), events, "plain reads are not reported");
        events.clear();
        db.get(b("h")); // an on-heap object may be mutated in place by the caller
        db.setExpire(b("a"), clock.get() + 1000);
        db.delete(b("new"));
        clock.addAndGet(20);
        assertNull(db.get(b("e"))); // lazy expiry
        assertEquals(List.of("change 1 h=4", "change 1 a=0", "change 1 new=0", "change 1 e=0"), events);
        events.clear();
        ks.swap(0, 1);
        db.clear();
        ks.clearAll();
        assertEquals(List.of("swap 0 1", "clear 1", "clearAll", "clear 0"), events);
        ks.setWriteObserver(null);
    }
}
