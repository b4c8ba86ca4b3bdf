package io.tandem.storage.rdb;

import static io.tandem.storage.rdb.RdbTestData.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbSet;
import io.tandem.storage.rdb.RdbValue.RdbString;
import io.tandem.storage.rdb.RdbValue.RdbZSet;
import io.tandem.storage.collection.Listpack;
import io.tandem.storage.testing.RedisProcess;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tandem's writer against the real redis-check-rdb and redis-server 7.0.15, and DUMP payloads both ways. */
class RdbRedisInteropTest {
    @TempDir
    Path dir;

    /** Every value form the writer emits: fast-path bytes and element lists, for every type. */
    static TreeMap<Integer, LinkedHashMap<String, RdbEntry>> writerData() {
        TreeMap<Integer, LinkedHashMap<String, RdbEntry>> dbs = allTypes();
        LinkedHashMap<String, RdbEntry> d0 = dbs.get(0);
        List<byte[]> lpList = bl("p", "q", "12", "-9000", "x".repeat(5000));
        d0.put("w:list:lp", RdbEntry.of(0, b("w:list:lp"), RdbList.ofListpack(Listpack.encode(lpList)), -1));
        d0.put("w:hash:lp", RdbEntry.of(0, b("w:hash:lp"), RdbHash.ofListpack(Listpack.encode(bl("a", "1", "b", "2"))), -1));
        d0.put("w:zset:lp", RdbEntry.of(0, b("w:zset:lp"), RdbZSet.ofListpack(Listpack.encode(bl("a", "1", "b", "2.5"))), -1));
        d0.put("w:set:intset", RdbEntry.of(0, b("w:set:intset"), RdbSet.ofIntset(Intsets.encode(new long[] {5, -70000, 3})), -1));
        List<byte[]> rnd = new ArrayList<>();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 50; i++) {
            byte[] x = new byte[random.nextInt(40000)];
            random.nextBytes(x);
            if (i % 2 == 0) java.util.Arrays.fill(x, 0, x.length / 2, (byte) 'a'); // half compressible
            rnd.add(x);
        }
        for (int i = 0; i < rnd.size(); i++) {
            d0.put("w:rnd:" + i, RdbEntry.of(0, b("w:rnd:" + i), new RdbString(rnd.get(i)), -1));
        }
        d0.put("w:big:list", RdbEntry.of(0, b("w:big:list"), RdbList.of(rnd), -1));
        return dbs;
    }

    private Path write(Map<Integer, LinkedHashMap<String, RdbEntry>> data, boolean compress, boolean checksum) throws Exception {
        Path file = dir.resolve("tandem.rdb");
        try (OutputStream out = Files.newOutputStream(file)) {
            RdbFileWriter w = new RdbFileWriter(RdbSink.of(out), compress, checksum);
            w.header();
            w.standardAux("7.0.15", 1234567, 0, "0123456789abcdef0123456789abcdef01234567", 42, false);
            for (var db : data.entrySet()) {
                w.selectDb(db.getKey());
                long expires = db.getValue().values().stream().filter(e -> e.expireAtMs() >= 0).count();
                w.resizeDb(db.getValue().size(), expires);
                for (RdbEntry e : db.getValue().values()) w.entry(e);
            }
            w.finish();
        }
        return file;
    }

    @Test
    void writerOutputPassesRedisCheckRdbAndLoadsInRedis() throws Exception {
        RedisProcess.requireBinary();
        for (boolean compress : new boolean[] {true, false}) {
            TreeMap<Integer, LinkedHashMap<String, RdbEntry>> data = writerData();
            Path file = write(data, compress, true);
            // our own reader agrees
            assertSameData(data, load(Files.newInputStream(file)));

            Process check = new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(check.waitFor(30, TimeUnit.SECONDS));
            assertTrue(out.contains("RDB looks OK"), out);
            assertEquals(0, check.exitValue(), out);

            try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "tandem.rdb")) {
                assertEquals(datasetDigest(data), redis.callString("DEBUG", "DIGEST"), redis.logs());
                assertEquals((long) data.get(0).size(), redis.call("DBSIZE"));
                assertEquals("hello", redis.callString("GET", "str:short"));
                assertEquals(EXPIRE_AT, redis.call("PEXPIRETIME", "exp:k"));
                assertEquals("listpack", redis.callString("OBJECT", "ENCODING", "w:hash:lp"));
                assertEquals("intset", redis.callString("OBJECT", "ENCODING", "w:set:intset"));
                // and Redis's own save of what it loaded reads back identically here
                redis.call("SAVE");
                assertSameData(data, load(Files.newInputStream(file)));
            }
        }
    }

    @Test
    void noChecksumFileLoadsInRedis() throws Exception {
        RedisProcess.requireBinary();
        TreeMap<Integer, LinkedHashMap<String, RdbEntry>> data = allTypes();
        Path file = write(data, true, false);
        byte[] all = Files.readAllBytes(file);
        for (int i = 1; i <= 8; i++) assertEquals(0, all[all.length - i]);
        try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "tandem.rdb")) {
            assertEquals(datasetDigest(data), redis.callString("DEBUG", "DIGEST"));
        }
    }

    @Test
    void dumpPayloadsMoveBothWays() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            TreeMap<Integer, LinkedHashMap<String, RdbEntry>> data = writerData();
            for (RdbEntry e : data.get(0).values()) {
                // Tandem -> Redis
                byte[] ours = RdbDump.create(e.value(), true);
                redis.call("RESTORE", e.key(), 0, ours, "REPLACE");
                assertEquals(DatasetDigest_valueHex(e.value()), digestValue(redis, e.key()), new String(e.key(), StandardCharsets.UTF_8));
                // Redis -> Tandem
                byte[] theirs = (byte[]) redis.call("DUMP", e.key());
                RdbValue back = RdbDump.parse(theirs);
                assertSameValue(e.value(), back, new String(e.key(), StandardCharsets.UTF_8));
            }
        }
    }

    private static String DatasetDigest_valueHex(RdbValue v) {
        return digest(v).hex(false);
    }

    private static String digestValue(RedisProcess redis, byte[] key) {
        Object r = redis.call("DEBUG", "DIGEST-VALUE", key);
        Object first = ((List<?>) r).get(0);
        return first instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) first;
    }

    @Test
    void lzfAgreesWithRedisBothWays() throws Exception {
        // a string Redis compressed (in the golden file) decodes; ours is accepted by Redis above
        byte[] s = "abc".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        byte[] c = Lzf.compress(s);
        assertTrue(c != null && c.length < 100);
        assertEquals(new String(s, StandardCharsets.US_ASCII), new String(Lzf.decompress(c, s.length), StandardCharsets.US_ASCII));
        assertEquals(null, Lzf.compress(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    }
}
