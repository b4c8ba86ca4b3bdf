package io.tandem.perf;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Runs tandem-benchmark in-process and keeps what it printed. */
record Cli(int status, String out, String err) {
    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = TandemBenchmark.run(args, o, e);
        }
        Cli c = new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        // Never a stack trace, whatever happened.
        assertFalse(c.out.contains("\tat ") || c.err.contains("\tat ") || c.err.contains("Exception"),
                () -> "stack trace printed:\n" + c);
        return c;
    }

    /** The throughput lines, in order. */
    double[] throughputs() {
        Matcher m = Pattern.compile("throughput: (\\d+) ops/s").matcher(out);
        return m.results().mapToDouble(r -> Double.parseDouble(r.group(1))).toArray();
    }

    /** The value of a percentile row (p50, p99, max...) of the n-th table. */
    double row(String label, int n) {
        Matcher m = Pattern.compile("(?m)^    " + Pattern.quote(label) + "\\s+([0-9.]+)").matcher(out);
        int i = 0;
        while (m.find()) {
            if (i++ == n) return Double.parseDouble(m.group(1));
        }
        throw new AssertionError("no row " + label + " #" + n + " in:\n" + out);
    }

    @Override
    public String toString() {
        return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
