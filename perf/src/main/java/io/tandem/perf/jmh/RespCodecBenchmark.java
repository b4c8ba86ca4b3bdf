package io.tandem.perf.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tandem.storage.resp.ReplyParser;
import io.tandem.storage.resp.RequestDecoder;
import io.tandem.storage.resp.RespProtocolException;
import io.tandem.storage.resp.RespWriter;
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
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The RESP codec of module storage: {@link RequestDecoder} (requests in), {@link RespWriter}
 * (replies out) and {@link ReplyParser} (replies in, for clients and replicas). Each operation
 * handles a batch of 16 commands/replies, as a pipelined read would bring them. Run with
 * {@code -prof gc} to see bytes allocated per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class RespCodecBenchmark {
    static final int BATCH = 16;

    /** Value size of SET requests and GET replies. */
    @Param({"16", "1024"})
    public int valueSize;

    private ByteBuf setRequests;
    private ByteBuf getReplies;
    private ByteBuf out;
    private RequestDecoder decoder;
    private ReplyParser countingParser;
    private ReplyParser materializingParser;
    private byte[] key;
    private byte[] value;
    private Blackhole bh;
    private final RequestDecoder.Sink sink = argv -> bh.consume(argv);
    private final ReplyParser.Handler handler = r -> bh.consume(r);

    @Setup(Level.Trial)
    public void setup(Blackhole blackhole) {
        bh = blackhole;
        key = "key:000000001234".getBytes(StandardCharsets.US_ASCII);
        value = new byte[valueSize];
        Arrays.fill(value, (byte) 'x');
        setRequests = Unpooled.directBuffer();
        RespWriter w = new RespWriter(setRequests);
        for (int i = 0; i < BATCH; i++) w.command("SET".getBytes(StandardCharsets.US_ASCII), key, value);
        getReplies = Unpooled.directBuffer();
        w.buffer(getReplies);
        for (int i = 0; i < BATCH; i++) w.bulk(value);
        out = PooledByteBufAllocator.DEFAULT.directBuffer(BATCH * (valueSize + 64));
        decoder = new RequestDecoder(512L * 1024 * 1024);
        countingParser = new ReplyParser(false);
        materializingParser = new ReplyParser(true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        setRequests.release();
        getReplies.release();
        out.release();
    }

    /** Decodes 16 pipelined {@code SET key value} requests. */
    @Benchmark
    public void decodeSetRequests() throws RespProtocolException {
        ByteBuf in = setRequests.duplicate();
        decoder.decode(in, sink);
    }

    /** Writes 16 bulk replies (GET hits). */
    @Benchmark
    public void writeBulkReplies(Blackhole b) {
        out.clear();
        RespWriter w = new RespWriter(out);
        for (int i = 0; i < BATCH; i++) w.bulk(value);
        b.consume(out.writerIndex());
    }

    /** Writes 16 {@code +OK}, {@code :n} and {@code $-1} replies (SET, INCR, GET misses). */
    @Benchmark
    public void writeSmallReplies(Blackhole b) {
        out.clear();
        RespWriter w = new RespWriter(out);
        for (int i = 0; i < BATCH; i++) {
            w.ok();
            w.integer(100_000L + i);
            w.nullBulk();
        }
        b.consume(out.writerIndex());
    }

    /** Encodes 16 {@code SET key value} requests, as a client or the replication stream does. */
    @Benchmark
    public void writeSetCommands(Blackhole b) {
        out.clear();
        RespWriter w = new RespWriter(out);
        byte[] set = SET;
        for (int i = 0; i < BATCH; i++) w.command(set, key, value);
        b.consume(out.writerIndex());
    }

    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);

    /** Parses 16 bulk replies without materialising them (tandem-benchmark's hot path). */
    @Benchmark
    public void parseRepliesCounting() throws RespProtocolException {
        countingParser.parse(getReplies.duplicate(), handler);
    }

    /** Parses 16 bulk replies into byte arrays (what a replica or a client library needs). */
    @Benchmark
    public void parseRepliesMaterializing() throws RespProtocolException {
        materializingParser.parse(getReplies.duplicate(), handler);
    }
}
