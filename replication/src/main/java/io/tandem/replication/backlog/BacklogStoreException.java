package io.tandem.replication.backlog;

import java.nio.file.Path;

/**
 * The disk backlog's store is unusable: corrupt, truncated, foreign, or LMDB failed underneath
 * (disk full, I/O error). Unchecked because it can surface from any call that touches LMDB
 * ({@code open}, {@code commit}, {@code read}); the caller's answer is always the same — stop
 * using the store, {@link DiskBacklog#destroy} it and start a fresh history (a full resync for
 * replicas), never serve bytes from it.
 */
public final class BacklogStoreException extends RuntimeException {
    private final transient Path dir;

    public BacklogStoreException(Path dir, String message) {
        super("disk backlog " + dir + ": " + message);
        this.dir = dir;
    }

    public BacklogStoreException(Path dir, String message, Throwable cause) {
        super("disk backlog " + dir + ": " + message, cause);
        this.dir = dir;
    }

    /** The store's directory. */
    public Path dir() {
        return dir;
    }
}
