package io.tandem.server.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/tandem-check-rdb, bin/tandem-check-aof and bin/tandem-rdb run as a user runs them (after
 * {@code package}): exit codes, output on stdout, diagnostics on stderr, no stack traces, no
 * progress bar when stderr is not a terminal, files unchanged without --fix.
 */
class ToolLaunchersIT {
    static final Path ROOT = LauncherIT.ROOT;
    static final Path RDB = ROOT.resolve("storage/src/test/resources/rdb");
    static final Path AOF = ROOT.resolve("storage/src/test/resources/aof");

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result run(String stdin, String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/" + tool).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.start();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(tool + " did not finish");
        }
        t.join();
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void noStackTrace(Result r) {
        assertFalse(r.out().contains("\tat ") || r.err().contains("\tat ") || r.err().contains("Exception in thread"), r.out() + r.err());
    }

    @Test
    void checkRdb() throws Exception {
        Result ok = run("", "tandem-check-rdb", RDB.resolve("all-types.rdb").toString());
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertTrue(ok.out().contains("\\o/ RDB looks OK! \\o/"), ok.out());
        assertFalse(ok.err().contains("%"), "no progress bar when stderr is not a terminal: " + ok.err());
        Result bad = run("", "tandem-check-rdb", RDB.resolve("truncated-in-value.rdb").toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.out().contains("[offset 4097] Unexpected EOF reading RDB file"), bad.out());
        noStackTrace(bad);
    }

    @Test
    void checkAofAndFix() throws Exception {
        Path f = dir.resolve("t.aof");
        Files.copy(AOF.resolve("truncated-in-multi.aof"), f);
        byte[] before = Files.readAllBytes(f);
        Result r = run("", "tandem-check-aof", f.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("ok_up_to=3253"), r.out());
        assertArrayEquals(before, Files.readAllBytes(f));
        r = run("n\n", "tandem-check-aof", "--fix", f.toString());
        assertEquals(1, r.exit());
        assertArrayEquals(before, Files.readAllBytes(f));
        r = run("y\n", "tandem-check-aof", "--fix", f.toString());
        assertEquals(0, r.exit(), r.out());
        assertEquals(3253, Files.size(f));
        noStackTrace(r);
    }

    @Test
    void rdbDumpAndAofToRdb() throws Exception {
        Result json = run("", "tandem-rdb", "dump", "--format", "json", RDB.resolve("all-types.rdb").toString());
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().startsWith("[\n{\"db\":0,"), json.out());
        assertFalse(json.out().contains("INFO") || json.out().contains("DEBUG"), "no log lines on stdout");
        Path out = dir.resolve("out.rdb");
        Result conv = run("", "tandem-rdb", "aof-to-rdb", AOF.resolve("multipart-rdb-base/appendonly.aof.manifest").toString(), out.toString());
        assertEquals(0, conv.exit(), conv.err());
        assertEquals("", conv.out());
        assertEquals(0, run("", "tandem-check-rdb", out.toString()).exit());
        Result bad = run("", "tandem-rdb", "dump", "--format", "resp", RDB.resolve("bitflip-structure.rdb").toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--- RDB ERROR DETECTED ---"), bad.err());
        noStackTrace(bad);
    }
}
