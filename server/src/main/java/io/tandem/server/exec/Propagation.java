package io.tandem.server.exec;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what a command propagates — its effect, not the request (SET ... EX 10 becomes
 * SET ... PXAT abs; EXPIRE becomes PEXPIREAT; an expired key found on access becomes DEL) — and
 * hands it, after the command, to the sinks: the replication stream, from which AOF, backlog
 * and replicas all read (see ARCHITECTURE.md). Executor thread only.
 */
public final class Propagation {
    /** Receives each propagated command with the database it applies to. */
    public interface Sink {
        void propagate(int db, byte[][] argv);
    }

    private final List<Sink> sinks = new ArrayList<>();
    private byte[][] rewritten;
    private final List<Object[]> also = new ArrayList<>();

    public void addSink(Sink sink) {
        sinks.add(sink);
    }

    public boolean active() {
        return !sinks.isEmpty();
    }

    /** The current command propagates as this instead of its request. */
    public void rewrite(byte[][] argv) {
        rewritten = argv;
    }

    /** A further command propagates (in order, after the current one). */
    public void also(int db, byte[][] argv) {
        also.add(new Object[] {db, argv});
    }

    /**
     * Emits what the command that just ran propagates. {@code changed}: the command changed the
     * dataset (dirty went up) so its (possibly rewritten) request propagates.
     */
    public void finish(int db, byte[][] request, boolean changed) {
        if (!sinks.isEmpty()) {
            if (!also.isEmpty()) {
                // Expired-key DELs found while running happen before the command's own effect.
                for (Object[] a : also) emit((Integer) a[0], (byte[][]) a[1]);
            }
            if (changed) emit(db, rewritten != null ? rewritten : request);
        }
        rewritten = null;
        also.clear();
    }

    /** Propagates a command that no client ran (active expiry, eviction). */
    public void emit(int db, byte[][] argv) {
        for (int i = 0; i < sinks.size(); i++) sinks.get(i).propagate(db, argv);
    }
}
