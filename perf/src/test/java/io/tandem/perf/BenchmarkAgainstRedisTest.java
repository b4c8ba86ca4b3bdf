package io.tandem.perf;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/** tandem-benchmark against a real redis-server, plus what needs two Redis processes (compare, replica lag). */
class BenchmarkAgainstRedisTest extends BenchmarkContract {
    static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        System.setProperty("java.awt.headless", "true");
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) redis.close();
    }

    @Override
    int serverPort() {
        return redis.port;
    }

    @Test
    void compareTwoServersAndMeasureReplicationLag() throws Exception {
        try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", port())) {
            // Let the replica finish its initial sync.
            long deadline = System.nanoTime() + 10_000_000_000L;
            try (BlockingClient c = new BlockingClient("127.0.0.1", replica.port, 2000)) {
                while (!new String((byte[]) c.call("INFO", "replication")).contains("master_link_status:up")) {
                    assertTrue(System.nanoTime() < deadline, "replica did not sync");
                    Thread.sleep(50);
                }
            }
            Cli cmp = Cli.run("-p", port(), "-q", "-c", "4", "-n", "2000", "-t", "get",
                    "--compare", "127.0.0.1:" + replica.port, "--rounds", "2");
            assertEquals(0, cmp.status(), cmp::toString);
            assertTrue(cmp.out().contains("ratio"), cmp::toString);
            assertTrue(cmp.out().matches("(?s).*throughput:\\s+\\d+\\s+\\d+\\s+[0-9.]+.*"), cmp::toString);
            for (String row : Result.LABELS) assertTrue(cmp.out().contains(row + " (ms)"), cmp::toString);

            Cli lag = Cli.run("-p", port(), "-q", "-c", "4", "--duration", "2", "-t", "set",
                    "--replica", "127.0.0.1:" + replica.port);
            assertEquals(0, lag.status(), lag::toString);
            assertTrue(lag.out().contains("replication lag"), lag::toString);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("visible: .*\\((\\d+) probes").matcher(lag.out());
            assertTrue(m.find(), lag::toString);
            assertTrue(Integer.parseInt(m.group(1)) > 10, lag::toString);
            assertFalse(lag.out().contains("note:"), lag::toString);
        }
    }
}
