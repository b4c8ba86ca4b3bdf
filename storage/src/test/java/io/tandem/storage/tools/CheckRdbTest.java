package io.tandem.storage.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tandem-check-rdb on the golden files of a real Redis 7.0.15, and on every kind of damage. */
class CheckRdbTest {
    @TempDir
    Path tmp;

    static Path golden(String name) {
        try {
            return Path.of(CheckRdbTest.class.getResource("/rdb/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    record Run(int rc, String out) {}

    static Run check(Path file) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int rc = CheckRdbMain.run(new String[] {file.toString()}, ps, null);
        return new Run(rc, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void soundFileIsReportedLikeRedisCheckRdb() {
        Run r = check(golden("all-types.rdb"));
        assertEquals(0, r.rc(), r.out());
        assertTrue(r.out().contains("[offset 27] AUX FIELD redis-ver = '7.0.15'"), r.out());
        assertTrue(r.out().contains("[offset 82] Selecting DB ID 0"), r.out());
        assertTrue(r.out().contains("[offset 18642] Selecting DB ID 1"), r.out());
        assertTrue(r.out().contains("[offset 18693] Checksum OK"), r.out());
        assertTrue(r.out().contains("\\o/ RDB looks OK! \\o/"), r.out());
        assertTrue(r.out().contains("[info] 20 keys read"), r.out());
        assertTrue(r.out().contains("[info] 2 expires"), r.out());
        assertTrue(r.out().contains("[info] db 5: 1 keys, 0 expires (list=1)"), r.out());
        assertTrue(r.out().contains("[info] encoding set-intset: 1 keys"), r.out());
    }

    @Test
    void noChecksumAndNoCompressionAreSound() {
        Run r = check(golden("no-checksum.rdb"));
        assertEquals(0, r.rc(), r.out());
        assertTrue(r.out().contains("checksum disabled"), r.out());
        assertEquals(0, check(golden("no-compression.rdb")).rc());
    }

    @Test
    void truncatedValueNamesOffsetKeyAndType() {
        Run r = check(golden("truncated-in-value.rdb"));
        assertEquals(1, r.rc(), r.out());
        assertTrue(r.out().contains("--- RDB ERROR DETECTED ---"), r.out());
        assertTrue(r.out().contains("[offset 4097] Unexpected EOF reading RDB file"), r.out());
        assertTrue(r.out().contains("[additional info] While doing: read-object-value"), r.out());
        assertTrue(r.out().contains("[additional info] Reading key 'list:big'"), r.out());
        assertTrue(r.out().contains("[additional info] Reading type 18 (quicklist-v2)"), r.out());
    }

    @Test
    void checksumAndStructureDamage() {
        Run r = check(golden("bitflip-value.rdb"));
        assertEquals(1, r.rc());
        assertTrue(r.out().contains("RDB CRC error"), r.out());
        assertTrue(r.out().contains("While doing: check-sum"), r.out());
        r = check(golden("bitflip-structure.rdb"));
        assertEquals(1, r.rc());
        assertTrue(r.out().contains("Reading key 'str:lzf'"), r.out());
        assertEquals(1, check(golden("truncated-checksum.rdb")).rc());
    }

    /** Streams (7.0's STREAM_LISTPACKS_2, with a consumer group and pending entries): checked, counted, not refused. */
    @Test
    void streamsAreCheckedThoughTandemCannotLoadThem() throws IOException {
        Run r = check(golden("streams.rdb"));
        assertEquals(0, r.rc(), r.out());
        assertTrue(r.out().contains("[info] 4 keys read"), r.out());
        assertTrue(r.out().contains("[info] db 0: 4 keys, 0 expires (stream=2, string=2)"), r.out());
        assertTrue(r.out().contains("[info] encoding stream-v2: 2 keys"), r.out());
        byte[] all = Files.readAllBytes(golden("streams.rdb"));
        Path f = tmp.resolve("cut-streams.rdb");
        for (int len = 0; len < all.length; len++) {
            Files.write(f, Arrays.copyOf(all, len));
            Run c = check(f);
            assertEquals(1, c.rc(), "length " + len + ": " + c.out());
            assertFalse(c.out().contains("internal error"), c.out());
        }
    }

    @Test
    void missingFileAndUsage() {
        Run r = check(tmp.resolve("nope.rdb"));
        assertEquals(1, r.rc());
        assertTrue(r.out().contains("Cannot open file"), r.out());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        assertEquals(1, CheckRdbMain.run(new String[0], new PrintStream(buf), null));
    }

    /** Every truncation fails with an offset; no internal error; the file is never changed. */
    @Test
    void everyTruncationFails() throws IOException {
        byte[] all = Files.readAllBytes(golden("all-types.rdb"));
        Path f = tmp.resolve("cut.rdb");
        for (int len = 0; len < all.length; len += len < 300 ? 1 : 37) {
            byte[] cut = Arrays.copyOf(all, len);
            Files.write(f, cut);
            Run r = check(f);
            assertEquals(1, r.rc(), "length " + len + ": " + r.out());
            assertTrue(r.out().contains("--- RDB ERROR DETECTED ---") && r.out().contains("[offset "), r.out());
            assertFalse(r.out().contains("internal error"), r.out());
            assertArrayEquals(cut, Files.readAllBytes(f));
        }
    }

    /** Random bit flips: detected (by structure or CRC), never an internal error. */
    @Test
    void randomBitFlipsAreDetected() throws IOException {
        byte[] all = Files.readAllBytes(golden("all-types.rdb"));
        Path f = tmp.resolve("flip.rdb");
        Random rnd = new Random(42);
        for (int i = 0; i < 400; i++) {
            byte[] b = all.clone();
            int pos = 9 + rnd.nextInt(b.length - 9);
            b[pos] ^= (byte) (1 << rnd.nextInt(8));
            Files.write(f, b);
            Run r = check(f);
            assertEquals(1, r.rc(), "flip at " + pos + ": " + r.out());
            assertFalse(r.out().contains("internal error"), "flip at " + pos + ": " + r.out());
        }
    }
}
