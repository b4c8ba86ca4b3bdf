package io.tandem.replication.backlog;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Throwaway timing of the disk backlog's write path (not a test, not JMH): commit() per call for
 * a 200-byte and a 64 KiB append, with and without MDB_WRITEMAP, sync() per call, and read
 * throughput. Run with the test classpath and bin/jvm.options:
 *
 * <pre>
 *   java @bin/jvm.options -cp &lt;test classpath&gt; io.tandem.replication.backlog.DiskBacklogMeasure [dir]
 * </pre>
 *
 * The directory should be on the disk the server will use (not tmpfs), or sync() costs nothing.
 */
public final class DiskBacklogMeasure {
    public static void main(String[] args) throws Exception {
        Path base = Path.of(args.length > 0 ? args[0] : "target/disklog-measure");
        Files.createDirectories(base);
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            boolean print = round == 1;
            for (boolean writeMap : new boolean[] {false, true}) {
                for (int size : new int[] {200, 64 << 10}) {
                    Path dir = base.resolve("m-" + writeMap + "-" + size);
                    DiskBacklog.destroy(dir);
                    int n = size == 200 ? 100_000 : 5_000;
                    ByteBuf src = Unpooled.directBuffer(size).writeZero(size);
                    try (DiskBacklog b = DiskBacklog.open(dir, 64L << 20, 0, 0, writeMap)) {
                        for (int i = 0; i < n / 10; i++) { // steady state: the store is at its size limit once the loop runs
                            b.append(src, 0, size, 0);
                            b.commit();
                        }
                        long t0 = System.nanoTime();
                        for (int i = 0; i < n; i++) {
                            b.append(src, 0, size, 0);
                            b.commit();
                        }
                        long t1 = System.nanoTime();
                        int syncs = 50;
                        long s0 = System.nanoTime();
                        for (int i = 0; i < syncs; i++) {
                            b.append(src, 0, size, 0);
                            b.commit();
                            b.sync();
                        }
                        long s1 = System.nanoTime();
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
                            System.out.printf(Locale.ROOT, "writemap=%-5s append %6d B: commit %7.1f us/call (%d calls), commit+sync %8.1f us/call, read 64 KiB pieces %6.0f MB/s, chunks %d, disk %d KiB%n",
                                    writeMap, size, (t1 - t0) / 1e3 / n, n, (s1 - s0) / 1e3 / syncs, readBytes / ((r1 - r0) / 1e9) / 1e6, b.chunkCount(), b.diskBytes() >> 10);
                    }
                    src.release();
                    DiskBacklog.destroy(dir);
                }
            }
        }
    }
}
