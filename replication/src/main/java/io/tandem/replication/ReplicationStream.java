package io.tandem.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.tandem.replication.backlog.Backlog;
import io.tandem.replication.backlog.DiskBacklog;
import io.tandem.storage.resp.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The master's replication stream (Redis's {@code replicationFeedSlaves}): every propagated
 * command, as RESP, preceded by {@code SELECT <db>} whenever its database differs from the
 * previous command's. The SELECT is part of the stream and counted in the offset, as in Redis,
 * so byte offsets agree with a Redis replica's.
 *
 * <pre>
 *   executor: Propagation ─► feed(db, argv)
 *                              │ encode once into a pooled ByteBuf (SELECT first if the db changed)
 *                              ├─► backlog (copy into the ring)
 *                              ├─► ids.advance(bytes)           master_repl_offset
 *                              └─► each replica: retainedDuplicate() of the same bytes
 * </pre>
 *
 * <p>Like Redis, nothing is encoded while there is neither a backlog nor a replica: the backlog
 * is created when the first replica asks to sync ({@link #createBacklog}), and from then on every
 * write is fed. {@link #forceSelect} makes the next command start with a SELECT (after a full
 * sync's snapshot, whose loader starts in db 0).
 *
 * <p>Not thread-safe: executor thread only. A {@link Replica} receives buffers it must release.
 */
public final class ReplicationStream {
    /** Where stream bytes go (a replica connection). Takes ownership of {@code bytes}. */
    @FunctionalInterface
    public interface Replica {
        void send(ByteBuf bytes);
    }

    /**
     * A local consumer of the stream (the AOF). It sees the bytes this server applies, in order:
     * on a master every propagated command as encoded for replicas (SELECTs included, even while
     * no backlog or replica exists); on a replica the master's stream bytes as applied, verbatim
     * (the same bytes its sub-replicas and backlog get). It must copy what it keeps: the buffer
     * is only valid during the call, and it must not change the buffer's indexes.
     *
     * <p>{@link #point} tells it where the stream stands whenever that no longer follows from
     * the bytes it was given: the ids changed, the offset moved by bytes it does not get (the
     * keepalive PING, REPLCONF GETACK), the stream started counting (backlog created), or it
     * was given bytes that are not in the stream (writes on a writable replica). So "the last
     * point plus the bytes of the complete commands after it" is always the exact stream
     * position of the tap's content — what lets a restarted server name its dataset.
     */
    public interface Tap {
        void accept(ByteBuf bytes);

        /** The stream position after everything given so far is ({@code replid}, {@code offset}). */
        default void point(String replid, long offset) {
        }
    }

    private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "PING".getBytes(StandardCharsets.US_ASCII);

    private final ReplicationIds ids;
    private final ByteBufAllocator alloc;
    private final RespWriter writer = new RespWriter();
    private final List<Replica> replicas = new ArrayList<>();
    private final List<Tap> taps = new ArrayList<>();
    private Backlog backlog;
    /**
     * The durable backlog (repl-backlog-disk): every byte the ring gets, committed once per
     * executor batch ({@link #commitDisk}). The ring is then only a hot cache of its tail.
     */
    private DiskBacklog disk;
    /** Database of the last command in the stream, -1 to force a SELECT (Redis's slaveseldb). */
    private int selectedDb = -1;
    private boolean proxying;
    /** Replica mode: the master's commands are being applied (their effects are not tapped). */
    private boolean applyingMaster;
    /** Replica mode: the db the master's stream is in (the master client's), for re-anchoring taps. */
    private java.util.function.IntSupplier masterDb = () -> -1;

    public ReplicationStream(ReplicationIds ids) {
        this(ids, PooledByteBufAllocator.DEFAULT);
    }

    public ReplicationStream(ReplicationIds ids, ByteBufAllocator alloc) {
        this.ids = ids;
        this.alloc = alloc;
        ids.onChange(this::markPoint);
    }

    /** Tells the taps the current stream position ({@link Tap#point}). */
    public void markPoint() {
        if (disk != null) disk.setIdentity(ids.replid(), ids.replid2(), ids.secondOffset());
        for (int i = 0; i < taps.size(); i++) taps.get(i).point(ids.replid(), ids.offset());
    }

    public ReplicationIds ids() {
        return ids;
    }

    /** True once a backlog exists or a replica is attached: writes are fed. */
    public boolean active() {
        return backlog != null || !replicas.isEmpty();
    }

    /** The backlog, or null before the first replica. */
    public Backlog backlog() {
        return backlog;
    }

    /**
     * Creates the backlog at the current offset (Redis's createReplicationBacklog): a new history
     * starts here, so a disk backlog is emptied and restarts at this offset too.
     */
    public void createBacklog(long size) {
        backlog = new Backlog(size, ids.offset());
        selectedDb = -1;
        if (disk != null) disk.reset(ids.offset());
        markPoint(); // from here on the offset counts the bytes taps get
    }

    /**
     * Attaches a disk backlog that already ends at the current offset (reconciled at startup
     * with the dataset's point) and a ring in front of it, without emptying it: its history
     * continues.
     */
    public void resumeBacklog(DiskBacklog d, long ringSize) {
        if (d.endOffset() != ids.offset()) {
            throw new IllegalStateException("disk backlog ends at " + d.endOffset() + ", the stream is at " + ids.offset());
        }
        disk = d;
        backlog = new Backlog(ringSize, ids.offset());
        selectedDb = -1;
        markPoint();
    }

    /** The disk backlog, or null (repl-backlog-disk no). */
    public DiskBacklog disk() {
        return disk;
    }

    /** Commits the batch's bytes to the disk backlog (before the AOF writes them). Executor. */
    public void commitDisk() {
        if (disk != null) disk.commit();
    }

    /** Drops the backlog (repl-backlog-ttl on an in-memory backlog; a disk backlog is trimmed by age instead). */
    public void freeBacklog() {
        backlog = null;
        if (disk != null) disk.reset(ids.offset());
        markPoint();
    }

    public void resizeBacklog(long size) {
        if (backlog != null) backlog.resize(size);
    }

    /** The next command fed starts with SELECT (Redis: {@code server.slaveseldb = -1}). */
    public void forceSelect() {
        selectedDb = -1;
    }

    /** The db of the last command fed, or -1 when the next one will SELECT. */
    public int selectedDb() {
        return selectedDb;
    }

    public void addReplica(Replica r) {
        replicas.add(r);
    }

    public void removeReplica(Replica r) {
        replicas.remove(r);
    }

    /** Adds a local consumer of the command stream; the next command fed starts with SELECT. */
    public void addTap(Tap t) {
        taps.add(t);
        selectedDb = -1;
    }

    public void removeTap(Tap t) {
        taps.remove(t);
    }

    public List<Replica> replicas() {
        return replicas;
    }

    /**
     * Replica mode (Redis's replicationFeedStreamFromMasterStream): the stream is the master's,
     * applied bytes arrive through {@link #feedRaw} and what the replica's own execution
     * propagates is ignored, so offsets stay the master's.
     */
    public void proxying(boolean on) {
        proxying = on;
        selectedDb = -1;
    }

    public boolean proxying() {
        return proxying;
    }

    /**
     * Replica mode: the master's commands are being applied. Their effects are not given to the
     * taps, which get the master's bytes instead ({@link #feedRaw}); what a writable replica's
     * own clients write is, followed by a {@link Tap#point} since it is not in the stream.
     */
    public void applyingMaster(boolean on) {
        applyingMaster = on;
    }

    /** Replica mode: the db the master's stream is in, or -1 (a new AOF file starts with it). */
    public int tapDb() {
        return proxying ? masterDb.getAsInt() : -1;
    }

    /** Replica mode: where to read the db the master's stream is in. */
    public void masterDb(java.util.function.IntSupplier db) {
        masterDb = db;
    }

    /**
     * Appends bytes of the master's stream that this replica has applied to the backlog and
     * sub-replicas. The caller advances the offset (per command applied); takes ownership.
     */
    public void feedRaw(ByteBuf b) {
        int n = b.readableBytes();
        for (int i = 0; i < taps.size(); i++) taps.get(i).accept(b);
        if (!taps.isEmpty()) selectedDb = -1; // the master's bytes may have SELECTed: a local write re-SELECTs
        if (backlog != null && n > 0) backlog.append(b, b.readerIndex(), n);
        if (disk != null && n > 0) disk.append(b, b.readerIndex(), n, masterDb.getAsInt());
        for (int i = 0; i < replicas.size(); i++) replicas.get(i).send(b.retainedDuplicate());
        b.release();
    }

    /** Feeds one propagated command applying to {@code db}. */
    public void feed(int db, byte[][] argv) {
        // While proxying, replicas get the master's bytes (feedRaw); taps still get this node's
        // own applied effects, encoded here with their own SELECT tracking.
        boolean replicate = !proxying && active();
        boolean tap = !taps.isEmpty() && !(proxying && applyingMaster);
        if (!replicate && !tap) return;
        ByteBuf b = alloc.buffer(estimate(argv) + (db != selectedDb ? 32 : 0));
        dbBefore = selectedDb;
        writer.buffer(b);
        if (db != selectedDb) {
            writer.command(SELECT, Integer.toString(db).getBytes(StandardCharsets.US_ASCII));
            selectedDb = db;
        }
        writer.command(argv);
        writer.buffer(null);
        if (tap) for (int i = 0; i < taps.size(); i++) taps.get(i).accept(b);
        if (replicate) publish(b);
        else b.release();
        // A writable replica's own write is not in the master's stream: re-anchor the taps.
        if (tap && proxying) {
            int mdb = masterDb.getAsInt();
            if (mdb >= 0 && mdb != db) {
                // back in the master stream's db, or the master's next commands would replay in ours
                ByteBuf sel = alloc.buffer(32);
                writer.buffer(sel);
                writer.command(SELECT, Integer.toString(mdb).getBytes(StandardCharsets.US_ASCII));
                writer.buffer(null);
                for (int i = 0; i < taps.size(); i++) taps.get(i).accept(sel);
                sel.release();
                selectedDb = mdb;
            }
            markPoint();
        }
    }

    /**
     * Feeds a command that does not depend on the database (the master's periodic PING,
     * REPLCONF GETACK): no SELECT, as Redis feeds them with the current slaveseldb.
     */
    public void feedDbless(byte[][] argv) {
        if (proxying || !active()) return;
        ByteBuf b = alloc.buffer(estimate(argv));
        dbBefore = selectedDb;
        writer.buffer(b);
        writer.command(argv);
        writer.buffer(null);
        publish(b);
        markPoint(); // the offset moved by bytes the taps do not get
    }

    /** The periodic keepalive: {@code PING} in the stream (repl-ping-replica-period). */
    public void ping() {
        feedDbless(new byte[][] {PING});
    }

    /** The stream's db before the bytes being published (a disk chunk records it at its start). */
    private int dbBefore = -1;

    private void publish(ByteBuf b) {
        int n = b.readableBytes();
        if (backlog != null) backlog.append(b, b.readerIndex(), n);
        if (disk != null) disk.append(b, b.readerIndex(), n, dbBefore);
        ids.advance(n);
        for (int i = 0; i < replicas.size(); i++) replicas.get(i).send(b.retainedDuplicate());
        b.release();
    }

    private static int estimate(byte[][] argv) {
        int n = 16;
        for (byte[] a : argv) n += a.length + 16;
        return n;
    }
}
