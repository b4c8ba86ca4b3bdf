package io.tandem.replication.backlog;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's replication stream kept on disk in LMDB, so replicas can continue partially
 * ({@code +CONTINUE}) even after the master restarts. Same offsets as the in-memory
 * {@link Backlog}: the stream's first byte is offset 1, {@link #endOffset} is
 * master_repl_offset (the last byte), a replica that processed up to {@code o} asks
 * {@code PSYNC o+1} and {@link #covers covers(o+1)} says whether it can be served.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 *  dir/data.mdb, dir/lock.mdb        one LMDB environment, two named databases:
 *
 *  "chunks"  key: start offset, 8 bytes big-endian (so LMDB's memcmp order = offset order)
 *            value:
 *            ┌──────────────┬───────────────┬─────────────┬──────────────────────────────┐
 *            │ timeMs: 8    │ dbAtStart: 4  │ crc32c: 4   │ payload: 1 .. 1 MiB           │
 *            └──────────────┴───────────────┴─────────────┴──────────────────────────────┘
 *             0              8               12            16
 *            timeMs    commit time, ms since the epoch (ttl trimming)
 *            dbAtStart db selected in the stream before the payload's first byte; -1 = not
 *                      known (the writer said -1, or the chunk starts inside one append)
 *            crc32c    CRC32C of key ‖ bytes 0..11 ‖ payload: a chunk moved to another key,
 *                      or a flipped header or payload byte, fails the check
 *            payload   stream bytes [key, key + length - 1]; length = value size - 16
 *
 *            invariant: chunks are contiguous, each key = previous key + previous length
 *
 *  "meta"    key "meta": {@link BacklogMeta} — magic, format version, clean-shutdown flag,
 *            first and last offsets, identity (replid, replid2, second_replid_offset), run
 *            flags, CRC32C. Rewritten in every write transaction, so it always agrees with the
 *            chunks present.
 * </pre>
 *
 * <h2>Writes (executor thread)</h2>
 *
 * {@link #append} only copies into a heap buffer; {@link #commit} turns what is pending into
 * chunks of at most 1 MiB (cut at an append boundary when one is within the last 1 MiB, so most
 * chunks know their dbAtStart), rewrites the meta record, then trims — whole chunks from the
 * oldest, while what remains stays &gt;= sizeLimit (Redis keeps at least repl-backlog-size), and
 * chunks committed more than ttl seconds ago — all in ONE LMDB write transaction: a crash at any
 * point leaves either the previous or the new state. Keys only grow, so chunks go in with
 * {@code MDB_APPEND} and straight into LMDB's page through {@code MDB_RESERVE} (one copy).
 *
 * <p>The environment runs with {@code MDB_NOSYNC}: a commit writes LMDB's pages to the OS (the
 * page cache) without fsync, so a commit survives the death of the process but not of the
 * machine. {@link #sync} (called by the AOF's fsync thread) is the durability point. The price
 * of NOSYNC, per LMDB's documentation: a machine crash between two syncs can leave the file
 * inconsistent; {@link #open} then refuses it (structure, meta and chunk CRCs are checked) and
 * the caller starts afresh — or the file may hold an earlier, consistent state (the last synced
 * commit), so after a machine crash the store can end before the dataset does: the caller
 * compares {@link #endOffset} with its dataset's offset (ARCHITECTURE invariant 7).
 *
 * <p>{@code MDB_WRITEMAP} is not used, although it makes small commits cheaper: with it LMDB
 * extends data.mdb to the whole map size as a sparse file and writes pages through the mapping,
 * so a full disk surfaces as SIGBUS when a page is first dirtied — the JVM dies, with the
 * dataset — where without it LMDB's pwrite returns ENOSPC and {@link #commit} throws; the file
 * is also only as large as the pages in use. Measured (DiskBacklogMeasure, 2 shared cores under
 * load average 11–14, so ranges over several runs): a commit of one 200-byte append costs
 * 10–42 µs without WRITEMAP (about 2.5 pwrite calls: the dirty pages, then the meta page) and
 * 4–14 µs with it; of a 64 KiB append 15–61 µs and 8–67 µs; {@link #sync} after a commit
 * 1.4–7.5 ms either way on this disk (an idle sync 0.2–3.4 ms). Using WRITEMAP safely
 * would need the file preallocated (fallocate) to the map size, i.e. disk space for the whole map.
 *
 * <h2>Reads (any thread)</h2>
 *
 * {@link #read} runs in its own short LMDB read transaction ({@code MDB_NOTLS}: transactions are
 * not tied to threads, and any number of threads read while the executor writes, each seeing a
 * committed snapshot). A read transaction pins the pages of its snapshot, so LMDB cannot reuse
 * them until it ends: reads are bounded by {@code maxBytes} and never keep a transaction open
 * between calls. Readers see only committed bytes ({@link #committedEndOffset}); every chunk a
 * read touches is checked against its CRC32C, and the bytes are copied once, from LMDB's mapped
 * page into the caller's buffer.
 *
 * <h2>Map size</h2>
 *
 * The map starts at max(256 MiB, 4 × sizeLimit, 2 × the existing file) and doubles on
 * {@code MDB_MAP_FULL}: the write transaction is aborted, the map grown, the whole commit redone.
 * LMDB allows growing only while no transaction of this process is open, so readers and
 * {@link #sync} hold the read side of a lock that growth (and {@link #close}) take exclusively.
 *
 * <h2>Opening an existing store</h2>
 *
 * LMDB has no page checksums and crashes in native code on a damaged page, so {@link #open}
 * first walks LMDB's structure in Java ({@link LmdbFileCheck}), then every chunk (CRC, sizes,
 * contiguity) against the meta record. Measured with a warm page cache: 512 MiB in 64 KiB chunks
 * opens in 0.1–0.2 s, 64 MiB in 335,545 chunks of 200 bytes in 0.3–0.6 s (about 1–2 µs per chunk
 * plus 0.3 ms per MiB); a cold cache adds reading the file once. LMDB must not open an
 * environment twice in one process, so a second {@code open} of the same directory throws.
 *
 * <h2>Threads</h2>
 *
 * Executor only: the write path, the state getters, {@link #chunkCount}. Any thread:
 * {@link #read}, {@link #committedEndOffset}, {@link #chunks}, {@link #sync}, {@link #diskBytes}.
 */
public final class DiskBacklog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskBacklog.class);

    /** Largest payload of one chunk. */
    static final int MAX_CHUNK = 1 << 20;
    /** Chunk value header: timeMs, dbAtStart, crc32c. */
    static final int HEADER = 16;
    static final long MIN_MAP_SIZE = 256L << 20;

    /** Beyond this the map does not grow: something is wrong (a runaway pending buffer). */
    static final long MAX_MAP_SIZE = 1L << 40;
    static final String DATA_FILE = "data.mdb";
    static final String LOCK_FILE = "lock.mdb";
    static final String META_DB = "meta";
    static final String CHUNKS_DB = "chunks";
    private static final byte[] META_KEY = "meta".getBytes(StandardCharsets.US_ASCII);
    /**
     * The meta record's key, shared by every thread: LMDB and lmdbjava only read a key's
     * address, position and length, and every use goes through a {@code duplicate()}.
     */
    private static final ByteBuffer META_KEY_BUF = ByteBuffer.allocateDirect(META_KEY.length).put(META_KEY).flip();
    /** Pending buffer kept after a commit; a larger one (after a huge append) is dropped. */
    private static final int PENDING_KEEP = 1 << 20;

    /** The replication identity the stream's offsets belong to (Redis's replid, replid2, second_replid_offset). */
    public record Identity(String replid, String replid2, long secondOffset) {}

    /** One chunk, for DEBUG/INFO. */
    public record ChunkInfo(long start, int length, int dbAtStart, long timeMs) {}

    /** What the executor knows about the committed store; copied, changed and swapped in per write transaction. */
    private static final class State {
        long first;
        long end;
        long chunks;
        /** The oldest chunk (valid when chunks > 0): what trimming looks at. */
        long headStart;
        int headLen;
        long headTimeMs;

        State copy() {
            State s = new State();
            s.first = first;
            s.end = end;
            s.chunks = chunks;
            s.headStart = headStart;
            s.headLen = headLen;
            s.headTimeMs = headTimeMs;
            return s;
        }
    }

    private final Path dir;
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> meta;
    private final Dbi<ByteBuffer> chunks;
    private final boolean writeMap;
    private final boolean created;
    private final boolean previousClean;
    private final String previousFlags;
    /** Read side: readers and sync, while they use the environment. Write side: map growth, close. */
    private final ReentrantReadWriteLock envLock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private long mapSize;

    // Executor state.
    private State st;
    private volatile long committedEnd;
    private long sizeLimit;
    private long ttlSeconds;
    private LongSupplier clock = System::currentTimeMillis;
    private Identity identity;
    private String runFlags = "";
    private boolean metaDirty;
    private byte[] pending = new byte[4096];
    private int pendingLen;
    /** Append boundaries within pending (index of each append's first byte) and the db before it. */
    private int[] marks = new int[16];
    private int[] markDbs = new int[16];
    private int markCount;
    private final ByteBuffer writeKey = ByteBuffer.allocateDirect(8);

    /**
     * Stores open in this process. LMDB must not open one environment twice in a process (its
     * fcntl locks are per process: closing the second would drop the first's), which an
     * in-process server restart could otherwise do.
     */
    private static final java.util.Set<Path> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static final ThreadLocal<ByteBuffer> READ_KEY = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(8));

    /** The key of {@link #OPEN}. */
    private final Path openKey;

    private DiskBacklog(Path dir, Env<ByteBuffer> env, Dbi<ByteBuffer> meta, Dbi<ByteBuffer> chunks, boolean writeMap, long mapSize, boolean created,
            BacklogMeta m, State st, long sizeLimit, long ttlSeconds) {
        this.dir = dir;
        this.openKey = openKey(dir);
        this.env = env;
        this.meta = meta;
        this.chunks = chunks;
        this.writeMap = writeMap;
        this.mapSize = mapSize;
        this.created = created;
        this.previousClean = !created && m.clean();
        this.previousFlags = created ? "" : m.runFlags();
        this.identity = new Identity(m.replid(), m.replid2(), m.secondOffset());
        this.st = st;
        this.committedEnd = st.end;
        this.sizeLimit = sizeLimit;
        this.ttlSeconds = ttlSeconds;
    }

    // ─── open / destroy ────────────────────────────────────────────────────────────────────

    /**
     * Opens (or creates) the store in {@code dir} (created if missing). An existing store is
     * validated before it is used: first LMDB's own structure, read in Java before LMDB maps the
     * file ({@link LmdbFileCheck}: a damaged page would otherwise crash the JVM in native code),
     * then the meta record (magic, version, CRC), every chunk (key and value sizes, CRC32C) and
     * their contiguity, and that the first and last chunks agree with the meta record. This
     * reads the whole file once (costs in the class notes). The previous run's clean-close
     * flag and run flags are read ({@link #wasCleanlyClosed}, {@link #previousFlags}), then the
     * record is rewritten as not clean and synced, so a crash of this run is seen by the next.
     *
     * @param sizeLimit bytes kept at least (repl-backlog-size); trimming never goes below it
     * @param ttlSeconds chunks committed longer ago than this are dropped; 0 = never
     * @throws BacklogStoreException naming what is wrong (corrupt, truncated or foreign store,
     *     LMDB error); {@link #destroy} removes the store so the caller can start fresh
     * @throws IllegalStateException if this process has the store open already
     */
    public static DiskBacklog open(Path dir, long sizeLimit, long ttlSeconds) {
        return open(dir, sizeLimit, ttlSeconds, 0, false);
    }

    /**
     * As {@link #open(Path, long, long)}, with the initial map size ({@code 0} = the default rule)
     * and {@code MDB_WRITEMAP} chosen by the caller: for tests (map growth) and measurements.
     */
    static DiskBacklog open(Path dir, long sizeLimit, long ttlSeconds, long initialMapSize, boolean writeMap) {
        if (sizeLimit < 1) throw new IllegalArgumentException("size limit must be positive: " + sizeLimit);
        if (ttlSeconds < 0) throw new IllegalArgumentException("ttl must not be negative: " + ttlSeconds);
        Path data = dir.resolve(DATA_FILE);
        long existing;
        try {
            Files.createDirectories(dir);
            existing = Files.exists(data) ? Files.size(data) : -1;
        } catch (IOException e) {
            throw new BacklogStoreException(dir, "cannot create or read the directory: " + e, e);
        }
        Path key = openKey(dir);
        if (!OPEN.add(key)) throw new IllegalStateException("disk backlog " + dir + " is already open in this process");
        boolean opened = false;
        try {
            DiskBacklog b = open(dir, data, existing, sizeLimit, ttlSeconds, initialMapSize, writeMap);
            opened = true;
            return b;
        } finally {
            if (!opened) OPEN.remove(key);
        }
    }

    private static Path openKey(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    private static DiskBacklog open(Path dir, Path data, long existing, long sizeLimit, long ttlSeconds, long initialMapSize, boolean writeMap) {
        boolean create = existing < 0;
        // LMDB trusts its pages (a damaged one crashes the JVM in native code): check them first.
        if (!create) LmdbFileCheck.verify(dir, data, java.util.Set.of(META_DB, CHUNKS_DB));
        long map = initialMapSize > 0 ? initialMapSize : Math.max(MIN_MAP_SIZE, Math.max(4 * sizeLimit, 2 * Math.max(existing, 0)));
        EnvFlags[] flags = writeMap ? new EnvFlags[] {EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOTLS, EnvFlags.MDB_WRITEMAP} : new EnvFlags[] {EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOTLS};
        Env<ByteBuffer> env;
        try {
            env = Env.create(ByteBufferProxy.PROXY_OPTIMAL).setMapSize(map).setMaxDbs(2).setMaxReaders(256).open(dir.toFile(), flags);
        } catch (LmdbException e) {
            throw new BacklogStoreException(dir, "LMDB cannot open the environment: " + e.getMessage(), e);
        }
        boolean ok = false;
        try {
            DiskBacklog b = create ? createStore(dir, env, writeMap, map, sizeLimit, ttlSeconds) : openStore(dir, env, writeMap, map, sizeLimit, ttlSeconds);
            ok = true;
            return b;
        } catch (LmdbException e) {
            throw new BacklogStoreException(dir, "LMDB failed while opening the store: " + e.getMessage(), e);
        } finally {
            if (!ok) env.close();
        }
    }

    private static DiskBacklog createStore(Path dir, Env<ByteBuffer> env, boolean writeMap, long map, long sizeLimit, long ttl) {
        Dbi<ByteBuffer> meta;
        Dbi<ByteBuffer> chunks;
        BacklogMeta m = BacklogMeta.fresh();
        // Databases and meta record in one transaction, then synced: a store either has both or
        // is refused at the next open (never "valid but empty by accident").
        try (Txn<ByteBuffer> tx = env.txnWrite()) {
            meta = env.openDbi(tx, META_DB.getBytes(StandardCharsets.US_ASCII), null, false, DbiFlags.MDB_CREATE);
            chunks = env.openDbi(tx, CHUNKS_DB.getBytes(StandardCharsets.US_ASCII), null, false, DbiFlags.MDB_CREATE);
            putMeta(tx, meta, m);
            tx.commit();
        }
        env.sync(true);
        State s = new State();
        s.first = m.first();
        s.end = m.last();
        log.info("Disk backlog created in {}", dir);
        return new DiskBacklog(dir, env, meta, chunks, writeMap, map, true, m, s, sizeLimit, ttl);
    }

    private static DiskBacklog openStore(Path dir, Env<ByteBuffer> env, boolean writeMap, long map, long sizeLimit, long ttl) {
        Dbi<ByteBuffer> meta;
        Dbi<ByteBuffer> chunks;
        BacklogMeta m;
        State s = new State();
        try (Txn<ByteBuffer> tx = env.txnRead()) {
            meta = env.openDbi(tx, META_DB.getBytes(StandardCharsets.US_ASCII), null, false);
            chunks = env.openDbi(tx, CHUNKS_DB.getBytes(StandardCharsets.US_ASCII), null, false);
            m = readMeta(dir, tx, meta);
            validateChunks(dir, tx, chunks, m, s);
            tx.commit(); // a read transaction's commit keeps the dbi handles open for the env
        }
        // This run is not (yet) cleanly closed, durably, before any write of this run can
        // reach the file; its run flags are unknown until setRunFlags.
        try (Txn<ByteBuffer> tx = env.txnWrite()) {
            putMeta(tx, meta, new BacklogMeta(m.first(), m.last(), false, m.replid(), m.replid2(), m.secondOffset(), ""));
            tx.commit();
        }
        env.sync(true);
        log.info("Disk backlog loaded from {}: offsets {}..{} ({} bytes in {} chunks), replid {} offset {}{}", dir, s.first, s.end, s.end - s.first + 1, s.chunks,
                m.replid().isEmpty() ? "(none)" : m.replid(), s.end, m.clean() ? "" : "; the previous run did not close it cleanly");
        return new DiskBacklog(dir, env, meta, chunks, writeMap, map, false, m, s, sizeLimit, ttl);
    }

    /** Walks every chunk of the snapshot: sizes, bounds, CRC, contiguity, agreement with meta. */
    private static void validateChunks(Path dir, Txn<ByteBuffer> tx, Dbi<ByteBuffer> chunks, BacklogMeta m, State s) {
        s.first = m.first();
        s.end = m.last();
        long expect = -1;
        long prevEnd = -1;
        try (Cursor<ByteBuffer> c = chunks.openCursor(tx)) {
            for (boolean more = c.first(); more; more = c.next()) {
                ByteBuffer k = c.key();
                ByteBuffer v = c.val();
                if (k.remaining() != 8) throw new BacklogStoreException(dir, "a chunk key of " + k.remaining() + " bytes (expected 8)");
                long start = k.order(ByteOrder.BIG_ENDIAN).getLong(k.position());
                int vlen = v.remaining();
                if (vlen <= HEADER || vlen > HEADER + MAX_CHUNK) throw new BacklogStoreException(dir, "chunk at offset " + start + " has a value of " + vlen + " bytes (expected " + (HEADER + 1) + ".." + (HEADER + MAX_CHUNK) + ")");
                if (expect < 0) {
                    if (start != m.first()) throw new BacklogStoreException(dir, "the first chunk starts at offset " + start + " but the meta record says the first byte is " + m.first());
                    s.headStart = start;
                    s.headLen = vlen - HEADER;
                    s.headTimeMs = v.order(ByteOrder.BIG_ENDIAN).getLong(v.position());
                } else if (start != expect) {
                    throw new BacklogStoreException(dir, "chunks are not contiguous: the chunk at offset " + start + " follows one ending at " + prevEnd);
                }
                verifyChunk(dir, start, v);
                prevEnd = start + vlen - HEADER - 1;
                expect = prevEnd + 1;
                s.chunks++;
            }
        }
        if (s.chunks == 0) {
            if (m.first() != m.last() + 1) throw new BacklogStoreException(dir, "the meta record says offsets " + m.first() + ".." + m.last() + " are held but there are no chunks");
        } else if (prevEnd != m.last()) {
            throw new BacklogStoreException(dir, "the last chunk ends at offset " + prevEnd + " but the meta record says the last byte is " + m.last());
        }
    }

    /**
     * Removes the store in {@code dir}: LMDB's data.mdb and lock.mdb, then the directory if
     * nothing else is in it. A missing store is not an error.
     *
     * @throws IllegalStateException if this process has the store open
     */
    public static void destroy(Path dir) {
        if (OPEN.contains(openKey(dir))) throw new IllegalStateException("disk backlog " + dir + " is open: close it before destroying it");
        try {
            Files.deleteIfExists(dir.resolve(DATA_FILE));
            Files.deleteIfExists(dir.resolve(LOCK_FILE));
            if (Files.isDirectory(dir)) {
                boolean empty;
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    empty = !ds.iterator().hasNext();
                }
                if (empty) Files.deleteIfExists(dir);
            }
        } catch (NoSuchFileException e) {
            // Gone already.
        } catch (IOException e) {
            throw new BacklogStoreException(dir, "cannot remove the store: " + e, e);
        }
    }

    // ─── state (executor) ──────────────────────────────────────────────────────────────────

    /** Offset of the oldest byte held (== {@link #endOffset()} + 1 when empty). */
    public long firstByteOffset() {
        return st.first;
    }

    /** Offset of the last byte appended, committed or pending (master_repl_offset). */
    public long endOffset() {
        return st.end + pendingLen;
    }

    public long histlen() {
        return endOffset() - st.first + 1;
    }

    /** True when every byte from {@code offset} to the end is held; {@code end + 1} is covered (nothing to send). */
    public boolean covers(long offset) {
        return offset >= st.first && offset <= endOffset() + 1;
    }

    /** The identity recorded (or to be recorded at the next commit). */
    public Identity identity() {
        return identity;
    }

    /** True when the previous process closed the store ({@link #close}); false after a crash, and for a new store. */
    public boolean wasCleanlyClosed() {
        return previousClean;
    }

    /** True when {@link #open} created the store (there was no data.mdb). */
    public boolean created() {
        return created;
    }

    /** What the previous run passed to {@link #setRunFlags} ("" if nothing, or a new store). */
    public String previousFlags() {
        return previousFlags;
    }

    public long sizeLimit() {
        return sizeLimit;
    }

    public long ttl() {
        return ttlSeconds;
    }

    /** Chunks committed. */
    public long chunkCount() {
        return st.chunks;
    }

    /** Clock for ttl trimming (ms since the epoch); tests inject one. */
    void clock(LongSupplier ms) {
        this.clock = ms;
    }

    // ─── write path (executor) ─────────────────────────────────────────────────────────────

    /**
     * Buffers {@code len} bytes of {@code src} from {@code index} (indexes unchanged) as the
     * stream's next bytes; nothing reaches LMDB before {@link #commit}.
     *
     * @param dbAtStart the db selected in the stream before these bytes (-1 = none / unknown)
     */
    public void append(ByteBuf src, int index, int len, int dbAtStart) {
        checkOpen();
        if (len <= 0) return;
        if ((long) pendingLen + len > Integer.MAX_VALUE - 16) commit(); // a Java array cannot hold more
        if (pendingLen + len > pending.length) pending = Arrays.copyOf(pending, (int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) pending.length * 2, (long) pendingLen + len)));
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, markCount * 2);
            markDbs = Arrays.copyOf(markDbs, markCount * 2);
        }
        marks[markCount] = pendingLen;
        markDbs[markCount++] = dbAtStart;
        src.getBytes(index, pending, pendingLen, len);
        pendingLen += len;
    }

    /** Records the replication identity at the next commit. */
    public void setIdentity(String replid, String replid2, long secondOffset) {
        Identity id = new Identity(java.util.Objects.requireNonNull(replid), java.util.Objects.requireNonNull(replid2), secondOffset);
        new BacklogMeta(1, 0, false, replid, replid2, secondOffset, ""); // validates lengths now, not at commit
        if (!id.equals(identity)) {
            identity = id;
            metaDirty = true;
        }
    }

    /** Records this run's flags (free-form, e.g. "aof-always") at the next commit; the next run reads them as {@link #previousFlags}. */
    public void setRunFlags(String flags) {
        java.util.Objects.requireNonNull(flags);
        new BacklogMeta(1, 0, false, "", "", -1, flags);
        if (!flags.equals(runFlags)) {
            runFlags = flags;
            metaDirty = true;
        }
    }

    /**
     * Writes the pending bytes as chunks, the meta record, then trims (size, ttl) — one LMDB
     * write transaction, not fsynced (see {@link #sync}). Does nothing when nothing is pending,
     * changed or due for trimming.
     *
     * @throws BacklogStoreException when LMDB fails (e.g. disk full); the pending bytes are kept
     */
    public void commit() {
        checkOpen();
        commit(false);
    }

    private void commit(boolean clean) {
        long now = clock.getAsLong();
        if (!clean && pendingLen == 0 && !metaDirty && !trimDue(st, now)) return;
        write(tx -> {
            State s = st.copy();
            writePending(tx, s, now);
            trim(tx, s, now);
            putMeta(tx, meta, metaOf(s, clean));
            return s;
        });
        clearPending();
        metaDirty = false;
    }

    /**
     * Drops every chunk: the store is empty and the next byte appended is {@code offset + 1}
     * (a new history, e.g. after a full sync). Pending bytes are dropped too. Commits.
     */
    public void reset(long offset) {
        checkOpen();
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative: " + offset);
        write(tx -> {
            chunks.drop(tx);
            State s = new State();
            s.first = offset + 1;
            s.end = offset;
            putMeta(tx, meta, metaOf(s, false));
            return s;
        });
        clearPending(); // only now: a failed write leaves the state as it was
        metaDirty = false;
    }

    /**
     * Drops every byte after {@code offset}, pending or committed; a chunk straddling it is
     * shortened (rewritten with its new CRC). Commits.
     *
     * @throws IllegalArgumentException unless {@code firstByteOffset()-1 <= offset <= endOffset()}
     */
    public void truncateAfter(long offset) {
        checkOpen();
        if (offset < st.first - 1 || offset > endOffset()) throw new IllegalArgumentException("cannot truncate after offset " + offset + ": the backlog holds " + st.first + ".." + endOffset());
        if (offset >= st.end) {
            int keep = (int) (offset - st.end);
            pendingLen = keep;
            while (markCount > 0 && marks[markCount - 1] >= keep) markCount--;
            commit(false);
            return;
        }
        write(tx -> {
            State s = st.copy();
            try (Cursor<ByteBuffer> c = chunks.openCursor(tx)) {
                while (s.chunks > 0 && c.last()) {
                    long start = keyOf(c.key());
                    ByteBuffer v = c.val();
                    int len = v.remaining() - HEADER;
                    if (start > offset) {
                        c.delete();
                        s.chunks--;
                        continue;
                    }
                    if (start + len - 1 > offset) {
                        int keep = (int) (offset - start + 1);
                        ByteBuffer old = v.duplicate().order(ByteOrder.BIG_ENDIAN);
                        long time = old.getLong(old.position());
                        int db = old.getInt(old.position() + 8);
                        byte[] payload = new byte[keep];
                        old.position(old.position() + HEADER);
                        old.get(payload);
                        putChunk(tx, start, time, db, payload, 0, keep, false);
                    }
                    break;
                }
                s.end = offset;
                if (s.chunks == 0) {
                    s.first = offset + 1;
                } else if (c.first()) {
                    readHead(c, s);
                }
            }
            putMeta(tx, meta, metaOf(s, false));
            return s;
        });
        clearPending(); // every pending byte came after offset
        metaDirty = false;
    }

    /** CONFIG SET repl-backlog-size: trims at once (keeping at least {@code limit} bytes). */
    public void resize(long limit) {
        checkOpen();
        if (limit < 1) throw new IllegalArgumentException("size limit must be positive: " + limit);
        sizeLimit = limit;
        commit(false);
    }

    /** Chunks committed more than {@code seconds} ago are dropped (0 = never); trims at once. */
    public void ttl(long seconds) {
        checkOpen();
        if (seconds < 0) throw new IllegalArgumentException("ttl must not be negative: " + seconds);
        ttlSeconds = seconds;
        commit(false);
    }

    /**
     * The durability point: every commit that returned before this call is on disk when it
     * returns ({@code mdb_env_sync(force)}: fdatasync of data.mdb). Safe from any thread,
     * concurrently with the executor's commits. A no-op once closed.
     */
    public void sync() {
        envLock.readLock().lock();
        try {
            if (closed) return;
            env.sync(true);
        } catch (LmdbException e) {
            throw new BacklogStoreException(dir, "sync failed: " + e.getMessage(), e);
        } finally {
            envLock.readLock().unlock();
        }
    }

    /**
     * Commits what is pending, marks the store cleanly closed, syncs and closes LMDB (waiting
     * for reads in progress). Idempotent. If the final commit fails the store is closed anyway,
     * not marked clean, and the exception propagates.
     */
    @Override
    public void close() {
        if (closed) return;
        try {
            commit(true);
            env.sync(true);
        } catch (LmdbException e) {
            throw new BacklogStoreException(dir, "sync at close failed: " + e.getMessage(), e);
        } finally {
            envLock.writeLock().lock();
            try {
                closed = true;
                env.close();
            } finally {
                envLock.writeLock().unlock();
                OPEN.remove(openKey);
            }
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("disk backlog " + dir + " is closed");
    }

    private BacklogMeta metaOf(State s, boolean clean) {
        return new BacklogMeta(s.first, s.end, clean, identity.replid(), identity.replid2(), identity.secondOffset(), runFlags);
    }

    private void clearPending() {
        pendingLen = 0;
        markCount = 0;
        if (pending.length > PENDING_KEEP) pending = new byte[4096];
    }

    private boolean trimDue(State s, long now) {
        if (s.chunks == 0) return false;
        return (s.end - s.first + 1) - s.headLen >= sizeLimit || (ttlSeconds > 0 && s.headTimeMs < now - ttlSeconds * 1000);
    }

    /** Pending bytes → chunks of at most MAX_CHUNK, cut at the last append boundary that fits when there is one. */
    private void writePending(Txn<ByteBuffer> tx, State s, long now) {
        int pos = 0;
        int m = 0; // first mark >= pos
        while (pos < pendingLen) {
            int limit = (int) Math.min(pendingLen, (long) pos + MAX_CHUNK);
            int cut = limit;
            if (limit < pendingLen) {
                int best = -1;
                for (int i = m; i < markCount && marks[i] <= limit; i++)
                    if (marks[i] > pos) best = marks[i];
                if (best > pos) cut = best;
            }
            while (m < markCount && marks[m] < pos) m++;
            int db = m < markCount && marks[m] == pos ? markDbs[m] : -1;
            long start = s.end + 1;
            putChunk(tx, start, now, db, pending, pos, cut - pos, true);
            if (s.chunks == 0) {
                s.headStart = start;
                s.headLen = cut - pos;
                s.headTimeMs = now;
            }
            s.chunks++;
            s.end += cut - pos;
            pos = cut;
        }
    }

    /** Drops the oldest chunks while what remains stays >= sizeLimit, and those older than the ttl. */
    private void trim(Txn<ByteBuffer> tx, State s, long now) {
        if (!trimDue(s, now)) return;
        try (Cursor<ByteBuffer> c = chunks.openCursor(tx)) {
            while (trimDue(s, now)) {
                if (!c.first() || keyOf(c.key()) != s.headStart) throw new BacklogStoreException(dir, "the oldest chunk is not at offset " + s.headStart + " as recorded");
                c.delete();
                s.chunks--;
                s.first += s.headLen;
                if (s.chunks > 0) {
                    if (!c.first()) throw new BacklogStoreException(dir, s.chunks + " chunks expected after trimming, none found");
                    readHead(c, s);
                }
            }
        }
    }

    private void readHead(Cursor<ByteBuffer> c, State s) {
        ByteBuffer v = c.val();
        s.headStart = keyOf(c.key());
        s.headLen = v.remaining() - HEADER;
        s.headTimeMs = v.order(ByteOrder.BIG_ENDIAN).getLong(v.position());
    }

    private void putChunk(Txn<ByteBuffer> tx, long start, long timeMs, int db, byte[] src, int off, int len, boolean append) {
        writeKey.clear();
        writeKey.putLong(0, start);
        ByteBuffer v = append ? chunks.reserve(tx, writeKey, HEADER + len, PutFlags.MDB_APPEND) : chunks.reserve(tx, writeKey, HEADER + len);
        v.order(ByteOrder.BIG_ENDIAN);
        int p = v.position();
        v.putLong(p, timeMs).putInt(p + 8, db);
        v.put(p + HEADER, src, off, len);
        v.putInt(p + 12, chunkCrc(start, v));
    }

    private static void putMeta(Txn<ByteBuffer> tx, Dbi<ByteBuffer> meta, BacklogMeta m) {
        ByteBuffer v = meta.reserve(tx, META_KEY_BUF.duplicate(), m.encodedSize());
        v.order(ByteOrder.BIG_ENDIAN);
        m.encode(v.duplicate().order(ByteOrder.BIG_ENDIAN));
    }

    /**
     * Runs {@code body} in a write transaction and commits; on MDB_MAP_FULL the transaction is
     * gone (aborted), so the map is grown and the body run again from the same state. The
     * result becomes the executor's state only once LMDB committed.
     */
    private void write(Function<Txn<ByteBuffer>, State> body) {
        for (;;) {
            State s;
            try (Txn<ByteBuffer> tx = env.txnWrite()) {
                s = body.apply(tx);
                tx.commit();
            } catch (Env.MapFullException e) {
                growMap();
                continue;
            } catch (LmdbException e) {
                throw new BacklogStoreException(dir, "write failed: " + e.getMessage(), e);
            }
            st = s;
            committedEnd = s.end;
            return;
        }
    }

    private void growMap() {
        long next = mapSize * 2;
        if (next > MAX_MAP_SIZE) throw new BacklogStoreException(dir, "LMDB map full at " + mapSize + " bytes, refusing to grow past " + MAX_MAP_SIZE);
        // mdb_env_set_mapsize remaps: no transaction of this process may be open, so wait for
        // readers and sync (the executor's own transaction was aborted by the failure).
        envLock.writeLock().lock();
        try {
            env.setMapSize(next);
            mapSize = next;
        } catch (LmdbException e) {
            throw new BacklogStoreException(dir, "cannot grow the LMDB map to " + next + " bytes: " + e.getMessage(), e);
        } finally {
            envLock.writeLock().unlock();
        }
        log.info("Disk backlog map grown to {} bytes", next);
    }

    // ─── read path (any thread) ────────────────────────────────────────────────────────────

    /** The offset of the last byte readers can see (committed). */
    public long committedEndOffset() {
        return committedEnd;
    }

    /**
     * Copies committed bytes from {@code offset}, at most {@code maxBytes}, into a new buffer
     * from {@code alloc} (the caller releases it). Any thread, concurrently with the writer.
     *
     * @return the bytes; an empty buffer when {@code offset} is the committed end + 1
     * @throws IllegalArgumentException if {@code offset} is not in the committed data as of the
     *     read's snapshot (trimmed, truncated, or not committed yet)
     * @throws BacklogStoreException if a chunk read fails its CRC32C or the chunks are not
     *     contiguous (the store is damaged; nothing is returned)
     * @throws IllegalStateException once closed
     */
    public ByteBuf read(long offset, int maxBytes, ByteBufAllocator alloc) {
        if (maxBytes <= 0) throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        envLock.readLock().lock();
        try {
            if (closed) throw new IllegalStateException("disk backlog " + dir + " is closed");
            try (Txn<ByteBuffer> tx = env.txnRead()) {
                BacklogMeta m = readMeta(dir, tx, meta);
                if (offset < m.first() || offset > m.last() + 1) throw new IllegalArgumentException("offset " + offset + " is not in the committed backlog " + m.first() + ".." + m.last());
                int n = (int) Math.min(maxBytes, m.last() - offset + 1);
                ByteBuf out = alloc.buffer(n);
                boolean ok = false;
                try {
                    if (n > 0) copy(tx, offset, n, out);
                    ok = true;
                    return out;
                } finally {
                    if (!ok) out.release();
                }
            }
        } catch (LmdbException e) {
            throw new BacklogStoreException(dir, "read failed: " + e.getMessage(), e);
        } finally {
            envLock.readLock().unlock();
        }
    }

    private void copy(Txn<ByteBuffer> tx, long offset, int n, ByteBuf out) {
        ByteBuffer k = READ_KEY.get();
        k.clear();
        k.putLong(0, offset);
        try (Cursor<ByteBuffer> c = chunks.openCursor(tx)) {
            // The chunk holding offset: the first key >= offset if it equals offset, else the one before.
            boolean found = c.get(k, GetOp.MDB_SET_RANGE);
            if (!found || keyOf(c.key()) != offset) {
                if (!(found ? c.prev() : c.last())) throw new BacklogStoreException(dir, "no chunk holds offset " + offset + " although the meta record says it is held");
            }
            long pos = offset;
            int left = n;
            for (;;) {
                long start = keyOf(c.key());
                ByteBuffer v = c.val();
                int len = v.remaining() - HEADER;
                if (len <= 0 || pos < start || pos >= start + len) throw new BacklogStoreException(dir, "chunks are not contiguous around offset " + pos + " (chunk at " + start + ", " + len + " bytes)");
                verifyChunk(dir, start, v);
                int from = (int) (pos - start);
                int take = Math.min(left, len - from);
                int base = v.position() + HEADER + from;
                out.writeBytes(v.duplicate().limit(base + take).position(base));
                pos += take;
                left -= take;
                if (left == 0) return;
                if (!c.next()) throw new BacklogStoreException(dir, "the chunks end at offset " + (pos - 1) + " although the meta record says more is held");
            }
        }
    }

    /** The oldest {@code max} chunks (any thread). */
    public List<ChunkInfo> chunks(int max) {
        List<ChunkInfo> out = new ArrayList<>();
        envLock.readLock().lock();
        try {
            if (closed) throw new IllegalStateException("disk backlog " + dir + " is closed");
            try (Txn<ByteBuffer> tx = env.txnRead(); Cursor<ByteBuffer> c = chunks.openCursor(tx)) {
                for (boolean more = c.first(); more && out.size() < max; more = c.next()) {
                    ByteBuffer v = c.val().order(ByteOrder.BIG_ENDIAN);
                    int p = v.position();
                    out.add(new ChunkInfo(keyOf(c.key()), v.remaining() - HEADER, v.getInt(p + 8), v.getLong(p)));
                }
            }
        } catch (LmdbException e) {
            throw new BacklogStoreException(dir, "listing chunks failed: " + e.getMessage(), e);
        } finally {
            envLock.readLock().unlock();
        }
        return out;
    }

    /**
     * Bytes the store occupies on disk: data.mdb (never shrinks: LMDB reuses freed pages
     * instead) plus lock.mdb.
     */
    public long diskBytes() {
        long n = 0;
        for (String f : new String[] {DATA_FILE, LOCK_FILE}) {
            try {
                n += Files.size(dir.resolve(f));
            } catch (IOException e) {
                // Not there (yet): counts as nothing.
            }
        }
        return n;
    }

    /** Whether this store runs with MDB_WRITEMAP (measurements only). */
    boolean writeMap() {
        return writeMap;
    }

    // ─── format helpers ────────────────────────────────────────────────────────────────────

    private static long keyOf(ByteBuffer k) {
        return k.order(ByteOrder.BIG_ENDIAN).getLong(k.position());
    }

    private static BacklogMeta readMeta(Path dir, Txn<ByteBuffer> tx, Dbi<ByteBuffer> meta) {
        ByteBuffer v = meta.get(tx, META_KEY_BUF.duplicate());
        if (v == null) throw new BacklogStoreException(dir, "no meta record: not a Tandem backlog store, or damaged");
        if (v.remaining() > 2 * (BacklogMeta.FIXED + 2 * BacklogMeta.MAX_ID + BacklogMeta.MAX_FLAGS)) throw new BacklogStoreException(dir, "the meta record is " + v.remaining() + " bytes, far too long");
        try {
            return BacklogMeta.decode(v);
        } catch (IllegalArgumentException e) {
            throw new BacklogStoreException(dir, e.getMessage());
        }
    }

    /** CRC32C of key ‖ value bytes 0..11 (time, db) ‖ payload. */
    static int chunkCrc(long start, ByteBuffer v) {
        CRC32C crc = new CRC32C();
        ByteBuffer key = ByteBuffer.allocate(8).putLong(0, start);
        crc.update(key);
        int p = v.position();
        crc.update(v.duplicate().limit(p + 12).position(p));
        crc.update(v.duplicate().limit(v.limit()).position(p + HEADER));
        return (int) crc.getValue();
    }

    private static void verifyChunk(Path dir, long start, ByteBuffer v) {
        int stored = v.order(ByteOrder.BIG_ENDIAN).getInt(v.position() + 12);
        int actual = chunkCrc(start, v);
        if (stored != actual)
            throw new BacklogStoreException(dir, String.format("chunk at offset %d (%d bytes) fails its CRC32C check (stored %08x, computed %08x)", start, v.remaining() - HEADER, stored, actual));
    }
}
