package io.tandem.storage.io;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only file written through memory-mapped windows: the AOF's incr file (issue #4).
 *
 * <h2>Layout</h2>
 * <pre>
 *   while open:   [ window 0 ][ window 1 ] ... [ window k: data         | zero tail (sparse) ]
 *                 0                                           ^ length()                  ^ (k+1)·W = size on disk
 *   after close:  [ data ]                                    truncated to length(), fsynced
 * </pre>
 * Windows are W-aligned slices of the file (W = {@code window}, {@link #DEFAULT_WINDOW} unless a
 * test asks for less). Only the window holding the end of the data is mapped (READ_WRITE, a shared
 * mapping). A write that runs past the window maps the next one, which extends the file by W
 * (ftruncate: sparse, no blocks until pages are touched), and unmaps the old one <em>without</em>
 * msync: its dirty pages stay in the page cache, where the kernel writes them back on its own
 * schedule and the next {@link #force} fsyncs them.
 *
 * <h2>The true end</h2>
 * A process that dies with the file open leaves it W-aligned with a zero tail: the kernel keeps
 * every byte stored into the mapping (a process crash loses nothing), but nobody cut the file.
 * Every item of an AOF ends in {@code '\n'}, so a valid AOF never ends in a zero byte and the true
 * end is the byte after the last non-zero one. {@link #open} appends there, cutting the tail first
 * ({@link #cutAtOpen()} says how much); {@link #cutZeroTail} does the same for a loader that reads
 * the file before it is opened for appending. Zeros followed by other bytes are not a tail: they
 * stay, and the AOF reader reports them as a format error at their offset.
 *
 * <h2>Durability: what {@link #force} does</h2>
 * <ul>
 *   <li>Everything {@link #write} stored is in the page cache at once: a crash of this process
 *       loses nothing. Power loss loses what was not forced yet.</li>
 *   <li>{@code force()} makes every byte written before it was called durable: {@code msync}
 *       ({@link MappedByteBuffer#force(int, int)}) of the dirty range of the mapped window; when
 *       the file's length changed (a window was added, a tail was cut) or a window holding
 *       unforced bytes was unmapped, {@code fsync} of the whole file instead
 *       ({@link FileChannel#force(boolean)} with metadata when the length changed). On Linux both
 *       reach the same pages: a shared mapping's pages are marked dirty at the write fault, so
 *       fsync sees them too, mapped or not.</li>
 *   <li>{@link #close} unmaps, truncates to {@link #length()} and fsyncs (data and metadata): a
 *       closed file holds exactly the bytes written, and passes redis-check-aof.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * One writer thread calls {@link #write} and {@link #close}; {@link #force} may run on another
 * thread at the same time. The writer copies into the window without a lock and then publishes
 * the new {@code length} (volatile); {@code force()} reads {@code length} under {@link #lock}, so
 * it covers every write that returned before it was called. Mapping changes (a window switch,
 * close) happen under the same lock, so {@code force()} never touches an unmapped buffer, and a
 * switch records whether the old window may hold unforced bytes ({@code unmappedDirty}) so the
 * next force fsyncs the file instead of msyncing the new window only. A switch waits for a force
 * in progress: the writer can block for one msync, once per window.
 *
 * <h2>Errors</h2>
 * {@link #write} is all or nothing: on an {@link IOException} {@link #length()} and the source are
 * unchanged, so the caller can retry the same bytes later. A full disk would show up late with a
 * sparse mapping: a page fault the filesystem cannot back is a SIGBUS, which the JVM turns into an
 * {@link InternalError} — and in compiled code <em>asynchronously</em>, "in a recent unsafe memory
 * access", possibly after the faulting write returned (measured: a write reported success while
 * 7 KB of it were lost, and the next write got the error). So blocks are reserved before data
 * reaches them: zeros are written with write(2) ahead of the data (up to 1 MiB, within the
 * window), where a full disk is a plain ENOSPC before anything is copied. An {@code InternalError}
 * during a copy is still caught and reported as "No space left on device", as a backstop for
 * filesystems that allocate on overwrite (copy-on-write: btrfs, ZFS), where the reservation does
 * not hold. Bytes a failed write did copy lie beyond {@link #length()}: they are zeroed where the
 * window is still mapped, overwritten by the retry, and cut by {@link #close}.
 *
 * <p>A hole left by a killed process's unforced pages cannot appear in the middle: the page cache
 * survives the process. After a power loss under {@code appendfsync everysec/no}, pages written
 * after the last force may reach the disk in any order, so zeros can precede data there; the
 * loader then reports a format error at the first zero (see ARCHITECTURE.md).
 */
public final class MappedAppendFile implements AutoCloseable {
    /** Default window size. */
    public static final long DEFAULT_WINDOW = 64L << 20;
    private static final int PAGE = 4096;
    /** Chunk for the backward scan that finds the true end. */
    private static final int SCAN = 1 << 20;
    private static final String ENOSPC = "No space left on device";
    /** Blocks are reserved this far ahead of the data (within the window), see "Errors". */
    private static final long RESERVE = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16).asReadOnlyBuffer();

    private final Path path;
    private final FileChannel channel;
    private final long window;
    private final long cut;
    private final ReentrantLock lock = new ReentrantLock();

    // Writer thread. map/mapStart are replaced and unmapped only under lock (force reads them there).
    private MappedByteBuffer map;
    private long mapStart;
    private long sizeOnDisk;
    private long reservedUpTo;
    private volatile long length;
    private volatile long maxLength = Long.MAX_VALUE;
    private volatile boolean closed;

    // Under lock.
    private long forced;
    private boolean unmappedDirty;
    private boolean sizeChanged;

    private MappedAppendFile(Path path, long window) throws IOException {
        if (window < PAGE || window % PAGE != 0) throw new IllegalArgumentException("window " + window);
        this.path = path;
        this.window = window;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            long end = trueEnd(channel, size);
            if (end < size) channel.truncate(end);
            this.cut = size - end;
            this.sizeOnDisk = end;
            this.length = end;
            this.reservedUpTo = end;
            this.forced = end;
            // Bytes before the end may still be dirty in the page cache (a killed predecessor wrote
            // them through its mapping, or a cut changed the length): the first force fsyncs.
            this.unmappedDirty = end > 0;
            this.sizeChanged = cut > 0;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens {@code path} for appending at its true end (created if missing): a zero tail left by a
     * crash is cut first. Nothing is mapped, and the file does not grow, until the first write.
     */
    public static MappedAppendFile open(Path path, long window) throws IOException {
        return new MappedAppendFile(path, window);
    }

    public static MappedAppendFile open(Path path) throws IOException {
        return open(path, DEFAULT_WINDOW);
    }

    /**
     * Cuts a zero tail off {@code path} (the unused part of a window left by a crash), fsyncing the
     * new length. Returns the bytes cut, 0 if the file ended in data.
     */
    public static long cutZeroTail(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long end = trueEnd(ch, size);
            if (end == size) return 0;
            ch.truncate(end);
            ch.force(true);
            return size - end;
        }
    }

    /** The offset after the last non-zero byte of the first {@code size} bytes (0 for all zeros). */
    static long trueEnd(FileChannel ch, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(SCAN, Math.max(1, size)));
        long hi = size;
        while (hi > 0) {
            long lo = Math.max(0, hi - buf.capacity());
            buf.clear().limit((int) (hi - lo));
            while (buf.hasRemaining()) {
                if (ch.read(buf, lo + buf.position()) < 0) throw new IOException("file shrank while scanning its tail");
            }
            for (int i = (int) (hi - lo) - 1; i >= 0; i--) {
                if (buf.get(i) != 0) return lo + i + 1;
            }
            hi = lo;
        }
        return 0;
    }

    public Path path() {
        return path;
    }

    /** Bytes of data (the true end): what INFO reports, never the mapped size. */
    public long length() {
        return length;
    }

    /** Bytes of zero tail cut when this file was opened (0 after a clean close). */
    public long cutAtOpen() {
        return cut;
    }

    /** Data known to be on disk (forced) so far. */
    public long forcedLength() {
        lock.lock();
        try {
            return forced;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A cap on {@link #length()}, as a file-size limit: a write that would pass it fails with
     * "No space left on device" and changes nothing. Lets tests fill the disk without a small
     * filesystem. {@code Long.MAX_VALUE} (the default) lifts it.
     */
    public void maxLength(long bytes) {
        this.maxLength = bytes;
    }

    /** Appends the source's remaining bytes and consumes them; all or nothing (see the class comment). */
    public void write(ByteBuffer src) throws IOException {
        int len = src.remaining();
        if (len == 0) return;
        if (closed) throw new IOException("append file closed: " + path);
        long start = length;
        long end = start + len;
        if (end > maxLength) throw new IOException(ENOSPC);
        if (end > reservedUpTo) reserve(end);
        int from = src.position();
        long p = start;
        boolean ok = false;
        try {
            while (p < end) {
                if (map == null || p < mapStart || p >= mapStart + window) mapAt(p);
                int off = (int) (p - mapStart);
                int n = (int) Math.min(end - p, window - off);
                map.put(off, src, from + (int) (p - start), n);
                p += n;
            }
            ok = true;
        } catch (InternalError e) {
            throw new IOException(ENOSPC, e);
        } finally {
            if (!ok) scrub(start, p);
        }
        src.position(from + len);
        length = end;
    }

    /** Appends the buffer's readable bytes and skips them; all or nothing. */
    public void write(ByteBuf buf) throws IOException {
        int len = buf.readableBytes();
        if (len == 0) return;
        write(buf.nioBuffer(buf.readerIndex(), len));
        buf.skipBytes(len);
    }

    /**
     * Allocates the blocks under {@code [reservedUpTo, end)} and up to {@link #RESERVE} beyond
     * (not past the end of the window holding {@code end}) by writing zeros with write(2), so that
     * a full disk is an {@link IOException} here, before anything is copied, and never a SIGBUS in
     * the copy. The zero pages are dirty in the page cache and the data overwrites them there,
     * usually before any writeback, so the extra cost is a memset, not a second disk write.
     */
    private void reserve(long end) throws IOException {
        long windowEnd = (end + window - 1) / window * window;
        long want = Math.max(end, reservedUpTo + RESERVE);
        want = (want + PAGE - 1) / PAGE * PAGE;
        long target = Math.max(end, Math.min(windowEnd, want));
        long pos = reservedUpTo;
        try {
            while (pos < target) {
                ByteBuffer z = ZEROS.duplicate();
                z.limit((int) Math.min(z.capacity(), target - pos));
                while (z.hasRemaining()) pos += channel.write(z, pos);
            }
        } finally {
            if (pos > sizeOnDisk) {
                lock.lock();
                try {
                    sizeOnDisk = pos;
                    sizeChanged = true;
                } finally {
                    lock.unlock();
                }
            }
        }
        reservedUpTo = target;
    }

    /** Maps the window holding offset {@code p} (growing the file when it lies past the end). */
    private void mapAt(long p) throws IOException {
        long start = p - p % window;
        MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_WRITE, start, window);
        lock.lock();
        try {
            MappedByteBuffer old = map;
            if (old != null) {
                // its unforced bytes are now only in the page cache: the next force fsyncs the file
                if (forced < mapStart + window) unmappedDirty = true;
                map = null;
                Mappings.unmap(old);
            }
            map = m;
            mapStart = start;
            if (start + window > sizeOnDisk) {
                sizeOnDisk = start + window;
                sizeChanged = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Best effort: zero what a failed write copied past the end, where it is still mapped. */
    private void scrub(long start, long p) {
        if (map == null || p <= start) return;
        long from = Math.max(start, mapStart);
        long to = Math.min(p, mapStart + window);
        try {
            for (long i = from; i < to; i++) map.put((int) (i - mapStart), (byte) 0);
        } catch (InternalError | RuntimeException ignored) {
            // an unbacked page reads as zeros anyway; the retry overwrites, close cuts
        }
    }

    /**
     * Makes every byte written before this call durable (msync of the dirty range, or fsync when
     * the length changed or an unmapped window holds unforced bytes). Any thread.
     */
    public void force() throws IOException {
        lock.lock();
        try {
            if (closed) return;
            long end = length;
            if (end <= forced && !unmappedDirty && !sizeChanged) return;
            try {
                if (unmappedDirty || sizeChanged || map == null) {
                    channel.force(sizeChanged);
                } else {
                    long from = Math.max(forced, mapStart);
                    map.force((int) (from - mapStart), (int) (end - from));
                }
            } catch (InternalError e) {
                throw new IOException("I/O error forcing mapped file " + path, e);
            }
            unmappedDirty = false;
            sizeChanged = false;
            forced = Math.max(forced, end);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unmaps, cuts the file to {@link #length()} and fsyncs it (data and metadata); the channel is
     * closed even when that fails. Writer thread.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            releaseMap();
            try {
                channel.truncate(length);
                channel.force(true);
                forced = length;
            } finally {
                channel.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * What a killed process leaves: unmaps and closes without cutting the zero tail or forcing.
     * The page cache keeps every byte written. For tests of crash recovery.
     */
    public void abandon() throws IOException {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            releaseMap();
            channel.close();
        } finally {
            lock.unlock();
        }
    }

    private void releaseMap() {
        MappedByteBuffer m = map;
        map = null;
        if (m != null) Mappings.unmap(m);
    }
}
