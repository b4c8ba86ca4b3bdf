package io.tandem.server.exec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.tandem.storage.resp.RespWriter;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection's state. Split by owner:
 * <ul>
 *   <li>fields marked EXECUTOR are read and written by the executor thread only (everything
 *       about the session: db, auth, MULTI, subscriptions, the reply being built);</li>
 *   <li>fields marked IO belong to the connection's event loop, or are atomics/volatiles shared
 *       for flow control.</li>
 * </ul>
 * Replies are written by the executor into {@link #out()} and handed to the event loop in one
 * {@code writeAndFlush} per batch ({@link #flush()}), so a pipeline of 16 commands costs one
 * cross-thread hand-off, not 16.
 */
public final class Client {
    public final long id;
    public final Channel channel; // null for internal clients (AOF loading, master link replay)
    public final long createdMs;
    private final String addr;
    private final String laddr;

    // ---- EXECUTOR ----
    public int db;
    public String name;
    public boolean authenticated;
    public String user = "default";
    public long lastInteractionMs;
    public String lastCommand = "NULL";
    /** Queued commands while in MULTI, else null. */
    public java.util.List<byte[][]> multi;
    /** A queued command was rejected: EXEC answers EXECABORT. */
    public boolean multiError;
    /** Commands that arrived while this client was blocked, run in order once it unblocks. */
    public final ArrayDeque<byte[][]> deferred = new ArrayDeque<>();
    public boolean blocked;
    /** Set while EXEC runs the queue (and by scripts): blocking commands answer at once instead of blocking. */
    public boolean denyBlocking;
    public boolean closeAfterReply;
    public boolean closed;
    /** CLIENT REPLY OFF/SKIP. */
    public int replyMode; // 0 on, 1 off, 2 skip next
    public boolean noEvict;
    /**
     * Replays a stream the server must obey: the AOF loader, aof-to-rdb, the master link on a
     * replica. Authenticated, and no deny rule (OOM, MISCONF, READONLY, NOREPLICAS) applies, as
     * Redis's loader and master client skip processCommand's checks.
     */
    public boolean replaying;
    public boolean monitor;
    /** Flags for CLIENT LIST beyond the derived ones: 'M' master link, 'S' replica, ... */
    public int kind; // 0 normal, 1 replica, 2 master, 3 pubsub (derived)
    public int subscriptions;
    public final RespWriter writer = new RespWriter();
    /** Stream offset after this client's last propagated write (Redis's c->woff, for WAIT). */
    public long woff;
    private ByteBuf pending;
    /** Bytes shared with other connections (replication stream), sent after {@link #pending}. */
    private CompositeByteBuf shared;
    boolean dirty;

    // ---- IO / shared ----
    /** Commands handed to the executor and not yet executed (flow control). */
    public final AtomicInteger inflight = new AtomicInteger();
    public volatile long queryBufferBytes;

    public Client(long id, Channel channel, long now) {
        this.id = id;
        this.channel = channel;
        this.createdMs = now;
        this.lastInteractionMs = now;
        this.addr = channel == null ? "" : format(channel.remoteAddress());
        this.laddr = channel == null ? "" : format(channel.localAddress());
    }

    private static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress in) {
            String host = in.getAddress() != null ? in.getAddress().getHostAddress() : in.getHostString();
            return host + ":" + in.getPort();
        }
        return a == null ? "" : a.toString() + ":0";
    }

    public String addr() {
        return addr;
    }

    public String laddr() {
        return laddr;
    }

    /** The writer for this client's reply, backed by a buffer allocated on first use. */
    public RespWriter out() {
        if (pending == null) {
            ByteBufAllocator alloc = channel != null ? channel.alloc() : ByteBufAllocator.DEFAULT;
            pending = alloc.ioBuffer(256);
            writer.buffer(pending);
        }
        return writer;
    }

    /** Bytes of reply built but not yet handed to the network. */
    public int pendingBytes() {
        return (pending == null ? 0 : pending.readableBytes()) + (shared == null ? 0 : shared.readableBytes());
    }

    /**
     * Queues bytes this client shares with others (a replica's slice of the replication stream,
     * a snapshot served to several replicas) after what was written so far, without copying;
     * takes ownership of {@code b}. Flushed like a reply ({@link Executor#markDirty}). Executor thread.
     */
    public void queueShared(ByteBuf b) {
        if (closed) {
            b.release();
            return;
        }
        if (shared == null) {
            shared = (channel != null ? channel.alloc() : ByteBufAllocator.DEFAULT).compositeBuffer(Integer.MAX_VALUE);
        }
        if (pending != null) {
            if (pending.isReadable()) shared.addComponent(true, pending);
            else pending.release();
            pending = null;
            writer.buffer(null);
        }
        shared.addComponent(true, b);
    }

    /**
     * Hands the reply built so far to the event loop. With {@link #closeAfterReply} the
     * connection closes once it is written. Executor thread.
     */
    public void flush() {
        dirty = false;
        ByteBuf b = takeOutput();
        if (channel == null) {
            if (b != null) b.release();
            return;
        }
        writeOut(b, true);
    }

    /** Detaches the reply built so far (null if none). Executor thread. */
    ByteBuf takeOutput() {
        ByteBuf b = pending;
        pending = null;
        writer.buffer(null);
        if (shared != null) {
            CompositeByteBuf s = shared;
            shared = null;
            if (b != null) {
                if (b.isReadable()) s.addComponent(true, b);
                else b.release();
            }
            return s;
        }
        return b;
    }

    /** Event-loop side of a batched flush: writes (the caller flushes); touches no executor state. */
    void writeBatched(ByteBuf b) {
        if (b.isReadable() && channel.isActive()) channel.write(b, channel.voidPromise());
        else b.release();
    }

    /** Hands detached output to the channel, closing it after when asked ({@link #closeAfterReply}). */
    void writeOut(ByteBuf b, boolean flushNow) {
        if (b != null && b.isReadable() && !closed) {
            if (closeAfterReply) {
                channel.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
                closed = true;
            } else if (flushNow) {
                channel.writeAndFlush(b, channel.voidPromise());
            } else {
                channel.write(b, channel.voidPromise());
            }
        } else {
            if (b != null) b.release();
            if (closeAfterReply && !closed) {
                closed = true;
                channel.close();
            }
        }
    }

    /** Drops any reply under construction (disconnect). */
    void discardPending() {
        if (pending != null) {
            pending.release();
            pending = null;
            writer.buffer(null);
        }
        if (shared != null) {
            shared.release();
            shared = null;
        }
    }

    public boolean isInternal() {
        return channel == null;
    }
}
