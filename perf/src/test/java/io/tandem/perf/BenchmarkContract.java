package io.tandem.perf;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What tandem-benchmark must do against any RESP server: run every test closed loop, hold a fixed
 * rate, write logs and plots that read back, and expose a stall that a closed loop hides. Run
 * against a real redis-server and against Tandem by the subclasses.
 */
abstract class BenchmarkContract {
    /** The port of the server under test. */
    abstract int serverPort();

    String port() {
        return Integer.toString(serverPort());
    }

    @Test
    void closedLoopRunsEveryTest() {
        Cli c = Cli.run("-p", port(), "-q", "-c", "8", "-n", "2000", "-r", "1000",
                "-t", "ping,set,get,incr,lpush,rpop,sadd,hset,zadd,lrange,mset,mixed");
        assertEquals(0, c.status(), c::toString);
        assertEquals(12, c.throughputs().length, c::toString);
        for (double t : c.throughputs()) assertTrue(t > 0, c::toString);
        for (String name : new String[] {"PING", "SET", "GET", "INCR", "LPUSH", "RPOP", "SADD", "HSET", "ZADD",
                "LRANGE_100", "MSET (10 keys)", "MIXED (SET:GET 1:10)"}) {
            assertTrue(c.out().contains("====== " + name + " ======"), name);
        }
        for (String row : Result.LABELS) assertTrue(c.row(row, 0) > 0, row);
        // Every test's summary line, not just one of them, must report all requests and no errors.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) requests completed in [0-9.]+ s, (\\d+) errors")
                .matcher(c.out());
        int summaries = 0;
        while (m.find()) {
            summaries++;
            assertEquals("2000", m.group(1), c::toString);
            assertEquals("0", m.group(2), c::toString);
        }
        assertEquals(12, summaries, c::toString);
        assertTrue(c.row("p50", 0) <= c.row("p99", 0) && c.row("p99", 0) <= c.row("max", 0));
    }

    @Test
    void fixedRateIsHeldWithinTenPercentAndLogsParseBack(@TempDir Path dir) throws Exception {
        Path hlog = dir.resolve("run.hlog");
        Path png = dir.resolve("run.png");
        Cli c = Cli.run("-p", port(), "-q", "-c", "10", "-t", "set,get", "--rate", "3000", "--duration", "2",
                "-r", "10000", "--key-pattern", "zipf:0.99", "--hdr-out", hlog.toString(), "--plot", png.toString());
        assertEquals(0, c.status(), c::toString);
        for (double t : c.throughputs()) assertEquals(3000, t, 300, c::toString);

        // The .hlog reads back with HdrHistogram, one tag per test, and holds every request.
        HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        long set = 0;
        long get = 0;
        EncodableHistogram h;
        while ((h = reader.nextIntervalHistogram()) != null) {
            if ("SET".equals(h.getTag())) set += ((Histogram) h).getTotalCount();
            if ("GET".equals(h.getTag())) get += ((Histogram) h).getTotalCount();
        }
        assertEquals(6000, set, 300);
        assertEquals(6000, get, 300);

        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "not a PNG");
        assertEquals(1000, img.getWidth());
        assertEquals(600, img.getHeight());
    }

    /**
     * The test that proves coordinated-omission correction: the server sleeps 1 s in the middle of
     * a run. At a fixed rate every request due during the stall is late, so the high percentiles are
     * about a second; a closed loop only sees one slow request per connection and hides it.
     */
    @Test
    void aStalledServerShowsAtFixedRateButHidesInClosedLoop() throws Exception {
        Cli fixed = runWithStall("--rate", "1000", "--duration", "3");
        Cli closed = runWithStall("--duration", "3");
        assertEquals(0, fixed.status(), fixed::toString);
        assertEquals(0, closed.status(), closed::toString);
        double fixedP99 = fixed.row("p99", 0);
        double fixedMax = fixed.row("max", 0);
        double closedP99 = closed.row("p99", 0);
        double closedMax = closed.row("max", 0);
        System.out.printf("fixed rate: p90 %.3f p99 %.3f p99.9 %.3f max %.3f ms%n", fixed.row("p90", 0), fixedP99,
                fixed.row("p99.9", 0), fixedMax);
        System.out.printf("closed loop: p90 %.3f p99 %.3f p99.9 %.3f max %.3f ms%n", closed.row("p90", 0), closedP99,
                closed.row("p99.9", 0), closedMax);
        assertTrue(fixedP99 >= 900, fixed::toString);       // ~ 970 ms expected
        assertTrue(fixedMax >= 1000, fixed::toString);
        assertTrue(closedMax >= 900, closed::toString);     // the stall was there...
        assertTrue(closedP99 < 500, closed::toString);      // ...and the closed loop's p99 hides it
    }

    private Cli runWithStall(String... timing) throws Exception {
        CompletableFuture<Object> stall = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(1000);
                try (BlockingClient c = new BlockingClient("127.0.0.1", serverPort(), 5000)) {
                    return c.call("DEBUG", "SLEEP", "1");
                }
            } catch (Exception e) {
                return e;
            }
        });
        String[] args = new String[6 + timing.length];
        System.arraycopy(new String[] {"-p", port(), "-q", "-c", "4", "-t", }, 0, args, 0, 6);
        args = java.util.Arrays.copyOf(args, 7 + timing.length);
        args[6] = "set";
        System.arraycopy(timing, 0, args, 7, timing.length);
        Cli c = Cli.run(args);
        assertEquals("OK", stall.get(), "DEBUG SLEEP failed");
        return c;
    }

    @Test
    void customTemplateJsonAndSelfTest() {
        Cli c = Cli.run("-p", port(), "-q", "-c", "4", "-n", "1000", "-d", "16", "-r", "100", "--json",
                "--", "SET", "custom:__rand_int__", "__data__");
        assertEquals(0, c.status(), c::toString);
        assertTrue(c.out().trim().startsWith("{") && c.out().trim().endsWith("}"), c::toString);
        assertTrue(c.out().contains("\"test\": \"SET custom:__rand_int__ __data__\""), c::toString);
        assertTrue(c.out().contains("\"requests\": 1000"), c::toString);
        assertTrue(c.out().contains("\"p99.99\""), c::toString);

        Cli self = Cli.run("--self-test", "-q", "-c", "10", "-n", "20000", "-t", "ping,set");
        assertEquals(0, self.status(), self::toString);
        assertEquals(2, self.throughputs().length, self::toString);
        assertTrue(self.out().contains("self-test"), self::toString);
    }
}
