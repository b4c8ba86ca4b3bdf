package io.tandem.server.commands;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HyperLogLogs against a real Redis 7.0: the same PFADD/PFCOUNT/PFMERGE sequences must give the
 * same replies and leave byte-identical strings (GET) after every command, through sparse
 * growth, the sparse-to-dense promotion and the cached cardinality; values made by Redis must
 * count and merge the same here; corrupt values must fail with the same errors.
 */
class HyperLogLogDifferentialTest {
    static RedisProcess redis;
    static TandemTestServer tandem;
    static RawResp r;
    static RawResp t;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start();
        tandem = TandemTestServer.start(Map.of());
        r = new RawResp(redis.port());
        t = new RawResp(tandem.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (r != null) r.close();
        if (t != null) t.close();
        if (tandem != null) tandem.close();
        if (redis != null) redis.close();
    }

    @BeforeEach
    void flush() throws Exception {
        for (RawResp c : new RawResp[] {r, t}) {
            c.call("FLUSHALL");
            c.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
        }
    }

    static String show(String raw) {
        StringBuilder sb = new StringBuilder();
        for (char ch : raw.toCharArray()) {
            if (ch >= 32 && ch < 127) sb.append(ch);
            else sb.append(String.format("\\x%02x", (int) ch));
        }
        return sb.toString();
    }

    static void same(List<String[]> cmds) throws Exception {
        List<String> a = r.pipeline(cmds);
        List<String> b = t.pipeline(cmds);
        for (int i = 0; i < cmds.size(); i++) {
            if (!a.get(i).equals(b.get(i))) {
                assertEquals(show(a.get(i)), show(b.get(i)), "reply to " + show(String.join(" ", cmds.get(i))));
            }
        }
    }

    static void same(String... cmd) throws Exception {
        same(List.<String[]>of(cmd));
    }

    static void sameAll(String[]... cmds) throws Exception {
        same(List.of(cmds));
    }

    static String[] cmd(String... a) {
        return a;
    }

    /** The bulk payload of a raw $ reply. */
    static String bulk(String raw) {
        assertTrue(raw.startsWith("$"), raw);
        int nl = raw.indexOf("\r\n");
        int n = Integer.parseInt(raw.substring(1, nl));
        return raw.substring(nl + 2, nl + 2 + n);
    }

    @Test
    void randomPfaddSequencesGiveIdenticalBytesAfterEveryCommand() throws Exception {
        Random rnd = new Random(20240607);
        String[] keys = {"h1", "h2", "h3"};
        for (int round = 0; round < 4; round++) {
            flush();
            // Small limits cross the sparse→dense promotion early; 3000 is the default.
            String limit = new String[] {"3000", "200", "50", "0"}[round];
            same("CONFIG", "SET", "hll-sparse-max-bytes", limit);
            int universe = 1 + rnd.nextInt(20000);
            for (int step = 0; step < 300; step++) {
                List<String[]> batch = new ArrayList<>();
                String key = keys[rnd.nextInt(keys.length)];
                int n = rnd.nextInt(8) == 0 ? rnd.nextInt(200) : rnd.nextInt(6);
                String[] add = new String[2 + n];
                add[0] = "PFADD";
                add[1] = key;
                for (int i = 0; i < n; i++) add[2 + i] = "e" + rnd.nextInt(universe);
                batch.add(add);
                batch.add(cmd("GET", key));
                if (rnd.nextInt(4) == 0) {
                    batch.add(cmd("PFCOUNT", key));
                    batch.add(cmd("GET", key));
                }
                if (rnd.nextInt(10) == 0) batch.add(cmd("PFCOUNT", "h1", "h2", "h3", "nokey"));
                if (rnd.nextInt(15) == 0) {
                    String dst = rnd.nextBoolean() ? "m" : keys[rnd.nextInt(keys.length)];
                    batch.add(cmd("PFMERGE", dst, keys[rnd.nextInt(keys.length)], keys[rnd.nextInt(keys.length)]));
                    batch.add(cmd("GET", dst));
                    batch.add(cmd("PFCOUNT", dst));
                    batch.add(cmd("GET", dst));
                }
                same(batch);
            }
            for (String k : keys) sameAll(cmd("PFDEBUG", "ENCODING", k), cmd("PFCOUNT", k), cmd("OBJECT", "ENCODING", k), cmd("GET", k));
            same("DEBUG", "DIGEST");
        }
    }

    @Test
    void promotionAtEveryLimitOneElementAtATime() throws Exception {
        for (int limit = 17; limit <= 48; limit++) {
            flush();
            same("CONFIG", "SET", "hll-sparse-max-bytes", Integer.toString(limit));
            List<String[]> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(cmd("PFADD", "k", "el" + i));
                batch.add(cmd("GET", "k"));
            }
            same(batch);
        }
    }

    @Test
    void largeCardinalitiesAndDenseMerges() throws Exception {
        List<String[]> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String[] add = new String[2 + 500];
            add[0] = "PFADD";
            add[1] = "big" + (i % 3);
            for (int j = 0; j < 500; j++) add[2 + j] = Integer.toString(i * 500 + j);
            batch.add(add);
        }
        same(batch);
        sameAll(cmd("PFCOUNT", "big0"), cmd("PFCOUNT", "big1", "big2"), cmd("PFCOUNT", "big0", "big1", "big2"),
                cmd("GET", "big0"), cmd("PFADD", "small", "a", "b", "c"), cmd("PFMERGE", "small", "big1"), cmd("GET", "small"),
                cmd("PFMERGE", "new", "small", "big0", "big2"), cmd("GET", "new"), cmd("PFCOUNT", "new"), cmd("GET", "new"),
                cmd("PFMERGE", "empty"), cmd("GET", "empty"), cmd("PFMERGE", "empty2", "nokey"), cmd("GET", "empty2"),
                cmd("PFADD", "noelems"), cmd("GET", "noelems"), cmd("PFADD", "noelems"), cmd("PFCOUNT", "noelems"),
                cmd("GET", "noelems"));
    }

    @Test
    void valuesMadeByRedisWorkHere() throws Exception {
        Random rnd = new Random(7);
        List<String[]> batch = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            int n = new int[] {3, 300, 3000, 30000}[k];
            for (int i = 0; i < n; i += 400) {
                int m = Math.min(400, n - i);
                String[] add = new String[2 + m];
                add[0] = "PFADD";
                add[1] = "src" + k;
                for (int j = 0; j < m; j++) add[2 + j] = "x" + rnd.nextLong();
                batch.add(add);
            }
        }
        r.pipeline(batch);
        for (int k = 0; k < 4; k++) {
            String v = bulk(r.call("GET", "src" + k));
            t.call("SET", "src" + k, v);
            // Tandem holds Redis's bytes now: PFADD, PFCOUNT, PFMERGE must go on identically.
            sameAll(cmd("GET", "src" + k), cmd("PFCOUNT", "src" + k), cmd("GET", "src" + k), cmd("OBJECT", "ENCODING", "src" + k));
        }
        sameAll(cmd("PFCOUNT", "src0", "src1", "src2", "src3"), cmd("PFMERGE", "all", "src0", "src1", "src2", "src3"),
                cmd("GET", "all"), cmd("PFCOUNT", "all"), cmd("PFADD", "src1", "more", "elements", "here"), cmd("GET", "src1"),
                cmd("PFADD", "src3", "more", "elements", "here"), cmd("GET", "src3"), cmd("DEBUG", "DIGEST"));
    }

    static String header(int enc) {
        return "HYLL" + (char) enc + "\0\0\0" + "\0\0\0\0\0\0\0\0";
    }

    @Test
    void corruptAndForeignValuesFailTheSameWay() throws Exception {
        String dense = header(0) + "\0".repeat(12288);
        String denseWithCache = "HYLL\0\0\0\0\u0007\0\0\0\0\0\0\0" + "\u00ff".repeat(12288);
        String[] values = {
            "", "HYLL", "HYLL\u0001\0\0", header(1), header(2) + "\u007f\u00ff", "HYLX\u0001\0\0\0\0\0\0\0\0\0\0\0\u007f\u00ff",
            header(1) + "\u007f\u00fe", // covers 16383 registers
            header(1) + "\u007f\u00ff\u0000", // one too many
            header(1) + "\u007f", // truncated XZERO
            header(1) + "\u00ff\u007f\u00fb", // VAL of 4, then XZERO 16380
            header(1) + "\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f\u00ff", // overflow by VAL runs
            header(1) + "\u0000".repeat(256), // 256 ZERO runs of 1 = 256 registers only
            header(1) + "\u003f".repeat(256), // 256 × 64 = 16384 exactly
            "HYLL\u0001\0\0\0\u0005\0\0\0\0\0\0\0" + "\u007f\u00fe", // corrupt but cached cardinality valid
            dense, dense + "x", dense.substring(1), denseWithCache,
            "HYLL\0\0\0\0\0\0\0\0\0\0\0\u0080" + "\u00ff".repeat(12288),
            "123456789012345678", "just a string that is long enough",
        };
        for (int i = 0; i < values.length; i++) {
            for (String[] op : new String[][] {{"PFADD", "v", "a", "b", "c"}, {"PFADD", "v"}, {"PFCOUNT", "v"},
                {"PFCOUNT", "v", "nokey"}, {"PFMERGE", "v", "nokey"}, {"PFMERGE", "dst", "v"}, {"PFDEBUG", "ENCODING", "v"},
                {"PFDEBUG", "DECODE", "v"}, {"PFDEBUG", "TODENSE", "v"}, {"PFDEBUG", "GETREG", "v"}}) {
                flush();
                sameAll(cmd("SET", "v", values[i]), op, cmd("GET", "v"), cmd("GET", "dst"), cmd("EXISTS", "dst"));
            }
        }
        sameAll(cmd("RPUSH", "list", "a"), cmd("PFADD", "list", "x"), cmd("PFCOUNT", "list"), cmd("PFCOUNT", "list", "x"),
                cmd("PFMERGE", "list"), cmd("PFMERGE", "x", "list"), cmd("PFDEBUG", "ENCODING", "nokey"), cmd("PFDEBUG", "FOO", "list"),
                cmd("PFADD", "h", "a"), cmd("PFDEBUG", "FOO", "h"), cmd("PFDEBUG", "DECODE", "h", "extra"), cmd("PFDEBUG", "DECODE", "h"),
                cmd("PFCOUNT"), cmd("PFADD"), cmd("PFMERGE"));
    }

    @Test
    void registersAboveThirtyTwoPromoteAtOnce() throws Exception {
        // A sparse HLL whose register 0 must take 33: set through PFMERGE from a dense source.
        String dense = header(0) + (char) 33 + "\0".repeat(12287);
        sameAll(cmd("SET", "d", dense), cmd("PFADD", "s", "a"), cmd("PFMERGE", "s", "d"), cmd("GET", "s"), cmd("PFCOUNT", "s", "d"),
                cmd("PFCOUNT", "d"), cmd("GET", "d"), cmd("PFDEBUG", "GETREG", "d"));
    }
}
