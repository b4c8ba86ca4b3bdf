package io.tandem.perf.jmh;

import io.tandem.server.TandemServer;
import io.tandem.server.config.ConfigLoader;
import io.tandem.server.exec.Client;
import io.tandem.storage.keyspace.ChronicleKeyspace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One command through the executor's path without the network: lookup in the command table,
 * the checks of Dispatcher.process, the handler, the keyspace, the reply encoded into a pooled
 * buffer, statistics and propagation. The server is built but not started, and the benchmark
 * thread plays the executor (an internal client, no channel). {@code -prof gc} gives the bytes
 * allocated per command on the hot path (the request's argv is pre-built, as the decoder makes it).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"@bin/jvm.options"}, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class DispatchBenchmark {
    private TandemServer server;
    private Client client;
    private byte[][] get;
    private byte[][] set;
    private byte[][] incr;
    private byte[][] ping;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = new TandemServer(ConfigLoader.loadString("save \"\"\n"), ChronicleKeyspace.open(16));
        client = new Client(1, null, System.currentTimeMillis());
        server.server().clientConnected(client);
        set = argv("SET", "key:1", "x".repeat(64));
        get = argv("GET", "key:1");
        incr = argv("INCR", "counter");
        ping = argv("PING");
        run(set);
    }

    private static byte[][] argv(String... a) {
        byte[][] out = new byte[a.length][];
        for (int i = 0; i < a.length; i++) out[i] = a[i].getBytes(StandardCharsets.US_ASCII);
        return out;
    }

    private void run(byte[][] argv) {
        server.server().dispatcher().process(client, argv);
        server.server().executor().flushDirty(); // as the executor does after a batch; releases the internal client's buffer
    }

    @TearDown(Level.Trial)
    public void stop() {
        server.server().keyspace().close();
    }

    @Benchmark
    public void ping() {
        run(ping);
    }

    @Benchmark
    public void get() {
        run(get);
    }

    @Benchmark
    public void set() {
        run(set);
    }

    @Benchmark
    public void incr() {
        run(incr);
    }
}
