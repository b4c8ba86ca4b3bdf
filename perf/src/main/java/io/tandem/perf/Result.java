package io.tandem.perf;

import org.HdrHistogram.Histogram;

import java.util.Map;

/** The outcome of one test against one target (or the sum of several rounds). */
final class Result {
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    static final String[] LABELS = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};

    final String test;
    final String target;
    final String[] opNames;
    final Histogram all;
    final Histogram[] perOp;
    long completed;
    long errors;
    final Map<String, Long> errorKinds;
    long connectionsLost;
    double elapsedSecs;
    final boolean rateMode;
    final double targetRate;
    double cpuMicrosPerOp;
    final Run.Spec spec;

    Result(String test, String target, String[] opNames, Histogram all, Histogram[] perOp, long completed,
           long errors, Map<String, Long> errorKinds, long connectionsLost, double elapsedSecs,
           boolean rateMode, double targetRate, double cpuMicrosPerOp, Run.Spec spec) {
        this.test = test;
        this.target = target;
        this.opNames = opNames;
        this.all = all;
        this.perOp = perOp;
        this.completed = completed;
        this.errors = errors;
        this.errorKinds = errorKinds;
        this.connectionsLost = connectionsLost;
        this.elapsedSecs = elapsedSecs;
        this.rateMode = rateMode;
        this.targetRate = targetRate;
        this.cpuMicrosPerOp = cpuMicrosPerOp;
        this.spec = spec;
    }

    double throughput() {
        return elapsedSecs > 0 ? completed / elapsedSecs : 0;
    }

    /** p50, p90, p99, p99.9, p99.99 and max of a histogram, in milliseconds. */
    static double[] percentilesMs(Histogram h) {
        double[] out = new double[LABELS.length];
        if (h.getTotalCount() == 0) return out;
        for (int i = 0; i < PERCENTILES.length; i++) out[i] = h.getValueAtPercentile(PERCENTILES[i]) / 1e6;
        out[PERCENTILES.length] = h.getMaxValue() / 1e6;
        return out;
    }

    /** Adds another round of the same test against the same target. */
    void merge(Result r) {
        all.add(r.all);
        for (int i = 0; i < perOp.length; i++) perOp[i].add(r.perOp[i]);
        double cpuTotal = cpuMicrosPerOp * completed + r.cpuMicrosPerOp * r.completed;
        completed += r.completed;
        errors += r.errors;
        r.errorKinds.forEach((k, v) -> errorKinds.merge(k, v, Long::sum));
        connectionsLost += r.connectionsLost;
        elapsedSecs += r.elapsedSecs;
        cpuMicrosPerOp = completed > 0 ? cpuTotal / completed : 0;
    }
}
