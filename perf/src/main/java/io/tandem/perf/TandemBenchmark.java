package io.tandem.perf;

import io.tandem.storage.resp.ReplyParser;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** {@code bin/tandem-benchmark}: see {@link Options#USAGE}. */
public final class TandemBenchmark {
    private TandemBenchmark() {}

    public static void main(String[] args) {
        // The server module brings logback onto this classpath next to slf4j-nop; unconfigured,
        // logback prints Netty's DEBUG lines on stdout, which breaks --json. The tool prints its
        // own messages, so pick the no-op provider before anything asks SLF4J for a logger.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.nop.NOPServiceProvider");
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN"); // no "loading provider" line
            }
        }
        int status;
        try {
            status = run(args, System.out, System.err);
        } catch (OutOfMemoryError e) {
            System.err.println("tandem-benchmark: out of memory (fewer clients, a smaller -d or -P?)");
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    /** Runs the benchmark; returns the exit status (0 done, 1 failed, 2 bad command line). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (Options.UsageException e) {
            err.println("tandem-benchmark: " + e.getMessage());
            err.println("Try 'tandem-benchmark --help'.");
            return 2;
        }
        if (o.help) {
            out.print(Options.USAGE);
            return 0;
        }
        try {
            return new TandemBenchmark.Session(o, out, err).run();
        } catch (Fatal e) {
            err.println("tandem-benchmark: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("tandem-benchmark: interrupted");
            return 1;
        }
    }

    static final class Fatal extends Exception {
        private static final long serialVersionUID = 1L;

        Fatal(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Session {
        final Options o;
        final PrintStream out;
        final PrintStream err;
        final boolean tty;
        final boolean progressOn;
        HistogramLogWriter hlog;
        PrintStream hlogStream;
        long hlogBaseMs;
        final Map<String, Histogram> plotSeries = Plot.ordered();
        final List<Result> results = new ArrayList<>();
        final List<Result[]> comparisons = new ArrayList<>();
        String transport = "n/a";

        Session(Options o, PrintStream out, PrintStream err) {
            this.o = o;
            this.out = out;
            this.err = err;
            String prop = System.getProperty("tandem.stderr.tty");
            tty = prop != null ? Boolean.parseBoolean(prop) : System.console() != null;
            progressOn = !o.quiet && (o.progress || tty);
        }

        int run() throws Fatal, InterruptedException {
            KeyPattern pattern;
            try {
                pattern = KeyPattern.parse(o.keyPattern);
            } catch (Options.UsageException e) {
                throw new Fatal(e.getMessage());
            }
            List<Workload> workloads = new ArrayList<>();
            if (o.customCommand != null) {
                workloads.add(Workload.custom(o.customCommand, o));
            } else {
                for (String t : o.tests) workloads.add(Workload.forTest(t, o));
            }

            SelfTestServer selfTest = null;
            ReplicationProbe probe = null;
            try {
                if (o.selfTest) {
                    selfTest = new SelfTestServer(1);
                    o.host = "127.0.0.1";
                    o.port = selfTest.port();
                    o.password = null;
                    if (!o.json) {
                        out.println("self-test: the target is an in-process server that answers +OK to everything;");
                        out.println("           these figures are tandem-benchmark's own floor (client + loopback).");
                        out.println();
                    }
                }
                List<String[]> targets = new ArrayList<>();
                targets.add(new String[] {o.host, Integer.toString(o.port)});
                if (o.compareHost != null) targets.add(new String[] {o.compareHost, Integer.toString(o.comparePort)});
                int preflightMs = (int) Math.min(10_000, Math.max(1000, o.timeoutSecs * 1000));
                for (String[] t : targets) {
                    try (BlockingClient c = BlockingClient.open(t[0], Integer.parseInt(t[1]), o.user, o.password, preflightMs)) {
                        // reachable, authenticated, answers PING
                    } catch (IOException e) {
                        throw new Fatal(e.getMessage());
                    }
                }
                if (o.replicaHost != null) {
                    probe = new ReplicationProbe(o.host, o.port, o.replicaHost, o.replicaPort, o.user, o.password, o.timeoutSecs);
                    try {
                        probe.open();
                    } catch (IOException e) {
                        throw new Fatal(e.getMessage());
                    }
                    probe.start();
                }
                openHlog();
                try (Engine engine = new Engine(o.threads)) {
                    transport = engine.transport;
                    for (Workload w : workloads) {
                        if (w.listPrefill > 0) {
                            for (String[] t : targets) prefill(t[0], Integer.parseInt(t[1]), w.listPrefill);
                        }
                        if (o.compareHost == null) {
                            Result r = runOne(engine, w, o.host, o.port, 1, tagFor(w, null));
                            results.add(r);
                            plotSeries.put(w.name, r.all);
                            if (!o.json) Report.printResult(out, r, o, engine.transport);
                        } else {
                            Result[] sides = new Result[2];
                            for (int round = 0; round < o.rounds; round++) {
                                int[] order = round % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0};
                                for (int side : order) {
                                    String[] t = targets.get(side);
                                    Result r = runOne(engine, w, t[0], Integer.parseInt(t[1]), o.rounds,
                                            tagFor(w, t[0] + ":" + t[1]));
                                    if (sides[side] == null) sides[side] = r;
                                    else sides[side].merge(r);
                                }
                            }
                            comparisons.add(sides);
                            plotSeries.put(w.name + " @ " + sides[0].target, sides[0].all);
                            plotSeries.put(w.name + " @ " + sides[1].target, sides[1].all);
                            if (!o.json) Report.printComparison(out, sides[0], sides[1], o.rounds);
                        }
                    }
                }
                ReplicationProbe.LagResult lag = null;
                if (probe != null) {
                    probe.stop();
                    lag = probe.result();
                    if (!o.json) Report.printLag(out, lag);
                    if (o.plot != null) {
                        plotSeries.put("replication lag (visible)", lag.visible());
                        plotSeries.put("replication lag (WAIT 1)", lag.waited());
                    }
                }
                if (o.plot != null) {
                    try {
                        String title = "tandem-benchmark: " + (o.rate > 0
                                ? String.format(Locale.ROOT, "%.0f ops/s fixed rate (coordinated-omission corrected)", o.rate)
                                : "closed loop") + ", " + o.clients + " clients, pipeline " + o.pipeline;
                        writePlotBounded(title);
                        if (!o.json) out.println("latency spectrum written to " + o.plot);
                    } catch (IOException | RuntimeException e) {
                        throw new Fatal("cannot write the plot " + o.plot + ": " + e.getMessage());
                    }
                }
                if (hlog != null && !o.json) out.println("HdrHistogram interval log written to " + o.hdrOut);
                if (o.json) out.print(Report.json(results, comparisons, lag, o, transport));
                return 0;
            } finally {
                if (probe != null) {
                    probe.stop();
                    probe.close();
                }
                if (hlogStream != null) hlogStream.close();
                if (selfTest != null) selfTest.close();
            }
        }

        /** Renders the plot on a daemon thread: a charting-library bug must not hang the tool. */
        private void writePlotBounded(String title) throws IOException, InterruptedException {
            java.util.concurrent.FutureTask<Void> task = new java.util.concurrent.FutureTask<>(() -> {
                Plot.write(o.plot, title, plotSeries);
                return null;
            });
            Thread t = new Thread(task, "plot");
            t.setDaemon(true);
            t.start();
            try {
                task.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("rendering took over 60 s; gave up");
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                throw new IOException(c.getMessage() == null ? c.toString() : c.getMessage());
            }
        }

        private String tagFor(Workload w, String target) {
            String t = w.name + (target == null ? "" : "@" + target);
            return t.replaceAll("[^A-Za-z0-9_.:@/-]+", "_");
        }

        private void openHlog() throws Fatal {
            if (o.hdrOut == null) return;
            try {
                hlogStream = new PrintStream(new java.io.FileOutputStream(o.hdrOut), false, "US-ASCII");
            } catch (FileNotFoundException | java.io.UnsupportedEncodingException e) {
                throw new Fatal("cannot write " + o.hdrOut + ": " + e.getMessage());
            }
            hlog = new HistogramLogWriter(hlogStream);
            hlogBaseMs = System.currentTimeMillis();
            hlog.outputComment("tandem-benchmark " + String.join(" ", describeArgs()));
            hlog.outputComment("values are latencies in nanoseconds; one tag per test"
                    + (o.rate > 0 ? ", measured from intended send times (coordinated-omission corrected)" : ""));
            hlog.outputLogFormatVersion();
            hlog.setBaseTime(hlogBaseMs);
            hlog.outputBaseTime(hlogBaseMs);
            hlog.outputStartTime(hlogBaseMs);
            hlog.outputLegend();
        }

        private List<String> describeArgs() {
            List<String> a = new ArrayList<>();
            a.add("-h " + o.host + " -p " + o.port + " -c " + o.clients + " -P " + o.pipeline);
            if (o.rate > 0) a.add("--rate " + o.rate);
            a.add(o.durationMode() ? "--duration " + o.durationSecs : "-n " + o.requests);
            return a;
        }

        private void prefill(String host, int port, int n) throws Fatal {
            try (BlockingClient c = BlockingClient.open(host, port, o.user, o.password, 10_000)) {
                Object len = c.call("LLEN", "mylist");
                long have = len instanceof Long l ? l : 0;
                String[] cmd = new String[2 + 100];
                cmd[0] = "RPUSH";
                cmd[1] = "mylist";
                char[] v = new char[o.dataSize];
                Arrays.fill(v, 'x');
                Arrays.fill(cmd, 2, cmd.length, new String(v));
                while (have < n) {
                    Object r = c.call(cmd);
                    if (r instanceof ReplyParser.ErrorReply e) {
                        throw new Fatal("cannot fill mylist on " + host + ":" + port + " for LRANGE: " + e.message());
                    }
                    have = r instanceof Long l ? l : n;
                }
            } catch (IOException e) {
                throw new Fatal(e.getMessage());
            }
        }

        private Result runOne(Engine engine, Workload w, String host, int port, int split, String tag)
                throws Fatal, InterruptedException {
            long requests = Math.max(1, (o.requests + split - 1) / split);
            long durationNs = o.durationMode() ? (long) (o.durationSecs * 1e9 / split) : 0;
            Run.Spec spec = new Run.Spec(host, port, o.user, o.password, w, o.clients, o.pipeline, o.rate, requests,
                    durationNs, (long) (o.warmupSecs * 1e9), patternFor(), o.keyRange,
                    (long) (o.timeoutSecs * 1e9), tag);
            Run run = new Run(engine, spec);
            Consumer<String> progress = progressOn ? this::progress : null;
            try {
                Result r = run.execute(this::onInterval, progress);
                clearProgress();
                return r;
            } catch (Run.Failure e) {
                clearProgress();
                throw new Fatal(w.name + " against " + spec.target() + ": " + e.getMessage());
            }
        }

        private KeyPattern sharedPattern;

        private KeyPattern patternFor() {
            try {
                if (sharedPattern == null) sharedPattern = KeyPattern.parse(o.keyPattern);
            } catch (Options.UsageException e) {
                throw new IllegalStateException(e);
            }
            return sharedPattern;
        }

        private void onInterval(Run run, Histogram interval, Histogram cumulative, long nowNs) {
            if (hlog == null) return;
            interval.setTag(run.spec.tag());
            hlog.outputIntervalHistogram(interval);
            hlogStream.flush();
        }

        private boolean progressShown;

        private void progress(String line) {
            if (tty) {
                err.print("\r" + line + "\u001b[K");
            } else {
                err.println(line);
            }
            err.flush();
            progressShown = true;
        }

        private void clearProgress() {
            if (progressShown && tty) {
                err.print("\r\u001b[K");
                err.flush();
            }
            progressShown = false;
        }
    }
}
