package io.tandem.server.replication;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@code dir/known-replicas}: the replicas a master with {@code master-recover-from-replica yes}
 * last saw online, so that after a restart with nothing else on disk it knows whom to ask for
 * its dataset ({@link MasterRecovery}). It is the only file such a master needs.
 *
 * <pre>
 *   # Tandem: replicas this master last saw online (master-recover-from-replica)
 *   127.0.0.1:6380          one ip:listening-port per line, sorted; '#' lines and blanks ignored
 *   127.0.0.1:6381
 * </pre>
 *
 * <p>Written only when the set of online replicas changes, and never emptied: when the last
 * replica goes away the file keeps naming it (a master that loses every replica and then
 * crashes still knows where its data is; a replica that left earlier than the others is
 * behind them, so dropping it from a non-empty set loses nothing). Each write is a temp file,
 * fsynced, renamed over the file, and the directory fsynced: a crash leaves the old list or the
 * new one, never a torn one. Executor thread only.
 */
final class KnownReplicas {
    private static final Logger log = LoggerFactory.getLogger(KnownReplicas.class);
    static final String FILE = "known-replicas";
    private static final String HEADER = "# Tandem: replicas this master last saw online (master-recover-from-replica)\n";

    private final Supplier<Path> dir;
    /** What the file holds (as last written or read), or null before the first look. */
    private TreeSet<String> written;

    KnownReplicas(Supplier<Path> dir) {
        this.dir = dir;
    }

    /** The addresses listed in {@code dir/known-replicas}; empty when the file does not exist. */
    static List<String> read(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        for (String l : lines) {
            String t = l.trim();
            if (!t.isEmpty() && !t.startsWith("#")) out.add(t);
        }
        return out;
    }

    /**
     * The replicas online now: rewrites the file if this set is not empty and differs from what
     * it holds. Returns true if it wrote. A failure is logged and retried at the next change.
     */
    boolean update(Collection<String> online) {
        if (online.isEmpty()) return false;
        TreeSet<String> now = new TreeSet<>(online);
        Path d = dir.get();
        if (written == null) {
            try {
                written = new TreeSet<>(read(d));
            } catch (IOException e) {
                written = new TreeSet<>();
            }
        }
        if (now.equals(written)) return false;
        try {
            write(d, now);
            written = now;
            return true;
        } catch (IOException e) {
            log.warn("Failed to write {} in {}: {} (a restart without data may not know its replicas)", FILE, d, e.toString());
            return false;
        }
    }

    /** Forgets what the file was believed to hold (CONFIG SET dir): the next update compares with the new file. */
    void reset() {
        written = null;
    }

    /** Writes the list atomically: temp file, fsync, rename, directory fsync. */
    static void write(Path dir, Collection<String> addrs) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER);
        for (String a : addrs) sb.append(a).append('\n');
        Path tmp = dir.resolve("temp-" + FILE + "-" + ProcessHandle.current().pid());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename itself is atomic.
        }
    }
}
