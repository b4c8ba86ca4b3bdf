package io.tandem.perf;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The human-readable report and the JSON summary. */
final class Report {
    private Report() {}

    static void printResult(PrintStream out, Result r, Options o, String transport) {
        out.printf(Locale.ROOT, "====== %s ======%n", r.test);
        Run.Spec s = r.spec;
        out.printf(Locale.ROOT, "  target %s, %d clients, pipeline %d, %d thread(s) (%s), %d-byte values, keyspace %d (%s)%n",
                r.target, s.clients(), s.pipeline(), o.threads, transport, o.dataSize, s.keyRange(), o.keyPattern);
        if (r.rateMode) {
            out.printf(Locale.ROOT, "  fixed rate %.0f ops/s (open loop): latency from each request's intended send time%n", r.targetRate);
        } else {
            out.printf(Locale.ROOT, "  closed loop: latency from actual send time (hides server stalls; use --rate)%n");
        }
        out.printf(Locale.ROOT, "  %d requests completed in %.3f s, %d errors%n", r.completed, r.elapsedSecs, r.errors);
        out.printf(Locale.ROOT, "  throughput: %.0f ops/s%n", r.throughput());
        printPercentiles(out, r);
        printErrors(out, r);
        out.printf(Locale.ROOT, "  client cpu: %.2f us/op%n", r.cpuMicrosPerOp);
        out.println();
    }

    static void printPercentiles(PrintStream out, Result r) {
        boolean split = r.perOp.length > 1;
        out.print("  latency (ms)");
        if (split) {
            out.printf(Locale.ROOT, "%12s", "all");
            for (String n : r.opNames) out.printf(Locale.ROOT, "%12s", n);
        }
        out.println();
        double[] all = Result.percentilesMs(r.all);
        double[][] ops = new double[r.perOp.length][];
        for (int i = 0; i < ops.length; i++) ops[i] = Result.percentilesMs(r.perOp[i]);
        for (int row = 0; row < Result.LABELS.length; row++) {
            out.printf(Locale.ROOT, "    %-9s%12.3f", Result.LABELS[row], all[row]);
            if (split) for (double[] op : ops) out.printf(Locale.ROOT, "%12.3f", op[row]);
            out.println();
        }
    }

    static void printErrors(PrintStream out, Result r) {
        if (r.connectionsLost > 0) out.printf(Locale.ROOT, "  connections lost: %d (reconnected)%n", r.connectionsLost);
        int shown = 0;
        for (Map.Entry<String, Long> e : r.errorKinds.entrySet()) {
            if (shown++ == 8) {
                out.printf(Locale.ROOT, "    ... %d more kinds of error%n", r.errorKinds.size() - 8);
                break;
            }
            out.printf(Locale.ROOT, "    %8d x %s%n", e.getValue(), e.getKey());
        }
    }

    static void printComparison(PrintStream out, Result a, Result b, int rounds) {
        out.printf(Locale.ROOT, "====== %s: %s vs %s (%d rounds, alternating) ======%n", a.test, a.target, b.target, rounds);
        int w = Math.max(16, Math.max(a.target.length(), b.target.length()) + 2);
        out.printf(Locale.ROOT, "  %-14s%" + w + "s%" + w + "s%10s%n", "", a.target, b.target, "ratio");
        out.printf(Locale.ROOT, "  %-14s%" + w + ".0f%" + w + ".0f%10.3f%n", "throughput:", a.throughput(), b.throughput(),
                ratio(b.throughput(), a.throughput()));
        double[] pa = Result.percentilesMs(a.all);
        double[] pb = Result.percentilesMs(b.all);
        for (int i = 0; i < Result.LABELS.length; i++) {
            out.printf(Locale.ROOT, "  %-14s%" + w + ".3f%" + w + ".3f%10.3f%n", Result.LABELS[i] + " (ms)", pa[i], pb[i], ratio(pb[i], pa[i]));
        }
        out.printf(Locale.ROOT, "  %-14s%" + w + "d%" + w + "d%n", "errors", a.errors, b.errors);
        out.printf(Locale.ROOT, "  (ratio = %s / %s)%n", b.target, a.target);
        printErrors(out, a);
        printErrors(out, b);
        out.println();
    }

    static double ratio(double x, double y) {
        return y == 0 ? Double.NaN : x / y;
    }

    static void printLag(PrintStream out, ReplicationProbe.LagResult lag) {
        out.printf(Locale.ROOT, "====== replication lag: %s -> %s ======%n", lag.master(), lag.replica());
        out.printf(Locale.ROOT, "  visible: write sent to the master until a GET on the replica returns it (%d probes, %d timed out)%n",
                lag.visible().getTotalCount(), lag.timeouts());
        out.printf(Locale.ROOT, "  wait:    write + WAIT 1 round trip on the master (%d probes, %d short of an ack)%n",
                lag.waited().getTotalCount(), lag.waitShort());
        out.printf(Locale.ROOT, "  lag (ms)  %12s%12s%n", "visible", "wait");
        double[] v = Result.percentilesMs(lag.visible());
        double[] wt = Result.percentilesMs(lag.waited());
        for (int i = 0; i < Result.LABELS.length; i++) {
            out.printf(Locale.ROOT, "    %-8s%12.3f%12.3f%n", Result.LABELS[i], v[i], wt[i]);
        }
        if (lag.problem() != null) out.println("  note: " + lag.problem());
        out.println();
    }

    // ---- JSON ----

    static String json(List<Result> results, List<Result[]> comparisons, ReplicationProbe.LagResult lag, Options o,
                       String transport) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("{\n  \"tool\": \"tandem-benchmark\",\n");
        sb.append("  \"mode\": ").append(str(o.rate > 0 ? "fixed-rate" : "closed-loop")).append(",\n");
        if (o.rate > 0) sb.append("  \"rate\": ").append(num(o.rate)).append(",\n");
        sb.append("  \"clients\": ").append(o.clients).append(", \"pipeline\": ").append(o.pipeline)
                .append(", \"threads\": ").append(o.threads).append(", \"transport\": ").append(str(transport))
                .append(", \"data_size\": ").append(o.dataSize).append(", \"keyspace\": ").append(o.keyRange)
                .append(", \"key_pattern\": ").append(str(o.keyPattern)).append(",\n");
        sb.append("  \"tests\": [");
        for (int i = 0; i < results.size(); i++) {
            sb.append(i == 0 ? "\n" : ",\n");
            resultJson(sb, results.get(i), "    ");
        }
        sb.append(results.isEmpty() ? "]" : "\n  ]");
        if (!comparisons.isEmpty()) {
            sb.append(",\n  \"comparisons\": [");
            for (int i = 0; i < comparisons.size(); i++) {
                Result[] c = comparisons.get(i);
                sb.append(i == 0 ? "\n" : ",\n");
                sb.append("    {\"test\": ").append(str(c[0].test)).append(", \"rounds\": ").append(o.rounds)
                        .append(",\n     \"main\":\n");
                resultJson(sb, c[0], "      ");
                sb.append(",\n     \"compare\":\n");
                resultJson(sb, c[1], "      ");
                sb.append(",\n     \"ratio\": {\"throughput\": ").append(num(ratio(c[1].throughput(), c[0].throughput())));
                double[] pa = Result.percentilesMs(c[0].all);
                double[] pb = Result.percentilesMs(c[1].all);
                for (int k = 0; k < Result.LABELS.length; k++) {
                    sb.append(", ").append(str(Result.LABELS[k])).append(": ").append(num(ratio(pb[k], pa[k])));
                }
                sb.append("}}");
            }
            sb.append("\n  ]");
        }
        if (lag != null) {
            sb.append(",\n  \"replication_lag\": {\"master\": ").append(str(lag.master()))
                    .append(", \"replica\": ").append(str(lag.replica()))
                    .append(", \"timeouts\": ").append(lag.timeouts())
                    .append(", \"visible_ms\": ");
            percentilesJson(sb, lag.visible());
            sb.append(", \"wait_ms\": ");
            percentilesJson(sb, lag.waited());
            if (lag.problem() != null) sb.append(", \"problem\": ").append(str(lag.problem()));
            sb.append("}");
        }
        sb.append("\n}\n");
        return sb.toString();
    }

    private static void resultJson(StringBuilder sb, Result r, String indent) {
        sb.append(indent).append("{\"test\": ").append(str(r.test)).append(", \"target\": ").append(str(r.target))
                .append(", \"requests\": ").append(r.completed)
                .append(", \"errors\": ").append(r.errors)
                .append(", \"connections_lost\": ").append(r.connectionsLost)
                .append(", \"seconds\": ").append(num(r.elapsedSecs))
                .append(", \"throughput\": ").append(num(r.throughput()))
                .append(", \"client_cpu_us_per_op\": ").append(num(r.cpuMicrosPerOp))
                .append(",\n").append(indent).append(" \"latency_ms\": ");
        percentilesJson(sb, r.all);
        if (r.perOp.length > 1) {
            sb.append(",\n").append(indent).append(" \"ops\": {");
            for (int i = 0; i < r.perOp.length; i++) {
                if (i > 0) sb.append(", ");
                sb.append(str(r.opNames[i])).append(": ");
                percentilesJson(sb, r.perOp[i]);
            }
            sb.append("}");
        }
        sb.append(",\n").append(indent).append(" \"error_kinds\": {");
        boolean first = true;
        for (Map.Entry<String, Long> e : r.errorKinds.entrySet()) {
            if (!first) sb.append(", ");
            first = false;
            sb.append(str(e.getKey())).append(": ").append(e.getValue());
        }
        sb.append("}}");
    }

    private static void percentilesJson(StringBuilder sb, Histogram h) {
        double[] p = Result.percentilesMs(h);
        sb.append("{\"count\": ").append(h.getTotalCount());
        for (int i = 0; i < p.length; i++) sb.append(", ").append(str(Result.LABELS[i])).append(": ").append(num(p[i]));
        sb.append(", \"mean\": ").append(num(h.getTotalCount() == 0 ? 0 : h.getMean() / 1e6)).append("}");
    }

    static String num(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return "null";
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return String.format(Locale.ROOT, "%.6f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
