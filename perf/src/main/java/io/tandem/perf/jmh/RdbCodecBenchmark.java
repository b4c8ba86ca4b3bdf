package io.tandem.perf.jmh;

import io.tandem.storage.rdb.RdbFileReader;
import io.tandem.storage.rdb.RdbFileWriter;
import io.tandem.storage.rdb.RdbSink;
import io.tandem.storage.rdb.RdbValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * RDB encode and decode of a batch of 1,000 keys (strings, or 10-field hashes), with and without
 * LZF: the cost SAVE, full syncs and the tooling pay per key. Throughput in MB/s follows from
 * the time per batch and {@link #bytes} (printed at setup). {@code -prof gc} shows allocation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
@State(Scope.Thread)
public class RdbCodecBenchmark {
    static final int KEYS = 1000;

    @Param({"string", "hash"})
    public String type;

    @Param({"false", "true"})
    public boolean compress;

    private byte[][] keys;
    private RdbValue[] values;
    private byte[] file;
    public int bytes;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        keys = new byte[KEYS][];
        values = new RdbValue[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
            if (type.equals("string")) {
                values[i] = new RdbValue.RdbString(("value-" + i + "-" + "x".repeat(90)).getBytes(StandardCharsets.US_ASCII));
            } else {
                List<byte[]> pairs = new ArrayList<>();
                for (int f = 0; f < 10; f++) {
                    pairs.add(("field" + f).getBytes(StandardCharsets.US_ASCII));
                    pairs.add(("value" + i).getBytes(StandardCharsets.US_ASCII));
                }
                values[i] = RdbValue.RdbHash.of(pairs);
            }
        }
        file = write();
        bytes = file.length;
        System.out.println("RDB batch of " + KEYS + " " + type + " keys: " + bytes + " bytes");
    }

    private byte[] write() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * 1024);
        RdbFileWriter w = new RdbFileWriter(RdbSink.of(out), compress, true);
        w.header();
        w.selectDb(0);
        for (int i = 0; i < KEYS; i++) w.key(keys[i], values[i], -1);
        w.finish();
        return out.toByteArray();
    }

    @Benchmark
    public byte[] encode() throws IOException {
        return write();
    }

    @Benchmark
    public long decode() throws Exception {
        long[] n = {0};
        new RdbFileReader(new ByteArrayInputStream(file)).read(e -> n[0]++);
        return n[0];
    }
}
