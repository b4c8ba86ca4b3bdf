package io.tandem.server.persist;

import io.tandem.storage.io.MappedFileSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A snapshot's RDB to a file: chunks copied on the executor into a queue, written by a writer
 * thread to {@code temp} through {@link MappedFileSink} (forced), then renamed over
 * {@code target} and the directory fsynced. Any failure or abort deletes the temp file, so the
 * target is only ever replaced by a complete file (ARCHITECTURE.md, invariant 6).
 */
final class FileOutput extends Thread implements RdbOutput {
    private static final Logger log = LoggerFactory.getLogger(Snapshot.class);
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final Path target;
    private final Path temp;
    private final Object renameLock = new Object();
    private boolean aborted;
    private volatile String failure;
    private volatile boolean full;
    private Completion done;
    private Runnable drained;

    FileOutput(Path target, Path temp) {
        super("tandem-rdb-writer");
        setDaemon(true);
        this.target = target;
        this.temp = temp;
    }

    @Override
    public void start(Completion done, Runnable drained) {
        this.done = done;
        this.drained = drained;
        start();
    }

    @Override
    public long pending() {
        return queued.get();
    }

    /** RdbSink, on the executor: copies a chunk into the queue. */
    @Override
    public void write(byte[] b, int off, int len) {
        if (failure != null || len == 0) return;
        byte[] c = new byte[len];
        System.arraycopy(b, off, c, 0, len);
        if (queued.addAndGet(len) > Snapshot.MAX_PENDING) full = true;
        queue.offer(c);
    }

    @Override
    public void end() {
        queue.offer(END);
    }

    @Override
    public void fail(String why) {
        if (failure == null) failure = why;
        queue.offer(ABORT);
    }

    @Override
    public void abort() {
        synchronized (renameLock) {
            aborted = true;
        }
        queue.offer(ABORT);
        // As Redis removes the killed child's temp file before going on: when abort returns
        // (FLUSHALL, SHUTDOWN) the temp file is gone, even if the process exits right after.
        if (Thread.currentThread() != this && isAlive()) {
            try {
                join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        MappedFileSink sink;
        try {
            sink = new MappedFileSink(temp);
        } catch (IOException e) {
            failure = "Failed opening the temp RDB file " + temp.getFileName() + " (in server root dir "
                    + temp.getParent() + ") for saving: " + e.getMessage();
            drainAndReport(null);
            return;
        }
        try {
            while (true) {
                byte[] c = queue.take();
                if (c == ABORT) {
                    drainAndReport(sink);
                    return;
                }
                if (c == END) break;
                sink.write(c, 0, c.length);
                if (queued.addAndGet(-c.length) < Snapshot.MAX_PENDING / 2 && full) {
                    full = false;
                    drained.run();
                }
            }
            sink.close();
            synchronized (renameLock) {
                if (aborted) {
                    Files.deleteIfExists(temp);
                    return;
                }
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    failure = "Error moving temp DB file " + temp.getFileName() + " on the final destination "
                            + target.getFileName() + " (in server root dir " + target.getParent() + "): " + e;
                    Files.deleteIfExists(temp);
                    report(false);
                    return;
                }
            }
            MappedFileSink.syncDirectory(target.getParent());
            log.info("DB saved on disk");
            report(true);
        } catch (IOException e) {
            if (failure == null) failure = "Write error saving DB on disk: " + e.getMessage();
            drainAndReport(sink);
        } catch (InterruptedException e) {
            sink.abort();
            Thread.currentThread().interrupt();
        }
    }

    /** After an error or abort: delete the temp file, free queued chunks, tell the snapshot (unless aborted). */
    private void drainAndReport(MappedFileSink sink) {
        if (sink != null) sink.abort();
        else {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort
            }
        }
        queue.clear();
        queued.set(0);
        boolean wasAborted;
        synchronized (renameLock) {
            wasAborted = aborted;
        }
        if (!wasAborted) report(false);
    }

    private void report(boolean ok) {
        String why = failure;
        if (!ok && why != null) log.warn("{}", why);
        done.completed(ok, why);
    }
}
