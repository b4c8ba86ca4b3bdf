package io.tandem.replication.backlog;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The in-memory replication backlog (Redis's {@code repl_backlog}): the last {@code size} bytes
 * of the replication stream, addressed by stream offset, so a replica that lost its link can
 * continue with {@code +CONTINUE} instead of a full resync.
 *
 * <pre>
 *   ring (size bytes)                      stream offsets
 *   ┌──────────────┬────────────┬──────┐
 *   │ newer ...    │  free/old  │ old  │    firstByteOffset() = offset of the oldest byte held
 *   └──────────────┴────────────┴──────┘    histlen()         = bytes held (&lt;= size)
 *                  ^ write position         endOffset()       = firstByteOffset + histlen - 1
 *                                                              = master_repl_offset
 * </pre>
 *
 * Offsets follow Redis's convention: the stream's first byte is offset 1, and
 * {@code master_repl_offset} is the offset of the last byte produced. A replica that processed
 * up to offset {@code o} asks {@code PSYNC <replid> o+1}; {@link #covers} tells whether that
 * byte and everything after it are still here.
 *
 * <p>Not thread-safe: owned by the executor.
 */
public final class Backlog {
    private byte[] ring;
    private int write;
    private long histlen;
    /** Offset of the oldest byte held (Redis's repl_backlog->offset). */
    private long first;

    /**
     * @param size bytes kept (repl-backlog-size)
     * @param streamOffset the stream offset so far (master_repl_offset): the next byte appended
     *     is {@code streamOffset + 1}
     */
    public Backlog(long size, long streamOffset) {
        ring = new byte[checkedSize(size)];
        first = streamOffset + 1;
    }

    private static int checkedSize(long size) {
        if (size < 1 || size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("backlog size out of range: " + size);
        return (int) size;
    }

    public int size() {
        return ring.length;
    }

    public long histlen() {
        return histlen;
    }

    /** repl_backlog_first_byte_offset. */
    public long firstByteOffset() {
        return first;
    }

    /** Appends {@code len} readable bytes of {@code src} starting at {@code index} (indexes unchanged). */
    public void append(ByteBuf src, int index, int len) {
        int cap = ring.length;
        if (len >= cap) {
            // Only the last cap bytes survive.
            src.getBytes(index + len - cap, ring, 0, cap);
            write = 0;
            first += histlen + len - cap;
            histlen = cap;
            return;
        }
        int tail = Math.min(len, cap - write);
        src.getBytes(index, ring, write, tail);
        if (tail < len) src.getBytes(index + tail, ring, 0, len - tail);
        write = (write + len) % cap;
        histlen += len;
        if (histlen > cap) {
            first += histlen - cap;
            histlen = cap;
        }
    }

    /** Appends bytes from an array. */
    public void append(byte[] b) {
        append(io.netty.buffer.Unpooled.wrappedBuffer(b), 0, b.length);
    }

    /**
     * True when every byte from {@code offset} to the end is held (Redis's check in
     * masterTryPartialResynchronization: {@code offset >= first && offset <= first + histlen}).
     * {@code offset == end + 1} is covered: there is nothing to send.
     */
    public boolean covers(long offset) {
        return offset >= first && offset <= first + histlen;
    }

    /** The bytes from {@code offset} to the end, in a new buffer (the caller releases it). */
    public ByteBuf copyFrom(long offset, ByteBufAllocator alloc) {
        if (!covers(offset)) throw new IllegalArgumentException("offset " + offset + " not in the backlog [" + first + ", " + (first + histlen) + "]");
        int len = (int) (first + histlen - offset);
        ByteBuf out = alloc.buffer(Math.max(len, 1));
        int cap = ring.length;
        // Position of the oldest byte in the ring.
        int oldest = (int) ((write - histlen + cap) % cap);
        int start = (int) ((oldest + (offset - first)) % cap);
        int tail = Math.min(len, cap - start);
        out.writeBytes(ring, start, tail);
        if (tail < len) out.writeBytes(ring, 0, len - tail);
        return out;
    }

    /**
     * Changes the size (CONFIG SET repl-backlog-size), keeping the newest bytes that fit, as
     * Redis's resizeReplicationBacklog (7.0 trims the history to the new limit).
     */
    public void resize(long newSize) {
        int n = checkedSize(newSize);
        if (n == ring.length) return;
        long end = first + histlen;
        long keep = Math.min(histlen, n);
        byte[] next = new byte[n];
        if (keep > 0) {
            ByteBuf tail = copyFrom(end - keep, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
            tail.readBytes(next, 0, (int) keep);
            tail.release();
        }
        ring = next;
        write = (int) (keep % n);
        histlen = keep;
        first = end - keep;
    }
}
