package io.tandem.perf;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.tandem.storage.resp.ReplyParser;
import io.tandem.storage.resp.RespProtocolException;
import io.tandem.storage.resp.RespWriter;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One test against one target: opens the connections, drives the workload (closed loop, or a
 * fixed rate with intended start times) and gathers the histograms.
 *
 * <h2>Timing</h2>
 * Closed loop: a connection sends -P requests, waits for all their replies, sends the next batch;
 * latency is reply time minus actual send time (what redis-benchmark measures).
 * <p>Fixed rate: connection i of c owns the intended send times {@code t0 + (i + k*c) / rate}. A
 * request is sent at its intended time, or as soon as a slot frees when the connection already has
 * -P requests in flight; latency is reply time minus <em>intended</em> time, so a server stall
 * counts against every request it delayed, sent or not (coordinated-omission correction).
 */
final class Run {
    static final long HIGHEST_NS = TimeUnit.HOURS.toNanos(1);
    static final int DIGITS = 3;

    /** A failure that ends the run with a message for a person. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** Settings of one run. */
    record Spec(String host, int port, String user, String password, Workload workload, int clients,
                int pipeline, double rate, long requests, long durationNs, long warmupNs,
                KeyPattern keyPattern, long keyRange, long timeoutNs, String tag) {
        String target() {
            return host + ":" + port;
        }
    }

    /** Called about once a second with the interval histogram of all ops (for the .hlog and progress). */
    interface IntervalListener {
        void onInterval(Run run, Histogram interval, Histogram cumulative, long nowNs);
    }

    /** What one event-loop thread records: written by that thread only. */
    static final class LoopStats {
        final SingleWriterRecorder[] recorders;
        volatile long measured;
        volatile long replies;
        volatile long lastCompletionNs;
        volatile long firstStartNs = Long.MAX_VALUE;

        LoopStats(int ops) {
            recorders = new SingleWriterRecorder[ops];
            for (int i = 0; i < ops; i++) recorders[i] = new SingleWriterRecorder(1, HIGHEST_NS, DIGITS);
        }
    }

    final Engine engine;
    final Spec spec;
    final LoopStats[] stats;
    final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    final LongAdder errors = new LongAdder();
    final LongAdder connectionsLost = new LongAdder();
    final AtomicReference<String> fatal = new AtomicReference<>();
    final AtomicLong permits;
    final CountDownLatch ready;
    final CountDownLatch done;
    final List<Conn> conns = new ArrayList<>();
    final long intervalNs; // per connection, rate mode
    final long spacingNs; // between connections' first intended times, rate mode
    volatile boolean started;
    volatile boolean finished;
    volatile long t0;
    volatile long measureFrom;
    volatile long endAt = Long.MAX_VALUE;

    Run(Engine engine, Spec spec) {
        this.engine = engine;
        this.spec = spec;
        int ops = spec.workload().ops.length;
        stats = new LoopStats[engine.loops.length];
        for (int i = 0; i < stats.length; i++) stats[i] = new LoopStats(ops);
        permits = new AtomicLong(spec.durationNs() > 0 ? Long.MAX_VALUE : spec.requests());
        ready = new CountDownLatch(spec.clients());
        done = new CountDownLatch(spec.clients());
        if (spec.rate() > 0) {
            intervalNs = Math.max(1, Math.round(spec.clients() * 1e9 / spec.rate()));
            spacingNs = Math.max(0, Math.round(1e9 / spec.rate()));
        } else {
            intervalNs = 0;
            spacingNs = 0;
        }
    }

    boolean rateMode() {
        return spec.rate() > 0;
    }

    void error(String kind, long n) {
        if (n <= 0) return;
        errors.add(n);
        errorKinds.computeIfAbsent(kind, k -> new LongAdder()).add(n);
    }

    void fail(String message) {
        if (fatal.compareAndSet(null, message)) {
            while (ready.getCount() > 0) ready.countDown();
            while (done.getCount() > 0) done.countDown();
        }
    }

    /** Runs the test to its end; intervals are reported to {@code listener} from this thread. */
    Result execute(IntervalListener listener, Consumer<String> progress) throws Failure, InterruptedException {
        Workload w = spec.workload();
        for (int i = 0; i < spec.clients(); i++) {
            int li = i % engine.loops.length;
            conns.add(new Conn(i, engine.loops[li], stats[li],
                    spec.keyPattern().newSource(spec.keyRange(), 0x9E3779B97F4A7C15L * (i + 1) ^ System.nanoTime())));
        }
        try {
            for (Conn c : conns) c.loop.execute(c::connect);
            long connectDeadline = System.nanoTime() + Math.max(spec.timeoutNs(), TimeUnit.SECONDS.toNanos(5));
            while (!ready.await(100, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > connectDeadline) {
                    throw new Failure("timed out opening " + spec.clients() + " connections to " + spec.target()
                            + " (" + (spec.clients() - ready.getCount()) + " ready)");
                }
            }
            if (fatal.get() != null) throw new Failure(fatal.get());

            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
            t0 = start;
            measureFrom = start + spec.warmupNs();
            if (spec.durationNs() > 0) endAt = measureFrom + spec.durationNs();
            started = true;
            for (Conn c : conns) c.loop.execute(c::start);

            Histogram[] cumulative = new Histogram[w.ops.length];
            for (int i = 0; i < cumulative.length; i++) cumulative[i] = new Histogram(1, HIGHEST_NS, DIGITS);
            Histogram cumulativeAll = new Histogram(1, HIGHEST_NS, DIGITS);
            Histogram[] recycle = new Histogram[w.ops.length * stats.length];
            long lastTick = System.nanoTime();
            long lastReplies = 0;
            long lastReplyChange = lastTick;
            boolean warm = spec.warmupNs() == 0;
            long tickNs = TimeUnit.SECONDS.toNanos(1);
            while (true) {
                boolean finishedNow = done.await(50, TimeUnit.MILLISECONDS);
                long now = System.nanoTime();
                if (!warm && now >= measureFrom) {
                    // Drop what the warm-up recorded (only requests started after measureFrom count).
                    warm = true;
                    for (int s = 0; s < stats.length; s++) {
                        for (int o = 0; o < w.ops.length; o++) stats[s].recorders[o].reset();
                    }
                }
                long replies = 0;
                for (LoopStats s : stats) replies += s.replies;
                if (replies != lastReplies) {
                    lastReplies = replies;
                    lastReplyChange = now;
                } else if (!finishedNow && now - lastReplyChange > spec.timeoutNs() && outstanding() > 0) {
                    fail(String.format("no reply from %s for %.0f s (%d requests unanswered); giving up",
                            spec.target(), spec.timeoutNs() / 1e9, outstanding()));
                }
                if (finishedNow || now - lastTick >= tickNs) {
                    Histogram interval = new Histogram(1, HIGHEST_NS, DIGITS);
                    for (int s = 0; s < stats.length; s++) {
                        for (int o = 0; o < w.ops.length; o++) {
                            int k = s * w.ops.length + o;
                            Histogram h = stats[s].recorders[o].getIntervalHistogram(recycle[k]);
                            recycle[k] = h;
                            if (warm) {
                                cumulative[o].add(h);
                                interval.add(h);
                            }
                        }
                    }
                    if (warm && now > measureFrom) {
                        interval.setStartTimeStamp(System.currentTimeMillis() - (now - lastTick) / 1_000_000);
                        interval.setEndTimeStamp(System.currentTimeMillis());
                        cumulativeAll.add(interval);
                        if (listener != null) listener.onInterval(this, interval, cumulativeAll, now);
                        if (progress != null && !finishedNow) {
                            double rate = interval.getTotalCount() / ((now - lastTick) / 1e9);
                            progress.accept(String.format("%s: %.0f ops/s, p99 so far %.3f ms, %.0f s",
                                    w.name, rate, cumulativeAll.getValueAtPercentile(99) / 1e6, (now - measureFrom) / 1e9));
                        }
                    }
                    lastTick = now;
                }
                if (finishedNow) break;
            }
            finished = true;
            if (fatal.get() != null) throw new Failure(fatal.get());
            long cpu1 = os.getProcessCpuTime();

            long measured = 0;
            long last = 0;
            for (LoopStats s : stats) {
                measured += s.measured;
                last = Math.max(last, s.lastCompletionNs);
            }
            double elapsed = last > measureFrom ? (last - measureFrom) / 1e9 : 0;
            Map<String, Long> kinds = new LinkedHashMap<>();
            errorKinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                    .forEach(e -> kinds.put(e.getKey(), e.getValue().sum()));
            Histogram all = new Histogram(1, HIGHEST_NS, DIGITS);
            for (Histogram h : cumulative) all.add(h);
            double cpuPerOp = measured > 0 ? (cpu1 - cpu0) / 1e3 / (measured + 0.0) : 0;
            return new Result(w.name, spec.target(), w.opNames, all, cumulative, measured, errors.sum(), kinds,
                    connectionsLost.sum(), elapsed, rateMode(), spec.rate(), cpuPerOp, spec);
        } finally {
            finished = true;
            closeAll();
        }
    }

    private long outstanding() {
        long n = 0;
        for (Conn c : conns) n += c.inFlight;
        return n;
    }

    private void closeAll() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Conn c : conns) {
            Channel ch = c.channel;
            if (ch != null) closing.add(ch.close());
        }
        for (ChannelFuture f : closing) f.awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    static String describe(Throwable t) {
        if (t instanceof ConnectException || t instanceof io.netty.channel.ConnectTimeoutException) {
            String m = t.getMessage();
            // Netty appends the address: "Connection refused: /127.0.0.1:1".
            if (m != null && m.indexOf(':') > 0) m = m.substring(0, m.indexOf(':'));
            return m == null ? t.getClass().getSimpleName() : m;
        }
        if (t instanceof java.nio.channels.UnresolvedAddressException) return "unknown host";
        if (t instanceof java.net.UnknownHostException) return "unknown host " + t.getMessage();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** One client connection; every method runs on its event loop. */
    final class Conn implements ReplyParser.Handler {
        final int index;
        final EventLoop loop;
        final LoopStats st;
        final KeyPattern.Source keys;
        final ReplyParser parser = new ReplyParser(false);
        final long[] starts;
        final byte[] opOf;
        final SingleWriterRecorder[] recorders;
        final Workload w = spec.workload();
        volatile Channel channel;
        int head;
        volatile int inFlight;
        int handshake;
        long seq;
        long nextIntended;
        boolean timerArmed;
        boolean stopSending;
        boolean isDone;
        boolean everReady;
        String lastCause;

        Conn(int index, EventLoop loop, LoopStats st, KeyPattern.Source keys) {
            this.index = index;
            this.loop = loop;
            this.st = st;
            this.keys = keys;
            this.starts = new long[spec.pipeline()];
            this.opOf = new byte[spec.pipeline()];
            this.recorders = st.recorders;
        }

        void connect() {
            if (finished || isDone) return;
            new Bootstrap().group(loop).channel(engine.channelClass)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(5000, Math.max(500, spec.timeoutNs() / 1_000_000)))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            onActive(ctx.channel());
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            onRead((ByteBuf) msg);
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            onInactive(ctx.channel());
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            lastCause = describe(cause);
                            ctx.close();
                        }
                    })
                    .connect(spec.host(), spec.port())
                    .addListener(f -> {
                        if (!f.isSuccess()) onConnectFailed(f.cause());
                    });
        }

        private void onConnectFailed(Throwable cause) {
            String why = "cannot connect to " + spec.target() + ": " + describe(cause);
            if (!started) {
                fail(why);
                return;
            }
            if (finished || isDone) return;
            error(why, 1);
            retryLater(200);
        }

        private void retryLater(long ms) {
            if (stopSending || (endAt != Long.MAX_VALUE && System.nanoTime() >= endAt)) {
                markDone();
                return;
            }
            loop.schedule(this::connect, ms, TimeUnit.MILLISECONDS);
        }

        private void onActive(Channel ch) {
            channel = ch;
            if (spec.password() != null) {
                ByteBuf out = ch.alloc().buffer(64);
                RespWriter rw = new RespWriter(out);
                if (spec.user() != null) {
                    rw.command(b("AUTH"), b(spec.user()), b(spec.password()));
                } else {
                    rw.command(b("AUTH"), b(spec.password()));
                }
                handshake = 1;
                ch.writeAndFlush(out);
            } else {
                onReady();
            }
        }

        private void onReady() {
            if (!everReady) {
                everReady = true;
                ready.countDown();
            } else if (started) {
                drive();
            }
        }

        /** Called once on the loop when the clock starts. */
        void start() {
            nextIntended = t0 + index * spacingNs;
            drive();
        }

        private void onRead(ByteBuf buf) {
            try {
                parser.parse(buf, this);
            } catch (RespProtocolException e) {
                error("protocol error in a reply: " + e.getMessage(), 1);
                Channel ch = channel;
                if (ch != null) ch.close();
                return;
            } finally {
                buf.release();
            }
            if (handshake == 0) drive();
        }

        @Override
        public void onReply(Object reply) {
            long now = System.nanoTime();
            if (handshake > 0) {
                handshake--;
                if (reply instanceof ReplyParser.ErrorReply e) {
                    fail("authentication to " + spec.target() + " failed: " + e.message());
                    return;
                }
                if (handshake == 0) onReady();
                return;
            }
            if (inFlight == 0) return; // nothing asked: ignore (a push)
            long start = starts[head];
            int op = opOf[head];
            head = head + 1 == starts.length ? 0 : head + 1;
            inFlight--;
            st.replies++;
            if (start >= measureFrom) {
                long latency = now - start;
                if (latency < 1) latency = 1;
                if (latency > HIGHEST_NS) latency = HIGHEST_NS;
                recorders[op].recordValue(latency);
                st.measured++;
                st.lastCompletionNs = now;
                if (reply instanceof ReplyParser.ErrorReply e) error(errorKind(e.message()), 1);
            }
        }

        private void drive() {
            if (isDone || !started) return;
            Channel ch = channel;
            if (ch == null || handshake > 0 || !ch.isActive()) return;
            long now = System.nanoTime();
            if (finished || now >= endAt) stopSending = true;
            ByteBuf out = null;
            if (rateMode()) {
                if (!stopSending && nextIntended >= endAt) stopSending = true;
                while (!stopSending && inFlight < starts.length && nextIntended <= now) {
                    if (!takePermit(nextIntended)) {
                        stopSending = true;
                        break;
                    }
                    if (out == null) out = ch.alloc().directBuffer(w.maxRequestSize() * Math.min(16, starts.length));
                    send(out, nextIntended);
                    nextIntended += intervalNs;
                    if (nextIntended >= endAt) stopSending = true;
                }
                if (!stopSending && inFlight < starts.length && !timerArmed) {
                    timerArmed = true;
                    loop.schedule(() -> {
                        timerArmed = false;
                        drive();
                    }, nextIntended - now, TimeUnit.NANOSECONDS);
                }
            } else if (inFlight == 0 && !stopSending) {
                for (int k = 0; k < starts.length; k++) {
                    if (!takePermit(now)) {
                        stopSending = true;
                        break;
                    }
                    if (out == null) out = ch.alloc().directBuffer(w.maxRequestSize() * starts.length);
                    send(out, now);
                }
            }
            if (out != null) ch.writeAndFlush(out, ch.voidPromise());
            if (stopSending && inFlight == 0) markDone();
        }

        private boolean takePermit(long start) {
            if (start < measureFrom) return true; // warm-up requests are extra
            return permits.getAndDecrement() > 0;
        }

        private void send(ByteBuf out, long start) {
            int op = w.schedule[(int) (seq++ % w.schedule.length)];
            w.ops[op].write(out, keys);
            int tail = head + inFlight;
            if (tail >= starts.length) tail -= starts.length;
            starts[tail] = start;
            opOf[tail] = (byte) op;
            inFlight++;
        }

        private void markDone() {
            if (!isDone) {
                isDone = true;
                done.countDown();
            }
        }

        private void onInactive(Channel ch) {
            if (channel == ch) channel = null;
            if (finished || isDone) return;
            int lost = inFlight;
            inFlight = 0;
            head = 0;
            handshake = 0;
            parser.reset();
            connectionsLost.increment();
            String why = lastCause != null ? lastCause : "closed by the server";
            lastCause = null;
            error("connection to " + spec.target() + " lost (" + why + "): requests left unanswered", lost);
            if (!everReady) {
                fail("connection to " + spec.target() + " closed before it was ready");
                return;
            }
            retryLater(100);
        }

        private void error(String kind, long n) {
            Run.this.error(kind, n);
        }
    }

    /** Error replies are grouped by their text, with numbers elided so that they group. */
    static String errorKind(String message) {
        String m = message.length() > 120 ? message.substring(0, 117) + "..." : message;
        return "error reply: -" + m;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static boolean isIo(Throwable t) {
        return t instanceof IOException;
    }
}
