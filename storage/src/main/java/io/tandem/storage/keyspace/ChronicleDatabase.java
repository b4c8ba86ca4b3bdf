package io.tandem.storage.keyspace;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A {@link Database} whose keys and values live off the Java heap in {@link GrowableMap}s
 * (sharded, incrementally resized Chronicle Maps), values too big for a map entry in
 * {@link BigValues}.
 *
 * <h2>Value record</h2>
 * The map value of each key is one record, little-endian:
 * <pre>
 *   0      1          2       3           6                  6 or 14
 *   +------+----------+-------+-----------+------------------+------------------------------+
 *   | type | encoding | flags | lru (24b) | expireAt (8)     | payload bytes                |
 *   +------+----------+-------+-----------+------------------+------------------------------+
 *                                           only if flags&1    or, if flags&2 (BIG), the
 *                                           (HAS_EXPIRE)       8-byte address of a BigValues
 *                                                              block holding the payload
 *                                                              or, if flags&4 (OBJECT), the
 *                                                              8-byte handle of an on-heap
 *                                                              object in the ObjectTable
 * </pre>
 * Why: the 6-byte header mirrors Redis's robj (type, encoding, 24-bit LRU/LFU) so a key without
 * a TTL pays no 8 bytes for one; flags tell the reader where the payload starts without a second
 * lookup. {@link #touch} and a changed TTL rewrite the header in place; adding or removing a TTL
 * rewrites the record. The payload length is the record length minus the header, so no length
 * field is needed (Chronicle stores the value size).
 *
 * <h2>Collections: small off-heap, large on-heap</h2>
 * A small collection (a hash within hash-max-listpack-entries/value, a list that fits one
 * quicklist node) is an ordinary payload: a Redis listpack, rewritten whole on every change. That
 * is O(n) with n bounded by the thresholds (≤ 128 entries, ≤ 8 KiB by default), exactly Redis's
 * own trade-off, and it keeps the heap flat for datasets of many small collections (a million
 * 10-field hashes cost no Java object at all). A large collection would make whole rewrites
 * O(n) per command with n unbounded, so it becomes a {@link SizedObject} on the Java heap (a
 * hash table, a deque) with Redis's complexity; the record's payload is then an 8-byte handle
 * into the store's {@link ObjectTable} (flags&4, OBJECT). Commands mutate the object in place
 * without a put. Every path that drops a record (delete, overwrite, lazy and active expiry,
 * FLUSHDB, close) releases its handle; SWAPDB swaps the stores, table included. The heap
 * therefore grows with the number of big collections, never with the number of keys.
 *
 * <h2>Expiry index</h2>
 * As Redis's {@code expires} dict: a second {@link GrowableMap} of key → expireAt (8 bytes LE)
 * holding exactly the keys whose record has HAS_EXPIRE. {@link #activeExpire} walks it with a
 * scan cursor kept between calls; volatile sampling samples it.
 *
 * <h2>SWAPDB and lazy creation</h2>
 * The maps are held in a {@link Store} that {@link ChronicleKeyspace#swap} exchanges between two
 * Database objects, so a Database reference stays valid for its index. A store is created on the
 * first write (database 0 eagerly, by the keyspace) and dropped by {@link #clear}.
 *
 * <p>Not thread-safe: owned by the executor thread. {@link #forEach} changes nothing (it moves
 * no entries between tables and deletes no expired key), but the owner's reads may, so run it
 * only while nobody else uses the database.
 */
public final class ChronicleDatabase implements Database {
    static final byte HAS_EXPIRE = 1;
    static final byte BIG = 2;
    static final byte OBJECT = 4;
    static final int HEADER = 6;
    /** Longest key accepted: a key and a BIG record must fit one map entry. */
    public static final int MAX_KEY = GrowableMap.MAX_ENTRY - HEADER - 16 - 64;

    /** The maps of one database's contents. */
    static final class Store implements AutoCloseable {
        final GrowableMap main;
        final GrowableMap expires;
        final BigValues big = new BigValues();
        final ObjectTable objects = new ObjectTable();
        /** activeExpire's position in {@link #expires}: (v << shardBits) | shard. */
        long expireCursor;

        Store(ChronicleKeyspace.Options o, int db, Runnable onResize) {
            main = new GrowableMap("db" + db, o.shardBits(), o.initialCapacityPerShard(), o.entriesPerSegment(),
                    o.migrateBatch(), 16, 64, onResize);
            expires = new GrowableMap("db" + db + "-expires", o.shardBits(), o.initialCapacityPerShard() / 4,
                    o.entriesPerSegment(), o.migrateBatch(), 16, 8, onResize);
        }

        @Override
        public void close() {
            big.freeAll();
            objects.clear();
            main.close();
            expires.close();
        }
    }

    private final ChronicleKeyspace ks;
    private final int index;
    Store store;

    /** Reused scratch (single-threaded): a record's leading bytes, whole records, output lists. */
    private final byte[] head = new byte[HEADER + 16];
    private final List<byte[]> keys = new ArrayList<>();
    private final List<byte[]> expiredKeys = new ArrayList<>();
    private final List<StoredValue> values = new ArrayList<>();
    private int checked;
    private long nowForVisit;
    private byte[] randomKey;

    private final GrowableMap.EntryVisitor scanVisitor = (kb, ko, kl, vb, vo, vl) -> {
        byte[] k = copy(kb, ko, kl);
        (expired(recordExpire(vb, vo), nowForVisit) ? expiredKeys : keys).add(k);
        return true;
    };

    private final GrowableMap.EntryVisitor expireVisitor = (kb, ko, kl, vb, vo, vl) -> {
        checked++;
        if (expired(readLong(vb, vo), nowForVisit)) expiredKeys.add(copy(kb, ko, kl));
        return true;
    };

    private final GrowableMap.EntryVisitor randomVisitor = (kb, ko, kl, vb, vo, vl) -> {
        randomKey = copy(kb, ko, kl);
        vb.read(vo, head, 0, Math.min(vl, head.length));
        return false;
    };

    private final GrowableMap.EntryVisitor collectVisitor = (kb, ko, kl, vb, vo, vl) -> {
        if (!expired(recordExpire(vb, vo), nowForVisit)) {
            keys.add(copy(kb, ko, kl));
            values.add(decode(vb, vo, vl));
        }
        return true;
    };

    private final GrowableMap.EntryVisitor keyVisitor = (kb, ko, kl, vb, vo, vl) -> {
        keys.add(copy(kb, ko, kl));
        return true;
    };

    ChronicleDatabase(ChronicleKeyspace ks, int index) {
        this.ks = ks;
        this.index = index;
    }

    @Override
    public int index() {
        return index;
    }

    private Store storeForWrite() {
        if (store == null) store = new Store(ks.options(), index, ks::resized);
        return store;
    }

    // ------------------------------------------------------------------ record helpers

    private static boolean expired(long expireAt, long now) {
        return expireAt != StoredValue.NO_EXPIRE && expireAt <= now;
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xFF);
        return v;
    }

    private static long readLong(RandomDataInput in, long off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (in.readByte(off + i) & 0xFF);
        return v;
    }

    private static int lruOf(byte[] b) {
        return (b[3] & 0xFF) | (b[4] & 0xFF) << 8 | (b[5] & 0xFF) << 16;
    }

    private static long expireOf(byte[] rec) {
        return (rec[2] & HAS_EXPIRE) != 0 ? readLong(rec, HEADER) : StoredValue.NO_EXPIRE;
    }

    private static int payloadOffset(byte flags) {
        return (flags & HAS_EXPIRE) != 0 ? HEADER + 8 : HEADER;
    }

    private static long recordExpire(RandomDataInput vb, long vo) {
        return (vb.readByte(vo + 2) & HAS_EXPIRE) != 0 ? readLong(vb, vo + HEADER) : StoredValue.NO_EXPIRE;
    }

    private static byte[] copy(RandomDataInput in, long off, int len) {
        byte[] out = new byte[len];
        in.read(off, out, 0, len);
        return out;
    }

    /** A StoredValue from a record inside a map entry of the current store. */
    private StoredValue decode(RandomDataInput vb, long vo, int vl) {
        byte flags = vb.readByte(vo + 2);
        int p = payloadOffset(flags);
        long expireAt = (flags & HAS_EXPIRE) != 0 ? readLong(vb, vo + HEADER) : StoredValue.NO_EXPIRE;
        int lru = (vb.readByte(vo + 3) & 0xFF) | (vb.readByte(vo + 4) & 0xFF) << 8 | (vb.readByte(vo + 5) & 0xFF) << 16;
        if ((flags & OBJECT) != 0) {
            return new StoredValue(vb.readByte(vo), vb.readByte(vo + 1), StoredValue.NO_PAYLOAD, expireAt, lru,
                    store.objects.get(readLong(vb, vo + p)));
        }
        byte[] payload = (flags & BIG) != 0 ? BigValues.load(readLong(vb, vo + p)) : copy(vb, vo + p, vl - p);
        return new StoredValue(vb.readByte(vo), vb.readByte(vo + 1), payload, expireAt, lru);
    }

    /** A StoredValue from a whole record in {@code rec[0, len)} of store {@code st}. */
    private static StoredValue decode(Store st, byte[] rec, int len) {
        byte flags = rec[2];
        int p = payloadOffset(flags);
        if ((flags & OBJECT) != 0) {
            return new StoredValue(rec[0], rec[1], StoredValue.NO_PAYLOAD, expireOf(rec), lruOf(rec),
                    st.objects.get(readLong(rec, p)));
        }
        byte[] payload = (flags & BIG) != 0 ? BigValues.load(readLong(rec, p)) : Arrays.copyOfRange(rec, p, len);
        return new StoredValue(rec[0], rec[1], payload, expireOf(rec), lruOf(rec));
    }

    private static void writeLong(BytesStore<?, ?> out, long off, long v) {
        for (int i = 0; i < 8; i++) out.writeByte(off + i, (byte) (v >>> (8 * i)));
    }

    /** Writes a record header into the keyspace's write buffer; returns the payload offset. */
    private static int writeHeader(BytesStore<?, ?> out, byte type, byte encoding, byte flags, int lru, long expireAt) {
        out.writeByte(0, type);
        out.writeByte(1, encoding);
        out.writeByte(2, flags);
        out.writeByte(3, (byte) lru);
        out.writeByte(4, (byte) (lru >>> 8));
        out.writeByte(5, (byte) (lru >>> 16));
        if ((flags & HAS_EXPIRE) != 0) {
            writeLong(out, HEADER, expireAt);
            return HEADER + 8;
        }
        return HEADER;
    }

    // ------------------------------------------------------------------ lookups with lazy expiry

    /**
     * Reads the record's head into {@link #head}: returns its length, or -1 if absent or expired
     * (deleting it on a master).
     */
    private int readLive(byte[] key) {
        Store st = store;
        if (st == null) return -1;
        int len = st.main.read(key, head);
        if (len < 0) return -1;
        if (expired(expireOf(head), ks.now())) {
            expireFound(st, key, head);
            return -1;
        }
        return len;
    }

    /** The key was found expired: delete it and tell the listener on a master, nothing on a replica. */
    private void expireFound(Store st, byte[] key, byte[] rec) {
        if (!ks.expireDeletes()) return;
        ks.beforeChange(index, key);
        removeRecord(st, key, rec);
        ks.notifyExpired(index, key.clone());
    }

    /** Removes a key whose record (at least its head) is in {@code rec}. */
    private static void removeRecord(Store st, byte[] key, byte[] rec) {
        byte flags = rec[2];
        if ((flags & BIG) != 0) st.big.free(readLong(rec, payloadOffset(flags)));
        if ((flags & OBJECT) != 0) st.objects.release(readLong(rec, payloadOffset(flags)));
        st.main.remove(key);
        if ((flags & HAS_EXPIRE) != 0) st.expires.remove(key);
    }

    @Override
    public StoredValue get(byte[] key) {
        Store st = store;
        if (st == null) return null;
        byte[] rec = ks.recordBuffer();
        int len = st.main.read(key, rec);
        if (len < 0) return null;
        if (expired(expireOf(rec), ks.now())) {
            expireFound(st, key, rec);
            return null;
        }
        // an on-heap collection may be mutated in place by the caller: a snapshot saves it first
        if ((rec[2] & OBJECT) != 0) ks.beforeChange(index, key);
        return decode(st, rec, len);
    }

    @Override
    public int type(byte[] key) {
        return readLive(key) < 0 ? -1 : head[0];
    }

    @Override
    public boolean exists(byte[] key) {
        return readLive(key) >= 0;
    }

    @Override
    public void put(byte[] key, byte type, byte encoding, byte[] payload, long expireAt) {
        write(key, type, encoding, payload, null, expireAt);
    }

    @Override
    public void putObject(byte[] key, byte type, byte encoding, SizedObject value, long expireAt) {
        if (value == null) throw new IllegalArgumentException("null object");
        write(key, type, encoding, null, value, expireAt);
    }

    @Override
    public long objectCount() {
        Store st = store;
        return st == null ? 0 : st.objects.live();
    }

    /** put/putObject: exactly one of {@code payload} and {@code object} is non-null. */
    private void write(byte[] key, byte type, byte encoding, byte[] payload, SizedObject object, long expireAt) {
        if (key.length > MAX_KEY) throw new IllegalArgumentException("key of " + key.length + " bytes exceeds " + MAX_KEY);
        ks.beforeChange(index, key);
        Store st = storeForWrite();
        int oldLen = st.main.read(key, head);
        long oldBlock = 0;
        long oldHandle = -1;
        long oldExpire = StoredValue.NO_EXPIRE;
        if (oldLen >= 0) {
            byte flags = head[2];
            oldExpire = expireOf(head);
            if ((flags & BIG) != 0) oldBlock = readLong(head, payloadOffset(flags));
            if ((flags & OBJECT) != 0) oldHandle = readLong(head, payloadOffset(flags));
            if (expired(oldExpire, ks.now()) && ks.expireDeletes()) ks.notifyExpired(index, key.clone());
        }
        long exp = expireAt;
        if (expireAt == KEEP_TTL) exp = oldLen >= 0 && !expired(oldExpire, ks.now()) ? oldExpire : StoredValue.NO_EXPIRE;
        else if (expireAt < 0) exp = StoredValue.NO_EXPIRE;

        BytesStore<?, ?> out = ks.writeBuffer();
        byte flags = exp != StoredValue.NO_EXPIRE ? HAS_EXPIRE : 0;
        boolean big = object == null && (payload.length > ks.options().inlineValueMax()
                || key.length + HEADER + 8 + payload.length > GrowableMap.MAX_ENTRY);
        if (big) flags |= BIG;
        // LFU: an overwritten value keeps the key's access counter (Redis's dbOverwrite)
        int lru = oldLen >= 0 && ks.lfu() != null && !expired(oldExpire, ks.now()) ? lruOf(head) : ks.newLru();
        if (object != null) flags |= OBJECT;
        int p = writeHeader(out, type, encoding, flags, lru, exp);
        int len;
        long block = 0;
        long handle = -1;
        if (object != null) {
            handle = st.objects.add(object);
            writeLong(out, p, handle);
            len = p + 8;
        } else if (big) {
            block = st.big.store(payload);
            writeLong(out, p, block);
            len = p + 8;
        } else {
            out.write(p, payload, 0, payload.length);
            len = p + payload.length;
        }
        try {
            st.main.put(key, out, 0, len);
        } catch (RuntimeException e) {
            if (block != 0) st.big.free(block);
            if (handle != -1) st.objects.release(handle);
            throw e;
        }
        if (oldBlock != 0) st.big.free(oldBlock);
        if (oldHandle != -1) st.objects.release(oldHandle);
        if (exp != StoredValue.NO_EXPIRE) putExpire(st, key, exp);
        else if (oldExpire != StoredValue.NO_EXPIRE) st.expires.remove(key);
    }

    private void putExpire(Store st, byte[] key, long exp) {
        BytesStore<?, ?> eb = ks.expireBuffer();
        writeLong(eb, 0, exp);
        st.expires.put(key, eb, 0, 8);
    }

    @Override
    public boolean delete(byte[] key) {
        Store st = store;
        if (st == null) return false;
        ks.beforeChange(index, key);
        int len = st.main.read(key, head);
        if (len < 0) return false;
        boolean live = !expired(expireOf(head), ks.now());
        removeRecord(st, key, head);
        if (!live && ks.expireDeletes()) ks.notifyExpired(index, key.clone());
        return live;
    }

    @Override
    public long getExpire(byte[] key) {
        if (readLive(key) < 0) return -2;
        return expireOf(head);
    }

    @Override
    public boolean setExpire(byte[] key, long expireAt) {
        if (store != null) ks.beforeChange(index, key);
        if (readLive(key) < 0) return false;
        Store st = store;
        boolean had = (head[2] & HAS_EXPIRE) != 0;
        boolean wants = expireAt >= 0;
        if (had && wants) {
            st.main.patch(key, HEADER, expireAt, 8);
            putExpire(st, key, expireAt);
            return true;
        }
        if (!had && !wants) return true;
        // the record changes length: rewrite it
        byte[] rec = ks.recordBuffer();
        int len = st.main.read(key, rec);
        byte flags = rec[2];
        int oldP = payloadOffset(flags);
        byte newFlags = (byte) (wants ? flags | HAS_EXPIRE : flags & ~HAS_EXPIRE);
        BytesStore<?, ?> out = ks.writeBuffer();
        int p = writeHeader(out, rec[0], rec[1], newFlags, lruOf(rec), expireAt);
        out.write(p, rec, oldP, len - oldP);
        st.main.put(key, out, 0, p + len - oldP);
        if (wants) putExpire(st, key, expireAt);
        else st.expires.remove(key);
        return true;
    }

    @Override
    public long size() {
        return store == null ? 0 : store.main.size();
    }

    @Override
    public long expiresCount() {
        return store == null ? 0 : store.expires.size();
    }

    @Override
    public void clear() {
        if (store == null) return;
        ks.beforeClear(index);
        Store st = store;
        if (st == null) return;
        store = null;
        st.close();
    }

    @Override
    public byte[] randomKey() {
        Store st = store;
        if (st == null) return null;
        byte[] candidate = null;
        for (int tries = 0; tries < 100; tries++) {
            randomKey = null;
            if (!st.main.randomEntry(st.main.random(), randomVisitor) || randomKey == null) return candidate;
            byte[] k = randomKey;
            if (!expired(expireOf(head), ks.now())) return k;
            if (ks.expireDeletes()) expireFound(st, k, head);
            else candidate = k; // a replica: as Redis, give up after a while and return an expired key
        }
        return candidate;
    }

    @Override
    public long scan(long cursor, int count, Consumer<byte[]> out) {
        Store st = store;
        if (st == null) return 0;
        GrowableMap m = st.main;
        int bits = m.shardBits();
        int shard = (int) (cursor & ((1L << bits) - 1));
        long v = cursor >>> bits;
        keys.clear();
        expiredKeys.clear();
        nowForVisit = ks.now();
        int maxPositions = Math.max(16, count * 10);
        long next;
        for (int positions = 1; ; positions++) {
            v = m.scanShard(shard, v, scanVisitor);
            if (v == 0 && ++shard == m.shardCount()) {
                next = 0;
                break;
            }
            if (keys.size() >= count || positions >= maxPositions) {
                next = (v << bits) | shard;
                break;
            }
        }
        List<byte[]> found = new ArrayList<>(keys);
        List<byte[]> dead = new ArrayList<>(expiredKeys);
        for (byte[] k : dead) expireIfStillExpired(st, k);
        for (byte[] k : found) out.accept(k);
        return next;
    }

    /** Lazily expires a key seen expired during a walk (the record is re-read: it is the truth). */
    private boolean expireIfStillExpired(Store st, byte[] key) {
        if (!ks.expireDeletes() || store != st) return false;
        int len = st.main.read(key, head);
        if (len < 0 || !expired(expireOf(head), ks.now())) return false;
        ks.beforeChange(index, key);
        removeRecord(st, key, head);
        ks.notifyExpired(index, key);
        return true;
    }

    @Override
    public void forEach(BiConsumer<byte[], StoredValue> visitor) {
        Store st = store;
        if (st == null) return;
        GrowableMap m = st.main;
        List<byte[]> ks0 = new ArrayList<>();
        List<StoredValue> vs0 = new ArrayList<>();
        m.freeze();
        try {
            for (int s = 0; s < m.shardCount(); s++) {
                for (int t = 0; t < m.tableCount(s); t++) {
                    for (int seg = 0; seg < m.segments(s, t); seg++) {
                        keys.clear();
                        values.clear();
                        nowForVisit = ks.now();
                        m.visitSegment(s, t, seg, collectVisitor);
                        ks0.clear();
                        vs0.clear();
                        ks0.addAll(keys);
                        vs0.addAll(values);
                        for (int i = 0; i < ks0.size(); i++) visitor.accept(ks0.get(i), vs0.get(i));
                    }
                }
            }
        } finally {
            m.unfreeze();
            keys.clear();
            values.clear();
        }
    }

    @Override
    public int activeExpire(int maxChecks) {
        Store st = store;
        if (st == null || !ks.expireDeletes() || st.expires.size() == 0) return 0;
        GrowableMap m = st.expires;
        int bits = m.shardBits();
        long cursor = st.expireCursor;
        int shard = (int) (cursor & ((1L << bits) - 1));
        long v = cursor >>> bits;
        expiredKeys.clear();
        checked = 0;
        nowForVisit = ks.now();
        int positions = 0;
        int total = m.shardCount();
        // at most one full pass per call
        while (checked < maxChecks) {
            v = m.scanShard(shard, v, expireVisitor);
            positions++;
            if (v == 0) {
                shard++;
                if (shard == total) {
                    shard = 0;
                    break;
                }
            }
            if (positions > maxChecks * 4L) break;
        }
        st.expireCursor = (v << bits) | shard;
        List<byte[]> dead = new ArrayList<>(expiredKeys);
        expiredKeys.clear();
        int deleted = 0;
        for (byte[] k : dead) if (expireIfStillExpired(st, k)) deleted++;
        return deleted;
    }

    @Override
    public void touch(byte[] key) {
        Store st = store;
        if (st == null) return;
        Lfu lfu = ks.lfu();
        if (lfu == null) {
            st.main.patch(key, 3, ks.lruClock(), 3);
        } else if (st.main.read(key, head) >= 0) {
            st.main.patch(key, 3, lfu.access(lruOf(head), ks.now()), 3);
        }
    }

    @Override
    public boolean setLru(byte[] key, int lru) {
        Store st = store;
        return st != null && st.main.patch(key, 3, lru & 0xFFFFFF, 3);
    }

    @Override
    public void sample(int n, boolean volatileOnly, BiConsumer<byte[], StoredValue> out) {
        Store st = store;
        if (st == null || n <= 0) return;
        keys.clear();
        values.clear();
        nowForVisit = ks.now();
        if (volatileOnly) {
            st.expires.sample(n, st.main.random(), keyVisitor);
            List<byte[]> ks0 = new ArrayList<>(keys);
            keys.clear();
            byte[] rec = ks.recordBuffer();
            for (byte[] k : ks0) {
                int len = st.main.read(k, rec);
                if (len >= 0 && !expired(expireOf(rec), nowForVisit)) out.accept(k, decode(st, rec, len));
            }
            return;
        }
        st.main.sample(n, st.main.random(), collectVisitor);
        List<byte[]> ks0 = new ArrayList<>(keys);
        List<StoredValue> vs0 = new ArrayList<>(values);
        keys.clear();
        values.clear();
        for (int i = 0; i < ks0.size(); i++) out.accept(ks0.get(i), vs0.get(i));
    }

    @Override
    public long memoryUsage() {
        Store st = store;
        if (st == null) return 0;
        return st.main.memoryUsage() + st.expires.memoryUsage() + st.big.bytes() + st.objects.memoryUsage();
    }

    @Override
    public long memoryUsage(byte[] key) {
        Store st = store;
        if (st == null) return -1;
        int len = st.main.read(key, head);
        if (len < 0) return -1;
        long n = st.main.entryCost(key);
        byte flags = head[2];
        if ((flags & BIG) != 0) n += BigValues.footprint(readLong(head, payloadOffset(flags)));
        if ((flags & OBJECT) != 0) n += st.objects.get(readLong(head, payloadOffset(flags))).memoryUsage();
        if ((flags & HAS_EXPIRE) != 0) n += Math.max(0, st.expires.entryCost(key));
        return n;
    }

    // ------------------------------------------------------------------ snapshots

    /** peek's own record buffer: peek runs inside observer calls, while get's buffer is in use. */
    private byte[] peekBuffer;

    @Override
    public StoredValue peek(byte[] key) {
        Store st = store;
        if (st == null) return null;
        if (peekBuffer == null) peekBuffer = new byte[GrowableMap.MAX_ENTRY + 64];
        int len = st.main.read(key, peekBuffer);
        return len < 0 ? null : decode(st, peekBuffer, len);
    }

    /**
     * Buckets are (shard, hash &amp; M<sub>shard</sub>) in shard order, where M<sub>shard</sub> is
     * the largest segment mask of the shard's maps when the walk starts: about one Chronicle
     * segment's worth of keys per bucket, whatever maps are added or drained later.
     */
    @Override
    public SnapshotWalk snapshotWalk() {
        Store st = store;
        if (st == null) {
            return new SnapshotWalk() {
                @Override
                public int buckets() {
                    return 0;
                }

                @Override
                public int bucketOf(byte[] key) {
                    return 0;
                }

                @Override
                public int visit(int bucket, BiConsumer<byte[], StoredValue> out) {
                    throw new IndexOutOfBoundsException("bucket " + bucket);
                }
            };
        }
        GrowableMap m = st.main;
        int shards = m.shardCount();
        long[] masks = new long[shards];
        int[] first = new int[shards + 1];
        for (int s = 0; s < shards; s++) {
            masks[s] = m.maxSegmentMask(s);
            first[s + 1] = Math.toIntExact(first[s] + masks[s] + 1);
        }
        return new SnapshotWalk() {
            @Override
            public int buckets() {
                return first[shards];
            }

            @Override
            public int bucketOf(byte[] key) {
                long h = GrowableMap.hash(key);
                int s = m.shardOfHash(h);
                return first[s] + (int) (h & masks[s]);
            }

            @Override
            public int visit(int bucket, BiConsumer<byte[], StoredValue> out) {
                if (store != st) throw new IllegalStateException("db" + index + " was cleared or swapped during a snapshot walk");
                int s = 0;
                while (first[s + 1] <= bucket) s++;
                List<byte[]> ks0 = new ArrayList<>();
                List<StoredValue> vs0 = new ArrayList<>();
                m.visitHashBucket(s, masks[s], bucket - first[s], (kb, ko, kl, vb, vo, vl) -> {
                    ks0.add(copy(kb, ko, kl));
                    vs0.add(decode(vb, vo, vl));
                    return true;
                });
                for (int i = 0; i < ks0.size(); i++) out.accept(ks0.get(i), vs0.get(i));
                return ks0.size();
            }
        };
    }

    /**
     * Moves up to {@code budget} entries of shards being resized (for the executor's idle
     * time/cron); returns true while a resize is still under way.
     */
    public boolean tick(int budget) {
        Store st = store;
        if (st == null) return false;
        boolean a = st.main.tick(budget);
        boolean b = st.expires.tick(budget);
        return a || b;
    }

    /** True while some shard is moving entries to a bigger map. */
    public boolean resizing() {
        Store st = store;
        return st != null && (st.main.migrating() || st.expires.migrating());
    }

    /** The tables of each shard (capacity/segments:count), for tests and debugging. */
    public String describe() {
        Store st = store;
        return st == null ? "(none)" : "main " + st.main.describe() + " expires " + st.expires.describe();
    }

    /** Number of map resizes started so far (main and expires), for tests and INFO. */
    public long resizes() {
        Store st = store;
        return st == null ? 0 : st.main.migrations() + st.expires.migrations();
    }

    void close() {
        Store st = store;
        store = null;
        if (st != null) st.close();
    }
}
