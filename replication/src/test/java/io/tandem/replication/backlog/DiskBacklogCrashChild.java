package io.tandem.replication.backlog;

import java.nio.file.Path;

/**
 * Run by {@link DiskBacklogTest} in a child JVM: opens the store, records an identity and run
 * flags, appends and commits the test pattern, appends more WITHOUT committing, prints the
 * committed end offset and dies with {@code Runtime.halt} — no close(), no sync(), no shutdown
 * hooks, as a process killed by the OOM killer or SIGKILL.
 *
 * <p>Arguments: store directory, bytes to commit.
 */
public final class DiskBacklogCrashChild {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long total = Long.parseLong(args[1]);
        DiskBacklog b = DiskBacklog.open(dir, 64L << 20, 0);
        b.setIdentity("1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222", 77);
        b.setRunFlags("aof-always");
        int step = 0;
        while (b.endOffset() < total) {
            int len = (int) Math.min(total - b.endOffset(), 1 + (step * 7919L) % 300_000);
            DiskBacklogTest.appendPattern(b, len, step % 16);
            b.commit();
            step++;
        }
        DiskBacklogTest.appendPattern(b, 12345, 0); // pending only: lost with the process
        System.out.println("committed " + b.committedEndOffset());
        System.out.flush();
        Runtime.getRuntime().halt(3);
    }
}
