package io.tandem.server.persist;

import io.tandem.server.testing.TandemTestServer;
import io.tandem.storage.testing.RedisProcess.Client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Helpers for the persistence tests: a server on a data directory, a dataset of every type, INFO fields. */
final class PersistTesting {
    private PersistTesting() {}

    static TandemTestServer start(Path dir, String... kv) {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("dir", dir.toString());
        cfg.put("dbfilename", "dump.rdb");
        for (int i = 0; i < kv.length; i += 2) cfg.put(kv[i], kv[i + 1]);
        return TandemTestServer.start(cfg);
    }

    static Client connect(TandemTestServer s) throws IOException {
        return Client.connect("127.0.0.1", s.port());
    }

    static String str(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    static String info(Client c, String field) throws IOException {
        for (String line : str(c.call("INFO", "persistence")).split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        throw new AssertionError("no INFO field " + field);
    }

    /** Waits until no BGSAVE runs; returns rdb_last_bgsave_status. */
    static String awaitBgsave(Client c) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (info(c, "rdb_bgsave_in_progress").equals("0")) return info(c, "rdb_last_bgsave_status");
            Thread.sleep(10);
        }
        throw new AssertionError("BGSAVE did not finish");
    }

    /**
     * Keys of every type and encoding Tandem has (no sorted sets on this branch): strings
     * (int, short, LZF-compressible, big), hashes (listpack, hashtable), lists (one node,
     * on-heap), sets (intset, small hashtable, big), a HyperLogLog, TTLs, in databases 0, 3, 9.
     */
    /** Keys {@link #populate} creates in each of dbs 0, 3 and 9. */
    static final long KEYS_PER_DB = 518;

    static void populate(Client c) throws IOException {
        for (int db : new int[] {0, 3, 9}) {
            c.call("SELECT", db);
            String p = "db" + db + ":";
            List<Object[]> cmds = new ArrayList<>();
            cmds.add(new Object[] {"SET", p + "int", "12345"});
            cmds.add(new Object[] {"SET", p + "neg", "-4294967296"});
            cmds.add(new Object[] {"SET", p + "text", "hello world"});
            cmds.add(new Object[] {"SET", p + "lzf", "abcdefgh".repeat(500)});
            cmds.add(new Object[] {"SET", p + "big", "x".repeat(20_000) + "y"});
            cmds.add(new Object[] {"SET", p + "empty", ""});
            cmds.add(new Object[] {"SET", p + "ttl", "v", "PX", "3600000"});
            cmds.add(new Object[] {"HSET", p + "hsmall", "a", "1", "b", "2", "c", "three"});
            for (int i = 0; i < 300; i++) cmds.add(new Object[] {"HSET", p + "hbig", "f" + i, "v" + i});
            cmds.add(new Object[] {"HSET", p + "hlong", "f", "z".repeat(100)});
            cmds.add(new Object[] {"RPUSH", p + "lsmall", "a", "b", "1", "2"});
            for (int i = 0; i < 2000; i++) cmds.add(new Object[] {"RPUSH", p + "lbig", "element-" + i});
            cmds.add(new Object[] {"SADD", p + "sint", "1", "2", "3", "-5", "100000"});
            cmds.add(new Object[] {"SADD", p + "ssmall", "a", "b", "c"});
            for (int i = 0; i < 400; i++) cmds.add(new Object[] {"SADD", p + "sbig", "member-" + i});
            for (int i = 0; i < 100; i++) cmds.add(new Object[] {"PFADD", p + "hll", "e" + i});
            cmds.add(new Object[] {"ZADD", p + "zsmall", "1.5", "a", "-inf", "b", "3", "c"});
            for (int i = 0; i < 300; i++) cmds.add(new Object[] {"ZADD", p + "zbig", Double.toString(i * 0.5 - 20), "m" + i});
            cmds.add(new Object[] {"PEXPIRE", p + "hbig", "7200000"});
            cmds.add(new Object[] {"PEXPIRE", p + "lbig", "7200000"});
            cmds.add(new Object[] {"PEXPIRE", p + "sint", "7200000"});
            cmds.add(new Object[] {"PEXPIRE", p + "zbig", "7200000"});
            for (int i = 0; i < 500; i++) cmds.add(new Object[] {"SET", p + "k" + i, "value-" + i});
            for (Object r : c.pipeline(cmds)) {
                if (r instanceof RuntimeException e) throw e;
            }
        }
        c.call("SELECT", 0);
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
