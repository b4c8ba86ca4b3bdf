package io.tandem.storage.keyspace;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: fills database 0 with N keys of 100-byte values and reports time, the longest
 * single put (resize pauses), heap and RSS. Run under a small heap to show heap use does not
 * grow with keys, e.g.
 * <pre>
 *   java -Xmx512m $TANDEM_JVM_FLAGS -cp storage/target/classes:storage/target/test-classes:$(cat cp.txt) \
 *        io.tandem.storage.keyspace.KeyspaceFillCheck 10000000
 * </pre>
 */
public final class KeyspaceFillCheck {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        long t0 = System.nanoTime();
        try (ChronicleKeyspace ks = ChronicleKeyspace.open(16)) {
            System.out.printf("open: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
            Database db = ks.db(0);
            byte[] value = new byte[100];
            long start = System.nanoTime();
            long worst = 0;
            for (int i = 0; i < n; i++) {
                byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
                value[0] = (byte) i;
                long a = System.nanoTime();
                db.put(key, StoredValue.TYPE_STRING, Encoding.RAW, value, StoredValue.NO_EXPIRE);
                worst = Math.max(worst, System.nanoTime() - a);
                if ((i + 1) % 1_000_000 == 0) {
                    System.out.printf("%,d keys  %.1f s  worst put %.1f ms  heap used %d MB  rss %d MB  memoryUsage %d MB  resizes %d%n",
                            i + 1, (System.nanoTime() - start) / 1e9, worst / 1e6, heapUsedMb(), rssMb(),
                            ks.memoryUsage() >> 20, ks.resizes());
                    worst = 0;
                }
            }
            long fill = System.nanoTime() - start;
            while (ks.tick(10_000)) { /* finish resizes */ }
            long r = System.nanoTime();
            int hits = 0;
            for (int i = 0; i < n; i += 7) {
                StoredValue v = db.get(("key:" + i).getBytes(StandardCharsets.US_ASCII));
                if (v != null && v.payload[0] == (byte) i) hits++;
            }
            System.out.printf("filled %,d in %.1f s (%.0f puts/s); %d sampled gets ok in %.1f s; size %d; heap %d MB; rss %d MB%n",
                    n, fill / 1e9, n / (fill / 1e9), hits, (System.nanoTime() - r) / 1e9, db.size(), heapUsedMb(), rssMb());
            long c = System.nanoTime();
            db.clear();
            System.out.printf("clear: %.0f ms, rss after %d MB%n", (System.nanoTime() - c) / 1e6, rssMb());
        }
        System.out.printf("closed, rss %d MB%n", rssMb());
    }

    static long heapUsedMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    }

    static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }
}
