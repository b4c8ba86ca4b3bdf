package io.tandem.server.persist;

import io.tandem.server.Server;
import io.tandem.storage.keyspace.Database.SnapshotWalk;
import io.tandem.storage.keyspace.Keyspace;
import io.tandem.storage.keyspace.StoredValue;
import io.tandem.storage.keyspace.WriteObserver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A forkless, point-in-time BGSAVE: the RDB file holds the dataset exactly as it was when the
 * snapshot started, while the executor keeps serving writes. See ARCHITECTURE.md, "Snapshots
 * without fork".
 *
 * <pre>
 *   executor thread                                            writer thread
 *   ───────────────                                            ─────────────
 *   step(): walk buckets (db, bucket) in order ──┐
 *   write hook: before a key changes, if its     ├─► RdbEncoder ─► chunks ─► RdbOutput: FileOutput ──queue──► MappedFileSink(temp)
 *     bucket is not walked yet and it is not     │   (LZF, CRC64                                                force, truncate,
 *     done: save its current value, mark done  ──┘    on the executor)                                          rename, fsync dir
 *   walk reaches a bucket: skip keys marked done                 or replica sockets (a diskless full sync, server.replication)
 * </pre>
 *
 * Invariant: every key is written at most once, and with the value it had at the start. A key
 * is written either by the walk (its bucket reached with no change to the key since the start,
 * because any change first goes through the hook) or by the hook just before its first change
 * (its value then is still the value at the start); a key created after the start is marked done
 * with nothing written. Both run on the executor, so no lock is needed. Buckets are by key hash
 * ({@link SnapshotWalk}), so map growth and migrations do not move keys across the walk's front.
 *
 * <p>Memory beyond the dataset: the queue of chunks not yet on disk (the walk pauses when it
 * holds {@link #MAX_PENDING} bytes; the hook never waits, so it grows by the serialized size of
 * what changes), plus one key copy per key changed ahead of the walk. The output's pending bytes
 * are its own to bound (a file: the writer queue; sockets: what the slowest replica has not taken
 * yet). Executor thread, except the output's own threads.
 */
final class Snapshot implements WriteObserver {
    /** The walk pauses while this many bytes wait for the output. */
    static final long MAX_PENDING = RdbOutput.MAX_PENDING;

    /** How the snapshot ended, on the executor: ok, or an error text. */
    interface Done {
        void done(Snapshot s, boolean ok, String error);
    }

    private final Server server;
    private final Keyspace ks;
    private final SnapshotWalk[] walks;
    private final int[] next;
    private final Set<ByteBuffer>[] doneKeys;
    private final RdbEncoder enc;
    private final RdbOutput writer;
    /** The walk stopped for the output; its drain wakes the executor. */
    private volatile boolean waitingForOutput;
    /** rdb-key-save-delay, read at every step (Redis fixes it at fork; tests change it mid-walk to release one). */
    private final java.util.function.LongSupplier keyDelay;
    private int walkDb;
    private boolean walkFinished;
    private boolean failed;
    private long throttleUntil;
    final long startNanos = System.nanoTime();
    final long dirtyAtStart;
    final long keysTotal;
    /** Bytes the hook wrote ahead of the walk (INFO's rdb_last_cow_size counterpart). */
    long earlyBytes;

    /** A snapshot to a file: {@code temp}, renamed over {@code target} once complete. */
    Snapshot(Server server, Path target, Path temp, boolean compress, boolean checksum, long keyDelayMicros, Done done)
            throws IOException {
        this(server, new FileOutput(target, temp), compress, checksum, () -> keyDelayMicros, done);
    }

    /**
     * A snapshot of the dataset as of now to {@code out}. The header's aux fields name this
     * instant: repl-id/repl-offset and repl-stream-db as they are now.
     */
    @SuppressWarnings("unchecked")
    Snapshot(Server server, RdbOutput out, boolean compress, boolean checksum, java.util.function.LongSupplier keyDelay, Done done)
            throws IOException {
        this.server = server;
        this.ks = server.keyspace();
        this.keyDelay = keyDelay;
        this.dirtyAtStart = server.stats().dirty;
        int n = ks.databases();
        walks = new SnapshotWalk[n];
        next = new int[n];
        doneKeys = new Set[n];
        long[] sizes = new long[n];
        long[] expires = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            walks[i] = ks.db(i).snapshotWalk();
            sizes[i] = ks.db(i).size();
            expires[i] = ks.db(i).expiresCount();
            total += sizes[i];
        }
        keysTotal = total;
        writer = out;
        enc = new RdbEncoder(writer, compress, checksum, sizes, expires);
        writer.start((ok, why) -> server.executor().execute(() -> done.done(this, ok, why)), () -> {
            if (waitingForOutput) {
                waitingForOutput = false;
                server.executor().execute(() -> { }); // wakes a parked executor: idle work resumes the walk
            }
        });
        try {
            enc.header(server);
        } catch (IOException | RuntimeException e) {
            writer.abort();
            throw e;
        }
        ks.setWriteObserver(this);
    }

    long keysWritten() {
        return enc.keys;
    }

    boolean walkFinished() {
        return walkFinished;
    }

    // ------------------------------------------------------------------ write hook

    private boolean visited(int db, byte[] key) {
        SnapshotWalk w = walks[db];
        return next[db] >= w.buckets() || w.bucketOf(key) < next[db];
    }

    @Override
    public void beforeChange(int db, byte[] key) {
        if (walkFinished || visited(db, key)) return;
        Set<ByteBuffer> done = doneKeys[db];
        if (done == null) done = doneKeys[db] = new HashSet<>();
        if (!done.add(ByteBuffer.wrap(key.clone()))) return;
        StoredValue v = ks.db(db).peek(key);
        if (v == null) return; // created after the start: nothing to save
        // Counted from the serializer, not the writer queue: the writer thread drains the queue
        // concurrently and the encoder buffers, so a queue difference under-counts (often 0).
        long before = enc.written();
        write(db, key, v);
        earlyBytes += enc.written() - before;
    }

    @Override
    public void beforeClear(int db) {
        drain(db);
    }

    @Override
    public void beforeSwap(int a, int b) {
        drain(a);
        drain(b);
    }

    /** Walks the rest of a database now (FLUSHDB and SWAPDB during a snapshot: O(keys left)). */
    private void drain(int db) {
        if (walkFinished) return;
        while (next[db] < walks[db].buckets() && !failed) visitBucket(db);
        doneKeys[db] = null;
    }

    private void write(int db, byte[] key, StoredValue v) {
        if (failed) return;
        try {
            enc.key(db, key, v);
        } catch (IOException | RuntimeException e) {
            fail("Write error saving DB on disk: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ the walk

    private int visitBucket(int db) {
        Set<ByteBuffer> done = doneKeys[db];
        BiConsumer<byte[], StoredValue> out = (k, v) -> {
            if (done != null && done.remove(ByteBuffer.wrap(k))) return;
            write(db, k, v);
        };
        int n = walks[db].visit(next[db], out);
        next[db]++;
        return n;
    }

    /**
     * Walks for about {@code budgetNanos}. Returns true when more can be done right away (so
     * an idle executor keeps calling), false when finished, waiting for the writer, or
     * throttled by rdb-key-save-delay.
     */
    boolean step(long budgetNanos) {
        if (walkFinished) return false;
        long start = System.nanoTime();
        long keyDelayMicros = Math.max(0, keyDelay.getAsLong());
        if (keyDelayMicros > 0 && start - throttleUntil < 0) return false;
        while (!failed) {
            if (writer.pending() > MAX_PENDING) {
                waitingForOutput = true;
                // Re-checked after publishing the flag: a drain in between would not wake us.
                if (writer.pending() > MAX_PENDING / 2) return false;
                waitingForOutput = false;
            }
            while (walkDb < walks.length && next[walkDb] >= walks[walkDb].buckets()) {
                doneKeys[walkDb] = null;
                walkDb++;
            }
            if (walkDb == walks.length) {
                finishWalk();
                return false;
            }
            int n = visitBucket(walkDb);
            long now = System.nanoTime();
            if (keyDelayMicros > 0 && n > 0) {
                throttleUntil = now + n * keyDelayMicros * 1000;
                server.executor().schedule(n * keyDelayMicros * 1000, () -> { });
                return false;
            }
            if (now - start > budgetNanos) return true;
        }
        return false;
    }

    private void finishWalk() {
        walkFinished = true;
        ks.setWriteObserver(null);
        try {
            enc.finish();
            writer.end();
        } catch (IOException e) {
            fail("Write error saving DB on disk: " + e.getMessage());
        }
    }

    private void fail(String why) {
        if (failed) return;
        failed = true;
        walkFinished = true;
        ks.setWriteObserver(null);
        writer.fail(why);
    }

    /** Stops the snapshot: no file replaces the target, the temp file is removed. No report follows. */
    void abort() {
        walkFinished = true;
        ks.setWriteObserver(null);
        writer.abort();
    }

}
