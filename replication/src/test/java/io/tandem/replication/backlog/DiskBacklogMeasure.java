package io.tandem.replication.backlog;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throwaway timing of the disk backlog (not a test, not JMH; loops and System.nanoTime):
 * commit() per call for a 200-byte and a 64 KiB append, with and without MDB_WRITEMAP, alone
 * and with another thread calling sync() in a loop (the AOF fsync thread); sync() per call;
 * reads of 64 KiB; open() of larger stores (LMDB structure walk + every chunk's CRC). Run with
 * the test classpath and bin/jvm.options, on the disk the server will use (tmpfs makes sync
 * free):
 *
 * <pre>
 *   java @bin/jvm.options -cp &lt;test classpath&gt; io.tandem.replication.backlog.DiskBacklogMeasure [dir] [rounds]
 * </pre>
 */
public final class DiskBacklogMeasure {
    public static void main(String[] args) throws Exception {
        Path base = Path.of(args.length > 0 ? args[0] : "target/disklog-measure");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Files.createDirectories(base);
        if (rounds == 0) { // open times only
            for (boolean writeMap : new boolean[] {false, true}) opens(base, writeMap, 200, 1, 64L << 20);
            return;
        }
        for (int round = 0; round <= rounds; round++) { // round 0 warms the JIT up, unprinted
            for (boolean writeMap : new boolean[] {false, true}) {
                for (int size : new int[] {200, 64 << 10}) {
                    for (boolean syncer : new boolean[] {false, true}) commits(base, round > 0, writeMap, size, syncer);
                }
            }
        }
        for (boolean writeMap : new boolean[] {false, true}) {
            opens(base, writeMap, 200, 50, 64L << 20);
            opens(base, writeMap, 200, 1, 64L << 20);
            opens(base, writeMap, 64 << 10, 1, 512L << 20);
        }
    }

    private static void commits(Path base, boolean print, boolean writeMap, int size, boolean withSyncer) throws Exception {
        Path dir = base.resolve("m-" + writeMap + "-" + size);
        DiskBacklog.destroy(dir);
        int n = size == 200 ? 100_000 : 5_000;
        ByteBuf src = Unpooled.directBuffer(size).writeZero(size);
        try (DiskBacklog b = DiskBacklog.open(dir, 4L << 20, 0, 0, writeMap)) {
            for (int i = 0; i < Math.max(n / 5, (8 << 20) / size); i++) { // past the size limit: every commit also trims
                b.append(src, 0, size, 0);
                b.commit();
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong syncs = new AtomicLong();
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    b.sync();
                    syncs.incrementAndGet();
                }
            });
            if (withSyncer) t.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                b.append(src, 0, size, 0);
                b.commit();
            }
            long t1 = System.nanoTime();
            stop.set(true);
            if (withSyncer) t.join();
            // sync() alone, each after one commit (what the AOF's everysec thread does).
            int k = 40;
            long syncNs = 0;
            for (int i = 0; i < k; i++) {
                b.append(src, 0, size, 0);
                b.commit();
                long s0 = System.nanoTime();
                b.sync();
                syncNs += System.nanoTime() - s0;
            }
            long e0 = System.nanoTime();
            for (int i = 0; i < k; i++) b.sync(); // nothing written since the last
            long e1 = System.nanoTime();
            long r0 = System.nanoTime();
            long readBytes = 0;
            for (long pos = b.firstByteOffset(); pos <= b.committedEndOffset(); ) {
                ByteBuf r = b.read(pos, 64 << 10, UnpooledByteBufAllocator.DEFAULT);
                pos += r.readableBytes();
                readBytes += r.readableBytes();
                r.release();
            }
            long r1 = System.nanoTime();
            if (print)
                System.out.printf(Locale.ROOT, "writemap=%-5s append %5d B %-13s commit %6.1f us/call | sync after 1 commit %6.2f ms, idle sync %5.2f ms | read 64 KiB pieces %5.0f MB/s | %d chunks, data.mdb %d KiB%n",
                        writeMap, size, withSyncer ? "(sync loop:" + syncs.get() + ")" : "", (t1 - t0) / 1e3 / n, syncNs / 1e6 / k, (e1 - e0) / 1e6 / k, readBytes / ((r1 - r0) / 1e9) / 1e6, b.chunkCount(),
                        b.diskBytes() >> 10);
        }
        src.release();
        DiskBacklog.destroy(dir);
    }

    private static void opens(Path base, boolean writeMap, int size, int perCommit, long held) {
        Path dir = base.resolve("open-" + writeMap + "-" + size);
        DiskBacklog.destroy(dir);
        ByteBuf src = Unpooled.directBuffer(size).writeZero(size);
        try (DiskBacklog b = DiskBacklog.open(dir, held, 0, 0, writeMap)) {
            while (b.endOffset() < held) {
                // Several appends per commit, as a busy executor batch would.
                for (int i = 0; i < perCommit; i++) b.append(src, 0, size, 0);
                b.commit();
            }
        }
        src.release();
        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            try (DiskBacklog b = DiskBacklog.open(dir, held, 0, 0, writeMap)) {
                long t1 = System.nanoTime();
                if (i == 1)
                    System.out.printf(Locale.ROOT, "open (page cache warm) writemap=%-5s %d MiB in %d chunks of %d B: %.0f ms%n", writeMap, b.histlen() >> 20, b.chunkCount(), b.chunks(1).get(0).length(), (t1 - t0) / 1e6);
            }
        }
        DiskBacklog.destroy(dir);
    }
}
