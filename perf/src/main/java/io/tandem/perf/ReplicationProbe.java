package io.tandem.perf;

import io.tandem.storage.resp.ReplyParser;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Measures replication lag while the tests run, on its own two connections: about every 10 ms it
 * writes a probe key on the master, then
 * <ul>
 *   <li>even probes: polls GET on the replica back to back until the new value shows
 *       ("visible" lag: from sending the write to seeing it on the replica);</li>
 *   <li>odd probes: sends {@code WAIT 1 <timeout>} right after the write (the master's own view:
 *       until one replica acknowledged the write's offset).</li>
 * </ul>
 */
final class ReplicationProbe implements AutoCloseable {
    static final String KEY = "__tandem_benchmark_lag__";

    record LagResult(String master, String replica, Histogram visible, Histogram waited, long timeouts,
                     long waitShort, String problem) {}

    private final String masterHost;
    private final int masterPort;
    private final String replicaHost;
    private final int replicaPort;
    private final String user;
    private final String password;
    private final long timeoutNs;
    private final Histogram visible = new Histogram(1, Run.HIGHEST_NS, Run.DIGITS);
    private final Histogram waited = new Histogram(1, Run.HIGHEST_NS, Run.DIGITS);
    private long timeouts;
    private long waitShort;
    private volatile String problem;
    private volatile boolean running;
    private Thread thread;
    private BlockingClient master;
    private BlockingClient replica;
    private long seq;

    ReplicationProbe(String masterHost, int masterPort, String replicaHost, int replicaPort, String user,
                     String password, double timeoutSecs) {
        this.masterHost = masterHost;
        this.masterPort = masterPort;
        this.replicaHost = replicaHost;
        this.replicaPort = replicaPort;
        this.user = user;
        this.password = password;
        this.timeoutNs = (long) (Math.min(timeoutSecs, 5) * 1e9);
    }

    /** Connects both sides (failures are reported before any test starts). */
    void open() throws IOException {
        int ms = (int) Math.max(1000, timeoutNs / 1_000_000);
        master = BlockingClient.open(masterHost, masterPort, user, password, ms);
        try {
            replica = BlockingClient.open(replicaHost, replicaPort, user, password, ms);
        } catch (IOException e) {
            master.close();
            throw new IOException("replica: " + e.getMessage());
        }
        master.setTimeout(ms + 2000);
        replica.setTimeout(ms + 2000);
        // Wait (up to the timeout) for the replica's link to be up, so the first probes do not
        // measure the initial full sync.
        long deadline = System.nanoTime() + Math.max(timeoutNs, 5_000_000_000L);
        while (true) {
            Object info = replica.call("INFO", "replication");
            String text = info instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(info);
            if (text.contains("master_link_status:up")) return;
            if (text.contains("role:master")) {
                throw new IOException("replica: " + replicaHost + ":" + replicaPort + " is not a replica (role:master)");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("replica: " + replicaHost + ":" + replicaPort
                        + " is not in sync with its master (master_link_status is not up)");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    /** Probes in a background thread until {@link #stop}. */
    void start() {
        running = true;
        thread = new Thread(this::loop, "replication-probe");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        if (thread != null) thread.join(TimeUnit.NANOSECONDS.toMillis(timeoutNs) + 5000);
    }

    private void loop() {
        try {
            while (running) {
                long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
                probe();
                long sleep = next - System.nanoTime();
                if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
                if (problem != null) break;
            }
        } catch (IOException e) {
            problem = "probing stopped: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void probe() throws IOException {
        long n = ++seq;
        byte[] value = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
        boolean viaWait = (n & 1) == 0;
        long t0 = System.nanoTime();
        master.send("SET", KEY, Long.toString(n));
        if (viaWait) master.send("WAIT", "1", Long.toString(Math.max(1, timeoutNs / 1_000_000)));
        Object set = master.read();
        if (set instanceof ReplyParser.ErrorReply e) {
            problem = "the master refused the probe write: " + e.message();
            if (viaWait) master.read();
            return;
        }
        if (viaWait) {
            Object acked = master.read();
            long t1 = System.nanoTime();
            if (acked instanceof ReplyParser.ErrorReply e) {
                problem = "WAIT failed on the master: " + e.message();
                return;
            }
            if (acked instanceof Long l && l >= 1) {
                waited.recordValue(Math.min(Run.HIGHEST_NS, Math.max(1, t1 - t0)));
            } else {
                waitShort++;
            }
            return;
        }
        while (true) {
            Object r = replica.call("GET", KEY);
            long t1 = System.nanoTime();
            if (r instanceof byte[] b && Arrays.equals(b, value)) {
                visible.recordValue(Math.min(Run.HIGHEST_NS, Math.max(1, t1 - t0)));
                return;
            }
            if (r instanceof ReplyParser.ErrorReply e) {
                problem = "the replica answered GET with an error: " + e.message();
                return;
            }
            if (t1 - t0 > timeoutNs) {
                timeouts++;
                if (visible.getTotalCount() == 0 && timeouts >= 3) {
                    problem = "writes to " + masterHost + ":" + masterPort + " never became visible on "
                            + replicaHost + ":" + replicaPort + " (is it a replica of it?)";
                }
                return;
            }
            if (t1 - t0 > TimeUnit.MILLISECONDS.toNanos(2)) Thread.onSpinWait();
        }
    }

    LagResult result() {
        return new LagResult(masterHost + ":" + masterPort, replicaHost + ":" + replicaPort, visible, waited,
                timeouts, waitShort, problem);
    }

    @Override
    public void close() {
        if (master != null) {
            try {
                master.call("DEL", KEY);
            } catch (IOException ignored) {
                // best effort
            }
            master.close();
        }
        if (replica != null) replica.close();
    }
}
