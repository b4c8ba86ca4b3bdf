package io.tandem.storage.keyspace;

import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;
import io.tandem.storage.util.ScanCursor;

import java.util.SplittableRandom;

/**
 * A byte[] → byte[] hash map off the Java heap that grows without limit: a fixed number of
 * <em>shards</em> (chosen by the top bits of the key's hash), each a short chain of Chronicle
 * Maps of which the newest takes all writes while the older ones are drained into it a few
 * entries at a time.
 *
 * <h2>Why</h2>
 * A Chronicle Map is sized when it is created and throws once its extra tiers run out; it never
 * rehashes. So each shard starts with a small map and, when it passes 75% of its planned
 * entries (or of its planned bytes, or a put throws because the tiers ran out), a map about
 * twice as big, planned with the averages actually observed, is pushed in front of it:
 *
 * <pre>
 *   shard k:  tables[0] (newest: every write)  →  tables[1] (draining)  [→ tables[2] ...]
 *
 *   get(k)      look in tables[0], then tables[1], ...  (a key lives in exactly one table)
 *   put(k, v)   remove k from tables[1..], insert/replace in tables[0]
 *   remove(k)   remove from every table
 *   step(n)     move up to n entries of the oldest table's current segment into tables[0];
 *               an emptied segment advances the drain position; an emptied table is closed
 * </pre>
 *
 * Every mutating call on a shard first does a {@link #step} of {@code migrateBatch} entries, and
 * {@link #tick} lets an idle executor move more, so a migration is spread over many calls and
 * never pauses for seconds; the newest table is twice as big as the one it drains, which moves
 * far more entries per call than a call can add, so chains stay at two tables in practice
 * (a third appears only if a put throws while draining).
 *
 * <h2>Segments and the scan cursor</h2>
 * Every table has a power-of-two number of Chronicle segments and Chronicle picks an entry's
 * segment from the <em>low</em> bits of the key's 64-bit hash ({@code hash & (segments-1)}), the
 * same hash in every table. That is exactly the shape of Redis's dict buckets, so {@link #scan}
 * uses Redis's reverse-binary cursor over the smallest table's segment mask and, at each
 * position, visits that segment of the smallest table plus all the segments of bigger tables
 * that expand it. A key present throughout is in some table at every step, and whichever table
 * holds it, it is visited when the cursor covers its hash: moving between tables during a scan
 * cannot hide it (it can show it twice).
 *
 * <h2>Accounting</h2>
 * Counts and an estimate of off-heap bytes (entry rounded up to the table's chunk size, plus
 * {@link #ENTRY_OVERHEAD} for the hash-lookup slot and headers) are kept per table, exactly, on
 * every insert/replace/remove; Chronicle's own {@code size()} walks all segments and is not used.
 *
 * <p>Not thread-safe: one owner thread. Entry sizes are limited to {@link #MAX_ENTRY} bytes
 * (key + value); callers keep bigger values elsewhere.
 */
final class GrowableMap implements AutoCloseable {
    /** Largest key + value this map accepts; every table is built so that such an entry fits. */
    static final int MAX_ENTRY = 12 * 1024;
    /** Estimated bytes per entry beyond its chunk-rounded data: hash-lookup slot, size headers. */
    static final int ENTRY_OVERHEAD = 16;
    private static final double GROW_AT = 0.75;
    private static final int MIN_AVG_KEY = 16;
    private static final int MIN_AVG_VALUE = 16;

    /** Visits one entry's bytes inside a Chronicle context: copy what you need, do not call back. */
    interface EntryVisitor {
        /** Returns false to stop the current visit. */
        boolean visit(RandomDataInput kb, long koff, int klen, RandomDataInput vb, long voff, int vlen);
    }

    /** One Chronicle Map and its bookkeeping. */
    static final class Table {
        final ChronicleMap<byte[], byte[]> map;
        final long capacity;
        final int segments;
        final long chunkSize;
        final double plannedBytes;
        long count;
        long bytes;
        int drainSegment;

        Table(ChronicleMap<byte[], byte[]> map, long capacity, int segments, double plannedBytes) {
            this.map = map;
            this.capacity = capacity;
            this.segments = segments;
            this.plannedBytes = plannedBytes;
            this.chunkSize = ((VanillaChronicleHash<?, ?, ?, ?>) map).chunkSize;
        }

        long cost(long klen, long vlen) {
            long raw = stopBitLength(klen) + klen + stopBitLength(vlen) + vlen;
            return (raw + chunkSize - 1) / chunkSize * chunkSize + ENTRY_OVERHEAD;
        }
    }

    static final class Shard {
        /** tables[0] is the newest; never empty once the shard exists. */
        Table[] tables;
        long keyBytes;
        long valueBytes;
        long count;
    }

    private final String name;
    private final int shardBits;
    private final Shard[] shards;
    private final long initialCapacity;
    private final int entriesPerSegment;
    private final int migrateBatch;
    private final double initialAvgKey;
    private final double initialAvgValue;
    private final SplittableRandom random = new SplittableRandom(0x7a4de3);
    /** While positive (a forEach is running), no entries are moved between tables. */
    private int frozen;
    private long migrations;

    // reused by step(): lambdas capture these fields rather than locals, so no allocation per call
    private Table stepTarget;
    private int stepBudget;
    private boolean stepFailed;
    private Shard stepShard;
    private final java.util.function.Predicate<MapEntry<byte[], byte[]>> mover = this::moveEntry;

    private final Runnable onResize;

    GrowableMap(String name, int shardBits, long initialCapacity, int entriesPerSegment, int migrateBatch,
                double avgKey, double avgValue, Runnable onResize) {
        this.onResize = onResize;
        if (shardBits < 0 || shardBits > 12) throw new IllegalArgumentException("shardBits " + shardBits);
        this.name = name;
        this.shardBits = shardBits;
        this.shards = new Shard[1 << shardBits];
        this.initialCapacity = Math.max(64, initialCapacity);
        this.entriesPerSegment = Math.max(64, entriesPerSegment);
        this.migrateBatch = Math.max(1, migrateBatch);
        this.initialAvgKey = avgKey;
        this.initialAvgValue = avgValue;
        for (int i = 0; i < shards.length; i++) {
            Shard s = new Shard();
            s.tables = new Table[] {newTable(this.initialCapacity, avgKey, avgValue)};
            shards[i] = s;
        }
    }

    // ------------------------------------------------------------------ sizing

    private Table newTable(long capacity, double avgKey, double avgValue) {
        avgKey = Math.max(MIN_AVG_KEY, avgKey);
        avgValue = Math.max(MIN_AVG_VALUE, avgValue);
        int eps = entriesPerSegment;
        while (true) {
            long segs = Long.highestOneBit(Math.max(1, capacity / eps));
            if (segs > (1 << 30)) segs = 1 << 30;
            ChronicleMap<byte[], byte[]> map = ChronicleMapBuilder.of(byte[].class, byte[].class)
                    .name(name)
                    .entries(capacity)
                    .actualSegments((int) segs)
                    .averageKeySize(avgKey)
                    .averageValueSize(avgValue)
                    .maxBloatFactor(8.0)
                    .create();
            VanillaChronicleHash<?, ?, ?, ?> h = (VanillaChronicleHash<?, ?, ?, ?>) map;
            long maxEntry = h.chunkSize * h.maxChunksPerEntry;
            if (maxEntry >= MAX_ENTRY + 256 || segs == 1) {
                if (maxEntry < MAX_ENTRY + 256) {
                    map.close();
                    // a one-segment table too small for the largest entry: plan more entries
                    capacity *= 2;
                    continue;
                }
                return new Table(map, capacity, (int) segs, capacity * (avgKey + avgValue + 4));
            }
            map.close();
            eps *= 2; // fewer, bigger segments give bigger tiers, hence bigger entries
        }
    }

    private static int stopBitLength(long n) {
        int len = 1;
        while (n >= 0x80) {
            n >>>= 7;
            len++;
        }
        return len;
    }

    /**
     * Opens a query context for a heap key. Chronicle's {@code queryContext(byte[])} wraps the
     * array in a reference-counted heap store per call (measured: the top allocation site under
     * load) and hashes it through a slow accessor; copying the key into one reusable native
     * buffer avoids both. Contexts opened through it are used one at a time (the executor
     * thread), never nested.
     */
    private ExternalMapQueryContext<byte[], byte[], ?> query(Table t, byte[] key) {
        if (key.length > keyBuf.capacity()) return t.map.queryContext(key);
        keyBuf.write(0, key, 0, key.length);
        return t.map.queryContext(keyBuf, 0, key.length);
    }

    private final BytesStore<?, Void> keyBuf = BytesStore.nativeStoreWithFixedCapacity(MAX_ENTRY);

    private Shard shard(byte[] key) {
        if (shardBits == 0) return shards[0];
        long h = LongHashFunction.xx_r39().hashBytes(key);
        return shards[(int) (h >>> (64 - shardBits))];
    }

    /** Pushes a new, bigger table in front of the shard's chain. */
    private void grow(Shard s, boolean full) {
        Table newest = s.tables[0];
        long count = Math.max(1, s.count);
        double avgKey = s.count == 0 ? initialAvgKey : (double) s.keyBytes / count;
        double avgValue = s.count == 0 ? initialAvgValue : (double) s.valueBytes / count;
        long capacity = Math.max(initialCapacity, Long.highestOneBit(count) * 4);
        if (full || newest.count >= newest.capacity * GROW_AT) capacity = Math.max(capacity, newest.capacity * 2);
        Table t = newTable(capacity, avgKey * 1.1, avgValue * 1.1);
        Table[] chain = new Table[s.tables.length + 1];
        chain[0] = t;
        System.arraycopy(s.tables, 0, chain, 1, s.tables.length);
        s.tables = chain;
        migrations++;
        onResize.run();
    }

    private void maybeGrow(Shard s) {
        Table n = s.tables[0];
        if (n.count >= n.capacity * GROW_AT || n.bytes >= n.plannedBytes * GROW_AT * 2) grow(s, false);
    }

    // ------------------------------------------------------------------ migration

    /** Moves up to {@code budget} entries of the shard's oldest table into its newest. */
    private void step(Shard s, int budget) {
        if (frozen > 0) return;
        while (budget > 0 && s.tables.length > 1) {
            Table oldest = s.tables[s.tables.length - 1];
            if (oldest.count == 0 || oldest.drainSegment >= oldest.segments) {
                dropOldest(s);
                continue;
            }
            stepTarget = s.tables[0];
            stepShard = s;
            stepBudget = budget;
            stepFailed = false;
            try (MapSegmentContext<byte[], byte[], ?> c = oldest.map.segmentContext(oldest.drainSegment)) {
                c.forEachSegmentEntryWhile(mover);
                if (!stepFailed && c.size() == 0) oldest.drainSegment++;
            }
            budget = stepBudget;
            if (stepFailed) {
                grow(s, true);
                return;
            }
        }
    }

    private boolean moveEntry(MapEntry<byte[], byte[]> e) {
        Table from = stepShard.tables[stepShard.tables.length - 1];
        Table to = stepTarget;
        Data<byte[]> k = e.key();
        Data<byte[]> v = e.value();
        try (ExternalMapQueryContext<byte[], byte[], ?> q = to.map.queryContext(k)) {
            q.updateLock().lock();
            MapEntry<byte[], byte[]> existing = q.entry();
            if (existing != null) {
                // cannot happen (a key lives in one table); keep the newer copy
                stepShard.count--;
                stepShard.keyBytes -= k.size();
                stepShard.valueBytes -= v.size();
                removeCounted(from, e, k.size(), v.size());
                return --stepBudget > 0;
            }
            q.insert(q.absentEntry(), v);
        } catch (IllegalStateException full) {
            stepFailed = true;
            return false;
        }
        to.count++;
        to.bytes += to.cost(k.size(), v.size());
        from.count--;
        from.bytes -= from.cost(k.size(), v.size());
        e.doRemove();
        return --stepBudget > 0;
    }

    private static void removeCounted(Table t, MapEntry<byte[], byte[]> e, long klen, long vlen) {
        t.count--;
        t.bytes -= t.cost(klen, vlen);
        e.doRemove();
    }

    private void dropOldest(Shard s) {
        Table oldest = s.tables[s.tables.length - 1];
        if (oldest.count != 0 || oldest.map.longSize() != 0) {
            // every segment was visited and emptied; anything left is a bookkeeping error
            throw new IllegalStateException(name + ": drained table still holds " + oldest.map.longSize());
        }
        oldest.map.close();
        Table[] chain = new Table[s.tables.length - 1];
        System.arraycopy(s.tables, 0, chain, 0, chain.length);
        s.tables = chain;
    }

    /** Moves up to {@code budget} entries in migrating shards; returns true if any migration is still under way. */
    boolean tick(int budget) {
        boolean busy = false;
        for (Shard s : shards) {
            if (s.tables.length > 1) {
                step(s, budget);
                busy |= s.tables.length > 1;
            }
        }
        return busy;
    }

    void freeze() {
        frozen++;
    }

    void unfreeze() {
        frozen--;
    }

    // ------------------------------------------------------------------ point operations

    /**
     * Copies up to {@code dst.length} leading bytes of the key's value into {@code dst}; returns
     * the value's full length, or -1 if absent.
     */
    int read(byte[] key, byte[] dst) {
        Shard s = shard(key);
        for (Table t : s.tables) {
            try (ExternalMapQueryContext<byte[], byte[], ?> q = query(t, key)) {
                MapEntry<byte[], byte[]> e = q.entry();
                if (e != null) {
                    Data<byte[]> v = e.value();
                    int len = (int) v.size();
                    v.bytes().read(v.offset(), dst, 0, Math.min(len, dst.length));
                    return len;
                }
            }
        }
        return -1;
    }

    /**
     * Inserts or replaces the value {@code [off, off+len)} of {@code store}. Returns true if the
     * key was new.
     */
    boolean put(byte[] key, BytesStore<?, ?> store, long off, int len) {
        if (key.length + len > MAX_ENTRY) {
            throw new IllegalArgumentException("entry of " + (key.length + len) + " bytes exceeds " + MAX_ENTRY);
        }
        Shard s = shard(key);
        step(s, migrateBatch);
        boolean existed = false;
        for (int i = 1; i < s.tables.length; i++) existed |= removeFrom(s, s.tables[i], key);
        for (int attempt = 0; ; attempt++) {
            Table t = s.tables[0];
            try (ExternalMapQueryContext<byte[], byte[], ?> q = query(t, key)) {
                q.updateLock().lock();
                MapEntry<byte[], byte[]> e = q.entry();
                Data<byte[]> v = q.wrapValueBytesAsData(store, off, len);
                if (e != null) {
                    long oldLen = e.value().size();
                    q.replaceValue(e, v);
                    t.bytes += t.cost(key.length, len) - t.cost(key.length, oldLen);
                    s.valueBytes += len - oldLen;
                    existed = true;
                } else {
                    q.insert(q.absentEntry(), v);
                    t.count++;
                    t.bytes += t.cost(key.length, len);
                    s.count++;
                    s.keyBytes += key.length;
                    s.valueBytes += len;
                }
            } catch (IllegalStateException full) {
                if (attempt > 3) throw full;
                grow(s, true);
                continue;
            }
            break;
        }
        maybeGrow(s);
        return !existed;
    }

    private boolean removeFrom(Shard s, Table t, byte[] key) {
        try (ExternalMapQueryContext<byte[], byte[], ?> q = query(t, key)) {
            q.updateLock().lock();
            MapEntry<byte[], byte[]> e = q.entry();
            if (e == null) return false;
            long vlen = e.value().size();
            q.remove(e);
            t.count--;
            t.bytes -= t.cost(key.length, vlen);
            s.count--;
            s.keyBytes -= key.length;
            s.valueBytes -= vlen;
            return true;
        }
    }

    /** Removes the key; true if it was there. */
    boolean remove(byte[] key) {
        Shard s = shard(key);
        step(s, migrateBatch);
        boolean removed = false;
        for (Table t : s.tables) {
            if (removeFrom(s, t, key)) {
                removed = true;
                break;
            }
        }
        return removed;
    }

    /** Overwrites {@code len} bytes of the key's value at {@code offset} with the low bytes of {@code v} (little-endian); false if absent. */
    boolean patch(byte[] key, int offset, long v, int len) {
        Shard s = shard(key);
        for (Table t : s.tables) {
            try (ExternalMapQueryContext<byte[], byte[], ?> q = query(t, key)) {
                q.writeLock().lock();
                MapEntry<byte[], byte[]> e = q.entry();
                if (e == null) continue;
                Data<byte[]> d = e.value();
                if (!(d.bytes() instanceof RandomDataOutput) || offset + len > d.size()) {
                    throw new IllegalStateException("value not writable in place");
                }
                RandomDataOutput<?> out = (RandomDataOutput<?>) d.bytes();
                long at = d.offset() + offset;
                for (int i = 0; i < len; i++) out.writeByte(at + i, (byte) (v >>> (8 * i)));
                return true;
            }
        }
        return false;
    }

    /** Bytes this key's entry is estimated to use, or -1. */
    long entryCost(byte[] key) {
        Shard s = shard(key);
        for (Table t : s.tables) {
            try (ExternalMapQueryContext<byte[], byte[], ?> q = query(t, key)) {
                MapEntry<byte[], byte[]> e = q.entry();
                if (e != null) return t.cost(key.length, e.value().size());
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ iteration

    int shardCount() {
        return shards.length;
    }

    int shardBits() {
        return shardBits;
    }

    /**
     * Visits every entry at scan position {@code v} of shard {@code shard} (see the class
     * comment) and returns the next position, 0 when the shard's pass is complete.
     */
    long scanShard(int shard, long v, EntryVisitor visitor) {
        Table[] ts = shards[shard].tables;
        long minMask = Long.MAX_VALUE;
        for (Table t : ts) minMask = Math.min(minMask, t.segments - 1);
        for (Table t : ts) {
            long mask = t.segments - 1;
            for (long j = v & minMask; j <= mask; j += minMask + 1) visitSegment(t, (int) j, visitor);
        }
        return ScanCursor.next(v, minMask);
    }

    private static boolean visitSegment(Table t, int segment, EntryVisitor visitor) {
        try (MapSegmentContext<byte[], byte[], ?> c = t.map.segmentContext(segment)) {
            return c.forEachSegmentEntryWhile(e -> {
                Data<byte[]> k = e.key();
                Data<byte[]> v = e.value();
                return visitor.visit(k.bytes(), k.offset(), (int) k.size(), v.bytes(), v.offset(), (int) v.size());
            });
        }
    }

    /** Visits every entry of every table (no migration meanwhile). */
    void forEach(EntryVisitor visitor) {
        for (Shard s : shards) {
            for (Table t : s.tables) {
                for (int i = 0; i < t.segments; i++) {
                    if (!visitSegment(t, i, visitor)) return;
                }
            }
        }
    }

    /** Visits every entry of one segment of one table: for callers that batch per segment. */
    int tableCount(int shard) {
        return shards[shard].tables.length;
    }

    int segments(int shard, int table) {
        return shards[shard].tables[table].segments;
    }

    boolean visitSegment(int shard, int table, int segment, EntryVisitor visitor) {
        return visitSegment(shards[shard].tables[table], segment, visitor);
    }

    // ------------------------------------------------------------------ hash buckets (snapshot walks)

    /** The key's 64-bit hash: its top {@code shardBits} bits pick the shard, its low bits the segment. */
    static long hash(byte[] key) {
        return LongHashFunction.xx_r39().hashBytes(key);
    }

    int shardOfHash(long h) {
        return shardBits == 0 ? 0 : (int) (h >>> (64 - shardBits));
    }

    /** The largest segment mask among the shard's tables now. */
    long maxSegmentMask(int shard) {
        long m = 0;
        for (Table t : shards[shard].tables) m = Math.max(m, t.segments - 1);
        return m;
    }

    private final byte[] bucketKey = new byte[MAX_ENTRY];

    /**
     * Visits every entry of shard {@code shard} whose hash satisfies {@code (hash & mask) == low},
     * in whichever table it lives: in a table with at least {@code mask + 1} segments those are
     * the segments {@code low, low + mask + 1, ...}; in a smaller table, segment
     * {@code low & (segments - 1)}, filtered by hash. Entries never leave their hash bucket when
     * they move between tables, so a walk over buckets is unaffected by migrations and growth
     * between calls. Throws if an entry sits in a segment its hash does not name (the layout
     * this relies on, also SCAN's, would be broken).
     */
    void visitHashBucket(int shard, long mask, long low, EntryVisitor visitor) {
        for (Table t : shards[shard].tables) {
            long tmask = t.segments - 1;
            long m = Math.min(mask, tmask);
            for (long j = low & m; j <= tmask; j += m + 1) {
                final long seg = j;
                visitSegment(t, (int) j, (kb, ko, kl, vb, vo, vl) -> {
                    kb.read(ko, bucketKey, 0, kl);
                    long h = LongHashFunction.xx_r39().hashBytes(bucketKey, 0, kl);
                    if ((h & tmask) != seg) throw new IllegalStateException(name + ": entry in segment " + seg + " has hash " + Long.toHexString(h));
                    if ((h & mask) == low) visitor.visit(kb, ko, kl, vb, vo, vl);
                    return true;
                });
            }
        }
    }

    /**
     * Visits about {@code n} entries from random places: a shard and table picked in proportion
     * to their counts, a random segment, then following segments. Visits nothing when empty.
     */
    void sample(int n, SplittableRandom rnd, EntryVisitor visitor) {
        long total = size();
        if (total == 0 || n <= 0) return;
        long r = rnd.nextLong(total);
        Table t = null;
        for (Shard s : shards) {
            for (Table x : s.tables) {
                if (r < x.count) {
                    t = x;
                    break;
                }
                r -= x.count;
            }
            if (t != null) break;
        }
        if (t == null) return;
        int seg = rnd.nextInt(t.segments);
        final int[] left = {n};
        for (int i = 0; i < t.segments && left[0] > 0; i++) {
            visitSegment(t, (seg + i) & (t.segments - 1), (kb, ko, kl, vb, vo, vl) -> {
                visitor.visit(kb, ko, kl, vb, vo, vl);
                return --left[0] > 0;
            });
        }
    }

    /** Visits one random entry (about uniformly); false when empty. */
    boolean randomEntry(SplittableRandom rnd, EntryVisitor visitor) {
        long total = size();
        if (total == 0) return false;
        for (int attempt = 0; attempt < 64; attempt++) {
            long r = rnd.nextLong(total);
            Table t = null;
            for (Shard s : shards) {
                for (Table x : s.tables) {
                    if (r < x.count) {
                        t = x;
                        break;
                    }
                    r -= x.count;
                }
                if (t != null) break;
            }
            if (t == null) return false;
            int seg = rnd.nextInt(t.segments);
            try (MapSegmentContext<byte[], byte[], ?> c = t.map.segmentContext(seg)) {
                long size = c.size();
                if (size == 0) continue;
                final long[] skip = {rnd.nextLong(size)};
                c.forEachSegmentEntryWhile(e -> {
                    if (skip[0]-- > 0) return true;
                    Data<byte[]> k = e.key();
                    Data<byte[]> v = e.value();
                    visitor.visit(k.bytes(), k.offset(), (int) k.size(), v.bytes(), v.offset(), (int) v.size());
                    return false;
                });
                return true;
            }
        }
        // sparse: take the first entry found from a random start
        final boolean[] found = {false};
        sample(1, rnd, (kb, ko, kl, vb, vo, vl) -> {
            found[0] = true;
            return visitor.visit(kb, ko, kl, vb, vo, vl);
        });
        return found[0];
    }

    // ------------------------------------------------------------------ totals, clear, close

    long size() {
        long n = 0;
        for (Shard s : shards) n += s.count;
        return n;
    }

    long memoryUsage() {
        long n = 0;
        for (Shard s : shards) for (Table t : s.tables) n += t.bytes;
        return n;
    }

    /** The shards' chains, e.g. {@code [16384/32:1200, 8192/16:30] ...}: capacity/segments:count per table. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (Shard s : shards) {
            sb.append('[');
            for (int i = 0; i < s.tables.length; i++) {
                Table t = s.tables[i];
                if (i > 0) sb.append(", ");
                sb.append(t.capacity).append('/').append(t.segments).append(':').append(t.count);
            }
            sb.append("] ");
        }
        return sb.toString().trim();
    }

    /** Number of tables pushed so far (for tests and INFO). */
    long migrations() {
        return migrations;
    }

    boolean migrating() {
        for (Shard s : shards) if (s.tables.length > 1) return true;
        return false;
    }

    /** Drops every entry: closes the tables and starts each shard again with a small one. */
    void clear() {
        for (Shard s : shards) {
            for (Table t : s.tables) t.map.close();
            s.tables = new Table[] {newTable(initialCapacity, initialAvgKey, initialAvgValue)};
            s.count = 0;
            s.keyBytes = 0;
            s.valueBytes = 0;
        }
    }

    @Override
    public void close() {
        if (keyBuf.refCount() > 0) keyBuf.releaseLast();
        for (Shard s : shards) {
            if (s.tables == null) continue;
            for (Table t : s.tables) t.map.close();
            s.tables = null;
            s.count = 0;
        }
    }

    SplittableRandom random() {
        return random;
    }
}
