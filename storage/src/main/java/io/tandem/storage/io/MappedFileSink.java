package io.tandem.storage.io;

import io.tandem.storage.rdb.RdbSink;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file through memory-mapped windows (issue #4: RDB and AOF written through mmap).
 *
 * <h2>Layout</h2>
 * <pre>
 *   file:  [ window 0: WINDOW bytes ][ window 1 ][ ... ][ window k, partly written | zero tail ]
 *                                                                   ^ position()
 *   close(): force the last window, unmap it, truncate the file to position(), fsync
 * </pre>
 * A window is mapped READ_WRITE at the current end of the data, which extends the file (a sparse
 * tail: no blocks are allocated until pages are touched). When a window is full it is forced
 * ({@code msync}) and unmapped before the next is mapped, so at most one window is mapped at a
 * time and dirty pages are flushed incrementally (Redis's rdb-save-incremental-fsync) instead
 * of all at the end.
 *
 * <h2>Safety</h2>
 * <ul>
 *   <li>The file is a temporary name: the caller renames it over the target only after
 *       {@link #close} returned normally (everything forced, length exact) and then fsyncs the
 *       directory, so a crash or an error at any point leaves the previous good file in place.
 *       A file that was not closed cleanly ({@link #abort}) is deleted.</li>
 *   <li>A full disk shows up late with mmap (a page fault on a sparse page the filesystem cannot
 *       back: SIGBUS, which the JVM reports as {@link InternalError} on the faulting access).
 *       Before mapping a window the sink checks the file store's usable space and fails with
 *       "No space left on device" if the window would not fit, and any {@code InternalError}
 *       raised while copying into a window is turned into an {@link IOException}.</li>
 *   <li>Unmapping is explicit ({@code Unsafe.invokeCleaner}), never left to the GC, so no
 *       mapping outlives the sink.</li>
 * </ul>
 * Not thread-safe: one writer.
 */
public final class MappedFileSink implements RdbSink, AutoCloseable {
    /** Default window size. */
    public static final long DEFAULT_WINDOW = 64L << 20;

    private final Path path;
    private final FileChannel channel;
    private final long window;
    private MappedByteBuffer map;
    private long mapStart;
    private long position;
    private boolean closed;

    /** Creates (or truncates) {@code path} for writing. */
    public MappedFileSink(Path path) throws IOException {
        this(path, DEFAULT_WINDOW);
    }

    public MappedFileSink(Path path, long window) throws IOException {
        if (window < 4096) throw new IllegalArgumentException("window " + window);
        this.path = path;
        this.window = window;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    public Path path() {
        return path;
    }

    /** Bytes written so far. */
    public long position() {
        return position;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("sink closed");
        while (len > 0) {
            if (map == null || !map.hasRemaining()) nextWindow();
            int n = Math.min(len, map.remaining());
            try {
                map.put(b, off, n);
            } catch (InternalError e) {
                throw new IOException("No space left on device (fault writing mapped file " + path + ")", e);
            }
            position += n;
            off += n;
            len -= n;
        }
    }

    private void nextWindow() throws IOException {
        releaseWindow();
        long usable = Files.getFileStore(path).getUsableSpace();
        if (usable < window) {
            // the last window may need less: only refuse when not even a page is left
            if (usable < 4096) throw new IOException("No space left on device");
        }
        long size = Math.min(window, Math.max(4096, usable - 4096));
        mapStart = position;
        map = channel.map(FileChannel.MapMode.READ_WRITE, mapStart, size);
    }

    private void releaseWindow() throws IOException {
        MappedByteBuffer m = map;
        if (m == null) return;
        map = null;
        try {
            m.force();
        } catch (InternalError e) {
            throw new IOException("No space left on device (fault forcing mapped file " + path + ")", e);
        } finally {
            unmap(m);
        }
    }

    /**
     * Forces the data, unmaps, cuts the file to the bytes written and fsyncs it (data and
     * metadata). After it returns normally the file's content is exactly what was written and
     * is on disk.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            releaseWindow();
            channel.truncate(position);
            channel.force(true);
        } finally {
            channel.close();
        }
    }

    /** Gives up: unmaps, closes and deletes the file (best effort, never throws). */
    public void abort() {
        closed = true;
        MappedByteBuffer m = map;
        map = null;
        if (m != null) unmap(m);
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a file we are deleting
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort, as Redis's unlink of a temp file
        }
    }

    /**
     * fsyncs a directory, so that a rename inside it is durable (Redis's fsyncFileDir). Some
     * platforms cannot open a directory for sync; that is ignored, as Redis ignores EINVAL.
     */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) throw e;
        }
    }

    private static void unmap(MappedByteBuffer b) {
        Mappings.unmap(b);
    }
}
