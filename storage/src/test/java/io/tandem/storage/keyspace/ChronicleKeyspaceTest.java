package io.tandem.storage.keyspace;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ChronicleKeyspaceTest {
    /** Small first maps so a few thousand keys force resizes. */
    static final ChronicleKeyspace.Options SMALL = new ChronicleKeyspace.Options(2, 64, 64, 8, 8 * 1024);

    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final List<String> expired = new ArrayList<>();
    ChronicleKeyspace ks;

    @BeforeEach
    void open() {
        ks = ChronicleKeyspace.open(16, SMALL);
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

    static void putString(Database db, String key, byte[] value, long expireAt) {
        db.put(b(key), StoredValue.TYPE_STRING, Encoding.RAW, value, expireAt);
    }

    @Test
    void bigValuesRoundTripAndAreFreed() {
        Database db = ks.db(0);
        Random rnd = new Random(42);
        byte[] twenty = new byte[20 * 1024 * 1024];
        rnd.nextBytes(twenty);
        byte[] six = new byte[600 * 1024];
        rnd.nextBytes(six);
        long base = db.memoryUsage();

        putString(db, "big20", twenty, StoredValue.NO_EXPIRE);
        putString(db, "big600", six, clock.get() + 60_000);
        long withBoth = db.memoryUsage();
        assertTrue(withBoth - base >= twenty.length + six.length, "memory counts big values: " + (withBoth - base));
        assertArrayEquals(twenty, db.get(b("big20")).payload);
        StoredValue v = db.get(b("big600"));
        assertArrayEquals(six, v.payload);
        assertEquals(clock.get() + 60_000, v.expireAt);
        assertTrue(db.memoryUsage(b("big20")) >= twenty.length);

        // a fresh copy each time
        db.get(b("big600")).payload[0] ^= 1;
        assertArrayEquals(six, db.get(b("big600")).payload);

        // overwrite the 20 MB value with a small one: its block is freed
        putString(db, "big20", b("small"), StoredValue.NO_EXPIRE);
        long afterOverwrite = db.memoryUsage();
        assertTrue(withBoth - afterOverwrite >= twenty.length, "overwrite frees: " + (withBoth - afterOverwrite));
        assertArrayEquals(b("small"), db.get(b("big20")).payload);

        // setExpire/persist on a big value keeps it intact
        assertTrue(db.setExpire(b("big600"), StoredValue.NO_EXPIRE));
        assertArrayEquals(six, db.get(b("big600")).payload);
        assertTrue(db.delete(b("big600")));
        assertTrue(afterOverwrite - db.memoryUsage() >= six.length, "delete frees");
        assertTrue(db.delete(b("big20")));
        assertEquals(base, db.memoryUsage());

        // a value just above the inline limit, then a 512 KiB-class value in another db, then clear
        byte[] edge = new byte[8 * 1024 + 1];
        rnd.nextBytes(edge);
        putString(ks.db(3), "edge", edge, StoredValue.NO_EXPIRE);
        putString(ks.db(3), "big", six, StoredValue.NO_EXPIRE);
        assertArrayEquals(edge, ks.db(3).get(b("edge")).payload);
        ks.db(3).clear();
        assertEquals(0, ks.db(3).memoryUsage());
        assertNull(ks.db(3).get(b("big")));
    }

    @Test
    void memoryUsageFollowsKeys() {
        Database db = ks.db(1);
        assertEquals(0, db.memoryUsage());
        long last = 0;
        for (int i = 0; i < 3000; i++) {
            putString(db, "k" + i, new byte[100], i % 2 == 0 ? clock.get() + 1_000_000 : StoredValue.NO_EXPIRE);
            long now = db.memoryUsage();
            assertTrue(now > last, "memory grows with keys");
            last = now;
        }
        assertTrue(last >= 3000 * 100, "at least the payloads: " + last);
        assertEquals(-1, db.memoryUsage(b("nope")));
        assertTrue(db.memoryUsage(b("k0")) > 100);
        for (int i = 0; i < 3000; i++) {
            assertTrue(db.delete(b("k" + i)));
            long now = db.memoryUsage();
            assertTrue(now < last, "memory shrinks with deletes");
            last = now;
        }
        assertEquals(0, last);
        assertEquals(0, db.size());
        assertEquals(0, db.expiresCount());
    }

    @Test
    void scanReturnsEveryKeyWhileShardsGrow() {
        Database db = ks.db(0);
        Set<String> original = new HashSet<>();
        // 4 shards whose first maps (1024 entries, 4 segments) resize at 768: close to it
        for (int i = 0; i < 3000; i++) {
            putString(db, "orig:" + i, b("v" + i), StoredValue.NO_EXPIRE);
            original.add("orig:" + i);
        }
        // delete a few during the scan: they may or may not be returned; all others must be
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int step = 0;
        int grown = 0;
        long resizesBefore = ks.resizes();
        int stepsWhileResizing = 0;
        do {
            cursor = db.scan(cursor, 10, k -> seen.add(new String(k, StandardCharsets.US_ASCII)));
            if (((ChronicleDatabase) db).resizing()) stepsWhileResizing++;
            for (int i = 0; i < 30; i++) putString(db, "new:" + grown++, b("x"), StoredValue.NO_EXPIRE);
            if (step % 7 == 0) {
                String victim = "orig:" + (step * 13 % 3000);
                db.delete(b(victim));
                original.remove(victim);
            }
            step++;
            assertTrue(step < 100_000);
        } while (cursor != 0);
        assertTrue(ks.resizes() > resizesBefore, "the scan ran across resizes");
        assertTrue(stepsWhileResizing >= 2, "scan steps taken mid-resize: " + stepsWhileResizing);
        for (String k : original) if (!seen.contains(k)) fail("scan missed " + k);
        // a full scan with no writes returns exactly the keys
        Set<String> all = new HashSet<>();
        cursor = 0;
        do {
            cursor = db.scan(cursor, 100, k -> all.add(new String(k, StandardCharsets.US_ASCII)));
        } while (cursor != 0);
        assertEquals(db.size(), all.size());
    }

    @Test
    void scanSkipsAndReapsExpiredKeys() {
        Database db = ks.db(0);
        putString(db, "live", b("1"), StoredValue.NO_EXPIRE);
        putString(db, "dying", b("2"), clock.get() + 10);
        clock.addAndGet(10);
        List<String> seen = new ArrayList<>();
        long cursor = 0;
        do {
            cursor = db.scan(cursor, 10, k -> seen.add(new String(k, StandardCharsets.US_ASCII)));
        } while (cursor != 0);
        assertEquals(List.of("live"), seen);
        assertEquals(List.of("0:dying"), expired);
        assertEquals(1, db.size());
    }

    @Test
    void activeExpireRemovesExpiredKeysAndResumes() {
        Database db = ks.db(2);
        for (int i = 0; i < 1500; i++) {
            putString(db, "t" + i, b("v"), clock.get() + 100 + (i % 3) * 1000);
            putString(db, "p" + i, b("v"), StoredValue.NO_EXPIRE);
        }
        assertEquals(1500, db.expiresCount());
        clock.addAndGet(100); // a third of the volatile keys expire
        int total = 0;
        int calls = 0;
        while (total < 500) {
            int n = db.activeExpire(20);
            assertTrue(n <= 20 + 64 * 4, "bounded work per call");
            total += n;
            assertTrue(++calls < 10_000, "activeExpire makes no progress");
        }
        assertTrue(calls > 5, "work was spread over calls (resumes): " + calls);
        assertEquals(500, total);
        assertEquals(500, expired.size());
        for (String e : expired) assertTrue(e.startsWith("2:t"));
        assertEquals(2500, db.size());
        assertEquals(1000, db.expiresCount());
        assertEquals(0, db.activeExpire(10_000));
    }

    @Test
    void lazyExpiryOnMasterDeletesAndNotifies() {
        Database db = ks.db(0);
        putString(db, "a", b("1"), clock.get() + 5);
        assertEquals(clock.get() + 5, db.getExpire(b("a")));
        clock.addAndGet(5);
        assertNull(db.get(b("a")));
        assertEquals(List.of("0:a"), expired);
        assertEquals(0, db.size());
        assertEquals(0, db.expiresCount());
        assertEquals(-2, db.getExpire(b("a")));
        assertFalse(db.setExpire(b("a"), clock.get() + 100));
    }

    @Test
    void replicaReadsExpiredKeysAsMissingButKeepsThem() {
        ks.setExpireDeletes(false);
        Database db = ks.db(0);
        putString(db, "a", b("1"), clock.get() + 5);
        putString(db, "b", b("2"), StoredValue.NO_EXPIRE);
        clock.addAndGet(5);
        assertNull(db.get(b("a")));
        assertFalse(db.exists(b("a")));
        assertEquals(-1, db.type(b("a")));
        assertEquals(-2, db.getExpire(b("a")));
        assertEquals(2, db.size(), "still there, awaiting the master's DEL");
        assertEquals(0, db.activeExpire(100));
        for (int i = 0; i < 20; i++) assertArrayEquals(b("b"), db.randomKey());
        assertTrue(expired.isEmpty());
        // the master's DEL removes it (it was not live: false)
        assertFalse(db.delete(b("a")));
        assertEquals(1, db.size());
        assertEquals(0, db.expiresCount());
        assertTrue(expired.isEmpty());
    }

    @Test
    void keepTtlTouchAndSetExpire() {
        Database db = ks.db(0);
        putString(db, "k", b("1"), clock.get() + 1000);
        putString(db, "k", b("2"), Database.KEEP_TTL);
        assertEquals(clock.get() + 1000, db.getExpire(b("k")));
        putString(db, "k", b("3"), StoredValue.NO_EXPIRE);
        assertEquals(-1, db.getExpire(b("k")));
        assertEquals(0, db.expiresCount());
        assertTrue(db.setExpire(b("k"), clock.get() + 50));
        assertEquals(1, db.expiresCount());
        assertTrue(db.setExpire(b("k"), clock.get() + 70));
        assertEquals(clock.get() + 70, db.get(b("k")).expireAt);
        assertArrayEquals(b("3"), db.get(b("k")).payload);
        assertTrue(db.setExpire(b("k"), StoredValue.NO_EXPIRE));
        assertEquals(0, db.expiresCount());
        assertArrayEquals(b("3"), db.get(b("k")).payload);

        int lru0 = db.get(b("k")).lru;
        assertEquals((int) (clock.get() / 1000 & 0xFFFFFF), lru0);
        clock.addAndGet(10_000);
        db.touch(b("k"));
        assertEquals(lru0 + 10, db.get(b("k")).lru);
        StoredValue v = db.get(b("k"));
        assertEquals(StoredValue.TYPE_STRING, v.type);
        assertEquals(Encoding.RAW, v.encoding);
    }

    @Test
    void databasesAreLazySwappableAndClearable() {
        ChronicleDatabase d5 = ks.db(5);
        ChronicleDatabase d6 = ks.db(6);
        assertEquals(0, d5.size());
        assertNull(d5.get(b("x")));
        assertNull(d5.randomKey());
        assertEquals(0, d5.scan(0, 10, k -> fail()));
        assertEquals(0, d5.memoryUsage());
        putString(d5, "x", b("5"), StoredValue.NO_EXPIRE);
        ks.swap(5, 6);
        assertSame(d5, ks.db(5));
        assertNull(d5.get(b("x")));
        assertArrayEquals(b("5"), d6.get(b("x")).payload);
        assertEquals(6, d6.index());
        putString(d6, "gone", b("1"), clock.get() + 1);
        clock.addAndGet(1);
        assertNull(d6.get(b("gone")));
        assertEquals(List.of("6:gone"), expired);
        ks.clearAll();
        assertEquals(0, d6.size());
        assertEquals(0, ks.memoryUsage());
    }

    private static void assertSame(Object a, Object b) {
        assertTrue(a == b);
    }

    @Test
    void randomKeyAndSample() {
        Database db = ks.db(0);
        assertNull(db.randomKey());
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            putString(db, "r" + i, b("v" + i), i % 2 == 0 ? clock.get() + 100_000 : StoredValue.NO_EXPIRE);
            keys.add("r" + i);
        }
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 2000; i++) picked.add(new String(db.randomKey(), StandardCharsets.US_ASCII));
        assertTrue(keys.containsAll(picked));
        assertTrue(picked.size() > 300, "randomKey spreads: " + picked.size());

        List<String> sampled = new ArrayList<>();
        db.sample(5, false, (k, v) -> {
            String s = new String(k, StandardCharsets.US_ASCII);
            assertArrayEquals(b("v" + s.substring(1)), v.payload);
            sampled.add(s);
        });
        assertEquals(5, sampled.size());
        List<StoredValue> vol = new ArrayList<>();
        db.sample(16, true, (k, v) -> vol.add(v));
        assertFalse(vol.isEmpty());
        for (StoredValue v : vol) assertEquals(clock.get() + 100_000, v.expireAt);
    }

    @Test
    void forEachVisitsEveryLiveKeyOnce() {
        Database db = ks.db(0);
        for (int i = 0; i < 3000; i++) putString(db, "f" + i, b("v" + i), i < 10 ? clock.get() + 1 : -1);
        clock.addAndGet(1);
        Set<ByteBuffer> seen = new HashSet<>();
        db.forEach((k, v) -> {
            assertTrue(seen.add(ByteBuffer.wrap(k)));
            assertArrayEquals(b("v" + new String(k, StandardCharsets.US_ASCII).substring(1)), v.payload);
        });
        assertEquals(2990, seen.size());
        assertEquals(3000, db.size(), "forEach deletes nothing");
    }

    @Test
    void tooLongKeyIsRefusedCleanly() {
        Database db = ks.db(0);
        byte[] key = new byte[ChronicleDatabase.MAX_KEY + 1];
        assertThrows(IllegalArgumentException.class,
                () -> db.put(key, StoredValue.TYPE_STRING, Encoding.RAW, new byte[10], -1));
        byte[] longest = new byte[ChronicleDatabase.MAX_KEY];
        longest[0] = 7;
        db.put(longest, StoredValue.TYPE_STRING, Encoding.RAW, new byte[100_000], -1);
        assertEquals(100_000, db.get(longest).payload.length);
        assertNotNull(db.randomKey());
    }
}
