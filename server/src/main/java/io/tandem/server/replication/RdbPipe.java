package io.tandem.server.replication;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * The RDB bytes of a full sync as they arrive, handed from the master link's event loop to a
 * parser thread ({@link RdbLoad}) as a blocking {@link InputStream}. Bounded: above
 * {@link #HIGH} bytes queued the link stops reading its socket ({@link #full}), and once the
 * parser has taken it back under {@link #LOW} the {@code resume} callback lets it read again,
 * so a slow parser slows the master down instead of growing memory.
 *
 * <p>Threads: {@link #offer}, {@link #close}, {@link #fail} on the link's event loop; the read
 * methods on the parser thread; {@code resume} is called on the parser thread.
 */
final class RdbPipe extends InputStream {
    static final long HIGH = 16L << 20;
    static final long LOW = 4L << 20;

    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private final Runnable resume;
    private long size;
    /** The writer said there is no more. */
    private boolean ended;
    /** The reader closed: offers are dropped. */
    private boolean discarded;
    private String failure;
    private boolean wasFull;
    private ByteBuf current;

    RdbPipe(Runnable resume) {
        this.resume = resume;
    }

    /** Appends bytes (takes ownership). */
    synchronized void offer(ByteBuf b) {
        if (discarded || failure != null) {
            b.release();
            return;
        }
        size += b.readableBytes();
        queue.add(b);
        notifyAll();
    }

    /** No more bytes: the reader sees end of stream after what is queued. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** The transfer broke: the reader gets an IOException; queued bytes are freed. */
    synchronized void fail(String why) {
        if (failure == null) failure = why;
        for (ByteBuf b; (b = queue.poll()) != null; ) b.release();
        size = 0;
        notifyAll();
    }

    /** True when the link should stop reading its socket (remembered until {@code resume}). */
    synchronized boolean full() {
        if (size > HIGH) wasFull = true;
        return wasFull;
    }

    /** Bytes queued and not yet read. */
    synchronized long size() {
        return size;
    }

    /** The next buffer with bytes, blocking; null at end of stream. Parser thread. */
    private ByteBuf next() throws IOException {
        boolean resumeNow = false;
        synchronized (this) {
            if (current != null && current.isReadable()) return current;
            if (current != null) {
                current.release();
                current = null;
            }
            while (queue.isEmpty() && !ended && !discarded && failure == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
            if (failure != null) throw new IOException(failure);
            if (queue.isEmpty()) return null;
            current = queue.poll();
            size -= current.readableBytes();
            if (wasFull && size < LOW) {
                wasFull = false;
                resumeNow = true;
            }
        }
        if (resumeNow) resume.run();
        return current;
    }

    @Override
    public int read() throws IOException {
        ByteBuf b = next();
        return b == null ? -1 : b.readByte() & 0xff;
    }

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) return 0;
        ByteBuf b = next();
        if (b == null) return -1;
        int n = Math.min(len, b.readableBytes());
        b.readBytes(dst, off, n);
        return n;
    }

    /** Reader side: frees what is left and drops what comes later (the parser is done). */
    @Override
    public synchronized void close() {
        discarded = true;
        if (current != null) {
            current.release();
            current = null;
        }
        for (ByteBuf b; (b = queue.poll()) != null; ) b.release();
        size = 0;
        notifyAll();
    }
}
