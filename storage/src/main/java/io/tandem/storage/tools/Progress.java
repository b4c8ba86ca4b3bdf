package io.tandem.storage.tools;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * An input stream that counts what was read and, when stderr is a terminal, draws a progress
 * bar there at most 10 times a second ({@code [=====>    ]  42%  1.2 GB/2.9 GB  310 MB/s}).
 * {@link #done()} erases it. The caller's thread only; no background thread.
 */
public final class Progress extends FilterInputStream {
    private final long total;
    private final PrintStream err;
    private final long start = System.nanoTime();
    private long count;
    private long lastDraw;
    private boolean drawn;

    /**
     * @param total expected bytes (the file size), or -1 if unknown
     * @param err where to draw, or null for no bar (not a terminal)
     */
    public Progress(InputStream in, long total, PrintStream err) {
        super(in);
        this.total = total;
        this.err = err;
    }

    /**
     * stderr when it is a terminal, else null. Java cannot ask isatty(2), so the launchers test
     * {@code [ -t 2 ]} and pass {@code -Dtandem.progress=true|false}; without the property, a
     * console (stdin and stdout on a terminal) is taken as the answer.
     */
    public static PrintStream terminal() {
        String p = System.getProperty("tandem.progress");
        if (p != null) return Boolean.parseBoolean(p) ? System.err : null;
        return System.console() != null ? System.err : null;
    }

    public long count() {
        return count;
    }

    /** Seconds since this stream was created. */
    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) advance(1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) advance(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        if (s > 0) advance(s);
        return s;
    }

    private void advance(long n) {
        count += n;
        if (err == null) return;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        StringBuilder sb = new StringBuilder("\r");
        if (total > 0) {
            int pct = (int) Math.min(100, count * 100 / total);
            int w = 30;
            int fill = pct * w / 100;
            sb.append('[').append("=".repeat(fill)).append(fill < w ? ">" : "").append(" ".repeat(Math.max(0, w - fill - 1))).append("] ");
            sb.append(String.format("%3d%%  %s/%s", pct, human(count), human(total)));
        } else {
            sb.append(human(count));
        }
        double s = seconds();
        if (s > 0) sb.append(String.format("  %s/s", human((long) (count / s))));
        sb.append("   ");
        err.print(sb);
        err.flush();
        drawn = true;
    }

    /** Erases the bar. */
    public void done() {
        if (drawn && err != null) {
            err.print("\r" + " ".repeat(72) + "\r");
            err.flush();
            drawn = false;
        }
    }

    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] u = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int i = -1;
        do {
            v /= 1024;
            i++;
        } while (v >= 1024 && i < u.length - 1);
        return String.format("%.1f %s", v, u[i]);
    }
}
