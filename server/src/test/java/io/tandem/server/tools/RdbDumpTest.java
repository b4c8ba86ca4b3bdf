package io.tandem.server.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.server.util.Json;
import io.tandem.storage.testing.RedisProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tandem-rdb dump in every format, on the golden RDB of a real Redis 7.0.15. */
class RdbDumpTest {
    @TempDir
    Path tmp;

    static Path golden(String name) {
        return io.tandem.server.testing.GoldenFiles.path("rdb/" + name);
    }

    record Run(int rc, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    static Run tool(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = RdbToolMain.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8), null);
        return new Run(rc, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static String all() {
        return golden("all-types.rdb").toString();
    }

    @Test
    void keysWithFilters() {
        Run r = tool("dump", "--format", "keys", all());
        assertEquals(0, r.rc(), r.err());
        assertEquals(20, r.text().split("\n").length);
        assertEquals("db5:l\n", tool("dump", "--format", "keys", "--db", "5", all()).text());
        assertEquals(7, tool("dump", "--format", "keys", "--match", "str:*", all()).text().split("\n").length);
        assertEquals(4, tool("dump", "--format", "keys", "--type", "hash", all()).text().split("\n").length);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonIsValidAndComplete() {
        Run r = tool("dump", "--format", "json", all());
        assertEquals(0, r.rc(), r.err());
        List<Object> keys = (List<Object>) Json.parse(r.text());
        assertEquals(20, keys.size());
        Map<String, Object> byKey = new java.util.HashMap<>();
        for (Object o : keys) byKey.put((String) ((Map<String, Object>) o).get("key"), o);
        Map<String, Object> z = (Map<String, Object>) byKey.get("zset:small");
        assertEquals("zset", z.get("type"));
        Map<String, Object> scores = (Map<String, Object>) z.get("value");
        assertEquals("inf", scores.get("d"));
        assertEquals(2.5, ((Number) scores.get("b")).doubleValue());
        Map<String, Object> e = (Map<String, Object>) byKey.get("exp:k");
        assertEquals(4102444800000L, ((Number) e.get("expireat")).longValue());
        assertEquals(3000, ((List<Object>) ((Map<String, Object>) byKey.get("list:big")).get("value")).size());
        assertEquals(5L, ((Number) ((Map<String, Object>) byKey.get("db5:l")).get("db")).longValue());
        String bin = (String) ((Map<String, Object>) byKey.get("str:bin")).get("value");
        assertEquals(256, bin.length());
        for (int i = 0; i < 256; i++) assertEquals(i, bin.charAt(i));
        assertEquals("[]\n", tool("dump", "--format", "json", "--db", "9", all()).text());
    }

    @Test
    void memoryReportIsCsvWithSummary() {
        Run r = tool("dump", "--format", "memory", "--top", "3", all());
        assertEquals(0, r.rc(), r.err());
        String[] lines = r.text().split("\n");
        assertEquals("database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry", lines[0]);
        assertEquals(21, lines.length);
        String lzf = java.util.Arrays.stream(lines).filter(l -> l.startsWith("0,string,str:lzf,")).findFirst().orElseThrow();
        String[] f = lzf.split(",");
        assertTrue(Long.parseLong(f[3]) > 3000, lzf);
        assertEquals("raw", f[4]);
        assertTrue(r.text().contains("0,set,set:int,") && r.text().contains(",intset,5,6,"), r.text());
        assertTrue(r.text().contains(",2100-01-01T00:00:00Z"), r.text());
        assertTrue(r.err().contains("# top 3 keys by size:"), r.err());
        assertTrue(r.err().contains("list:big"), r.err());
    }

    @Test
    void streamKeysAreListedButLeftOutOfValueFormats() {
        String f = golden("streams.rdb").toString();
        assertEquals("empty\ns\n", tool("dump", "--format", "keys", "--type", "stream", f).text());
        Run r = tool("dump", "--format", "resp", f);
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("2 stream keys left out"), r.err());
    }

    @Test
    void damagedInputFailsWithOffsetAndUsageErrors() {
        Run r = tool("dump", "--format", "json", golden("truncated-in-value.rdb").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("--- RDB ERROR DETECTED ---") && r.err().contains("[offset 4097]"), r.err());
        assertTrue(r.err().contains("Reading key 'list:big'"), r.err());
        assertEquals(1, tool("dump", "--format", "xml", all()).rc());
        assertEquals(1, tool("dump", all()).rc());
        assertEquals(1, tool("dump", "--format", "keys", tmp.resolve("missing.rdb").toString()).rc());
        assertEquals(1, tool().rc());
    }

    /** The memory estimate against MEMORY USAGE of a real redis-server that loaded the same file. */
    @Test
    void memoryEstimateIsCloseToRedisMemoryUsage() throws Exception {
        Run r = tool("dump", "--format", "memory", "--db", "0", all());
        assertEquals(0, r.rc(), r.err());
        Path dir = Files.createDirectories(tmp.resolve("mem"));
        Files.copy(golden("all-types.rdb"), dir.resolve("dump.rdb"));
        StringBuilder report = new StringBuilder();
        int far = 0;
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "dump.rdb")) {
            String[] lines = r.text().split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split(",");
                long ours = Long.parseLong(f[3]);
                long theirs = (Long) redis.call("MEMORY", "USAGE", f[2], "SAMPLES", "0");
                report.append(f[2]).append(": ").append(ours).append(" vs ").append(theirs).append('\n');
                if (Math.abs(ours - theirs) > Math.max(48, theirs / 4)) far++;
                String encoding = redis.callString("OBJECT", "ENCODING", f[2]);
                assertEquals(encoding, f[4], f[2]);
            }
        }
        assertEquals(0, far, report.toString());
    }

    /** Truncations and bit flips: every format fails with an offset, never an internal error. */
    @Test
    void damagedFilesFailCleanlyInEveryFormat() throws IOException {
        byte[] all = Files.readAllBytes(golden("all-types.rdb"));
        java.util.Random rnd = new java.util.Random(3);
        Path f = tmp.resolve("bad.rdb");
        String[] formats = {"keys", "json", "resp", "memory"};
        for (int i = 0; i < 200; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = java.util.Arrays.copyOf(all, rnd.nextInt(all.length));
            } else {
                b = all.clone();
                int pos = 9 + rnd.nextInt(b.length - 9);
                b[pos] ^= (byte) (1 << rnd.nextInt(8));
            }
            Files.write(f, b);
            Run r = tool("dump", "--format", formats[i % 4], f.toString());
            assertEquals(1, r.rc(), "case " + i + ": " + r.err());
            assertTrue(r.err().contains("[offset ") || r.err().contains("Cannot"), r.err());
            assertTrue(!r.err().contains("internal error"), r.err());
        }
    }

    /** dump --format resp replayed into a real redis-server gives the dataset Redis loads from the file. */
    @Test
    void respReplayedIntoRedisEqualsTheOriginal() throws Exception {
        Run r = tool("dump", "--format", "resp", all());
        assertEquals(0, r.rc(), r.err());
        Path dir = Files.createDirectories(tmp.resolve("orig"));
        Files.copy(golden("all-types.rdb"), dir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
        try (RedisProcess original = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "dump.rdb");
                RedisProcess replayed = RedisProcess.start()) {
            assertEquals(18L, original.call("DBSIZE"));
            pipe(replayed, r.out());
            assertEquals(original.callString("DEBUG", "DIGEST"), replayed.callString("DEBUG", "DIGEST"));
            assertTrue((Long) replayed.call("PTTL", "exp:k") > 0);
        }
    }

    /** Sends raw RESP, then reads and checks one reply per command (no error replies). */
    static void pipe(RedisProcess redis, byte[] resp) throws IOException {
        try (Socket s = new Socket(redis.host(), redis.port())) {
            OutputStream o = s.getOutputStream();
            o.write(resp);
            o.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            var in = new java.io.BufferedInputStream(s.getInputStream());
            StringBuilder line = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) throw new IOException("connection closed");
                if (c == '\n') {
                    String l = line.toString().trim();
                    if (l.startsWith("-")) throw new AssertionError("error reply: " + l);
                    if (l.equals("+PONG")) return;
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
        }
    }
}
