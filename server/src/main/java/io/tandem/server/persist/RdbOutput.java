package io.tandem.server.persist;

import io.tandem.storage.rdb.RdbSink;

/**
 * Where a {@link Snapshot} sends its RDB bytes: a file (BGSAVE, a disk-mode full sync, an AOF
 * base) or replica sockets (a diskless full sync). The snapshot calls every method on the
 * executor; an output may finish on another thread and says so through its {@link Completion}.
 *
 * <p>Life cycle: {@link #start} once, then {@link #write} for every chunk in order (the snapshot
 * pauses its walk while {@link #pending} is above {@link #MAX_PENDING}), then exactly one
 * of {@link #end} (the last byte was written: complete and report), {@link #fail} (report a
 * failure) or {@link #abort} (stop, report nothing).
 */
public interface RdbOutput extends RdbSink {
    /** A snapshot's walk pauses while its output has this many bytes pending. */
    long MAX_PENDING = 32L << 20;

    /** How the output ended; may be called on any thread, exactly once unless aborted. */
    interface Completion {
        void completed(boolean ok, String error);
    }

    /**
     * Begins; {@code drained} is to be called (any thread) whenever {@link #pending} falls back
     * under half of {@link #MAX_PENDING}, so a walk waiting for the output resumes at once
     * instead of at the next cron tick.
     */
    void start(Completion done, Runnable drained);

    /** Bytes accepted by {@link #write} and not yet written out. */
    long pending();

    /** The last byte has been written: finish (rename, flush) and report. */
    void end();

    /** The snapshot failed: clean up and report the failure. */
    void fail(String why);

    /** Stop without reporting: no file replaces its target, no replica gets the rest. */
    void abort();
}
