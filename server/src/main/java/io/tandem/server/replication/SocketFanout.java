package io.tandem.server.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.tandem.server.exec.Executor;
import io.tandem.server.persist.RdbOutput;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A diskless full sync's RDB written straight to the sockets of every replica that takes part
 * (Redis's rdbSaveToSlavesSockets and rdbPipeReadHandler, without the child and the pipe). One
 * snapshot walk produces each chunk once; every replica's channel gets a retained view of the
 * same bytes, so memory does not grow with the number of replicas.
 *
 * <pre>
 *   per replica:  +FULLRESYNC replid offset\r\n   (PSYNC only; written by {@link #start})
 *                 $EOF:&lt;40 random hex&gt;\r\n
 *                 RDB chunks ...                   (the snapshot's walk, in order)
 *                 &lt;the same 40 chars&gt;             (written by {@link #end})
 * </pre>
 *
 * <p><b>Back-pressure.</b> Each target counts the bytes handed to its channel and not yet
 * written to the socket; {@link #pending} is the largest count, and the walk pauses above
 * {@link RdbOutput#MAX_PENDING} until the slowest replica has taken half of it (then
 * {@code drained} wakes the executor). So the RDB in flight is bounded by 32 MB whatever the
 * dataset size and however many replicas, at the cost of going at the slowest replica's pace, as
 * Redis's parent does when a replica socket is not writable. A replica that takes nothing for
 * repl-timeout is dropped by {@link Replication}'s cron ({@link #stalledSince}); the stream bytes
 * it is owed meanwhile are held in its {@link ReplicaLink} and bounded by
 * client-output-buffer-limit replica.
 *
 * <p>Threads: {@link #start}, {@link #write}, {@link #end}, {@link #remove} on the executor;
 * write-completion listeners on the replicas' event loops (they touch only atomics and hop to
 * the executor with {@code transferred}).
 */
final class SocketFanout implements RdbOutput {
    /** Told on the executor when the last byte reached one replica's socket (or it failed). */
    interface Transferred {
        void transferred(ReplicaLink r, boolean ok);
    }

    private final class Target {
        final ReplicaLink replica;
        final Channel channel;
        final byte[] preamble;
        final AtomicLong pending = new AtomicLong();
        final AtomicBoolean finished = new AtomicBoolean();
        volatile long lastProgressMs = System.currentTimeMillis();

        Target(ReplicaLink replica, byte[] preamble) {
            this.replica = replica;
            this.channel = replica.client.channel;
            this.preamble = preamble;
        }

        /** Counts this target out once: success (its last byte written) or failure. */
        void finish(boolean ok) {
            if (!finished.compareAndSet(false, true)) return;
            pending.set(0);
            executor.execute(() -> transferred.transferred(replica, ok));
            if (ok) succeeded.incrementAndGet();
            if (remaining.decrementAndGet() == 0 && ended) complete();
            checkDrained();
        }
    }

    private final Executor executor;
    private final Transferred transferred;
    private final byte[] eofMark;
    private final List<Target> targets = new ArrayList<>();
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicInteger succeeded = new AtomicInteger();
    private volatile boolean ended;
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean full;
    private Completion done;
    private Runnable drained;

    /** @param eofMark the 40 random hex characters of {@code $EOF:}, also written after the RDB */
    SocketFanout(Executor executor, String eofMark, Transferred transferred) {
        this.executor = executor;
        this.eofMark = eofMark.getBytes(StandardCharsets.US_ASCII);
        this.transferred = transferred;
    }

    /** Adds a replica before {@link #start}; {@code preamble} precedes {@code $EOF:} (its +FULLRESYNC line, or nothing). */
    void add(ReplicaLink r, String preamble) {
        targets.add(new Target(r, preamble.getBytes(StandardCharsets.US_ASCII)));
        remaining.incrementAndGet();
    }

    /** Replicas still receiving (executor thread). */
    int live() {
        int n = 0;
        for (Target t : targets) if (!t.finished.get()) n++;
        return n;
    }

    /** The replica went away: it counts out (no more bytes are written to it). Executor thread. */
    void remove(ReplicaLink r) {
        for (Target t : targets) if (t.replica == r) t.finish(false);
    }

    /**
     * A replica with bytes in flight that has taken none since this time (ms), or 0 (Redis's
     * repl_last_partial_write, checked against repl-timeout in cron).
     */
    long stalledSince(ReplicaLink r) {
        for (Target t : targets) {
            if (t.replica == r && !t.finished.get() && t.pending.get() > 0) return t.lastProgressMs;
        }
        return 0;
    }

    @Override
    public void start(Completion done, Runnable drained) {
        this.done = done;
        this.drained = drained;
        byte[] head = ("$EOF:" + new String(eofMark, StandardCharsets.US_ASCII) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        for (Target t : targets) {
            ByteBuf b = Unpooled.buffer(t.preamble.length + head.length);
            b.writeBytes(t.preamble).writeBytes(head);
            send(t, b, false);
        }
    }

    @Override
    public long pending() {
        long max = 0;
        for (Target t : targets) if (!t.finished.get()) max = Math.max(max, t.pending.get());
        return max;
    }

    /** An RDB chunk (the writer reuses {@code b}): copied once, shared by every replica. */
    @Override
    public void write(byte[] b, int off, int len) {
        if (len == 0) return;
        ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer(len);
        chunk.writeBytes(b, off, len);
        for (Target t : targets) {
            if (!t.finished.get()) send(t, chunk.retainedDuplicate(), false);
        }
        chunk.release();
        if (pending() > RdbOutput.MAX_PENDING) full = true;
    }

    /** The RDB is complete: the EOF mark to every replica; each is done once it is on its socket. */
    @Override
    public void end() {
        ended = true;
        for (Target t : targets) {
            if (!t.finished.get()) send(t, Unpooled.wrappedBuffer(eofMark), true);
        }
        if (remaining.get() == 0) complete();
    }

    /** Reports once: ok if at least one replica got the whole RDB. */
    private void complete() {
        if (!reported.compareAndSet(false, true)) return;
        boolean ok = succeeded.get() > 0;
        done.completed(ok, ok ? null : "no replica received the whole RDB");
    }

    @Override
    public void fail(String why) {
        ended = true;
        for (Target t : targets) {
            if (!t.finished.get()) {
                t.finished.set(true);
                t.channel.close();
            }
        }
        if (reported.compareAndSet(false, true)) done.completed(false, why);
    }

    @Override
    public void abort() {
        ended = true;
        reported.set(true);
        for (Target t : targets) t.finished.set(true);
    }

    private void send(Target t, ByteBuf b, boolean last) {
        int n = b.readableBytes();
        t.pending.addAndGet(n);
        t.channel.writeAndFlush(b).addListener(f -> {
            if (!f.isSuccess()) {
                t.finish(false);
                return;
            }
            t.lastProgressMs = System.currentTimeMillis();
            t.pending.addAndGet(-n);
            if (last) t.finish(true);
            else checkDrained();
        });
    }

    private void checkDrained() {
        if (full && pending() < RdbOutput.MAX_PENDING / 2) {
            full = false;
            Runnable d = drained;
            if (d != null) d.run();
        }
    }
}
