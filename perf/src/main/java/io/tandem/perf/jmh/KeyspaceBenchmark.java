package io.tandem.perf.jmh;

import io.tandem.storage.keyspace.ChronicleKeyspace;
import io.tandem.storage.keyspace.Database;
import io.tandem.storage.keyspace.Encoding;
import io.tandem.storage.keyspace.StoredValue;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The off-heap keyspace alone (Chronicle Map shards): GET of an existing key, SET overwriting an
 * existing key, and the lookup of a missing key, over a pre-filled database. Run with
 * {@code -prof gc}: bytes allocated per operation show what the heap pays per command.
 * The fork takes the JVM flags Chronicle needs from bin/jvm.options (run from the repository root).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"@bin/jvm.options"})
@State(Scope.Thread)
public class KeyspaceBenchmark {
    @Param({"100000", "1000000"})
    public int keys;

    @Param({"64"})
    public int valueSize;

    private ChronicleKeyspace keyspace;
    private Database db;
    private byte[][] names;
    private byte[] value;
    private byte[] missing;
    private int i;

    @Setup(Level.Trial)
    public void fill() {
        keyspace = ChronicleKeyspace.open(1);
        db = keyspace.db(0);
        names = new byte[keys][];
        value = new byte[valueSize];
        for (int k = 0; k < keys; k++) {
            names[k] = ("key:" + k).getBytes(StandardCharsets.US_ASCII);
            db.put(names[k], StoredValue.TYPE_STRING, Encoding.RAW, value, StoredValue.NO_EXPIRE);
        }
        while (keyspace.tick(1 << 20)) {
            // finish resizes before measuring
        }
        missing = "no-such-key".getBytes(StandardCharsets.US_ASCII);
    }

    @TearDown(Level.Trial)
    public void close() {
        keyspace.close();
    }

    private byte[] next() {
        i = (i + 7919) % keys;
        return names[i];
    }

    @Benchmark
    public StoredValue get() {
        return db.get(next());
    }

    @Benchmark
    public void overwrite() {
        db.put(next(), StoredValue.TYPE_STRING, Encoding.RAW, value, StoredValue.NO_EXPIRE);
    }

    @Benchmark
    public StoredValue getMissing() {
        return db.get(missing);
    }
}
