package io.tandem.replication.backlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * The LMDB backlog on real files in temp dirs. Every byte written is {@link #pat} of its stream
 * offset, so any byte read anywhere can be checked without a model of what was written.
 */
class DiskBacklogTest {
    @TempDir
    Path tmp;

    // ─── helpers ───────────────────────────────────────────────────────────────────────────

    /** The byte at stream offset {@code o}: a golden-ratio hash, so no short sequence repeats. */
    static byte pat(long o) {
        return (byte) ((o * 0x9E3779B97F4A7C15L) >>> 56);
    }

    /** Appends the next {@code len} pattern bytes, from the middle of a larger buffer as the stream does. */
    static void appendPattern(DiskBacklog b, int len, int db) {
        long from = b.endOffset() + 1;
        byte[] a = new byte[len + 12];
        for (int i = 0; i < len; i++) a[7 + i] = pat(from + i);
        // wrappedBuffer: not leak-tracked, so Surefire's paranoid leak detection does not record
        // every access.
        b.append(Unpooled.wrappedBuffer(a), 7, len, db);
    }

    static void assertPattern(ByteBuf buf, long from) {
        byte[] a = ByteBufUtil.getBytes(buf); // one access: paranoid leak detection records each
        for (int i = 0; i < a.length; i++)
            if (a[i] != pat(from + i)) fail("byte at offset " + (from + i) + " differs from what was written");
    }

    /** Reads [from, to] in pieces of at most {@code step} bytes and checks every byte. */
    static void readAndCheck(DiskBacklog b, long from, long to, int step) {
        long pos = from;
        while (pos <= to) {
            ByteBuf r = b.read(pos, step, UnpooledByteBufAllocator.DEFAULT);
            try {
                assertTrue(r.readableBytes() > 0, "read at " + pos + " returned nothing before " + to);
                assertPattern(r, pos);
                pos += r.readableBytes();
            } finally {
                r.release();
            }
        }
        assertEquals(to + 1, pos);
    }

    /** Closes a store inside its try-with-resources, to reopen it (close is idempotent). */
    private static void closeEarly(DiskBacklog b) {
        b.close();
    }

    private Path dir() {
        return tmp.resolve("backlog");
    }

    private static void assertContiguous(DiskBacklog b) {
        List<DiskBacklog.ChunkInfo> cs = b.chunks(Integer.MAX_VALUE);
        assertEquals(b.chunkCount(), cs.size());
        long expect = b.firstByteOffset();
        for (DiskBacklog.ChunkInfo c : cs) {
            assertEquals(expect, c.start(), "chunks contiguous");
            assertTrue(c.length() > 0 && c.length() <= DiskBacklog.MAX_CHUNK, "chunk length " + c.length());
            expect += c.length();
        }
        assertEquals(b.committedEndOffset() + 1, expect);
    }

    // ─── offsets, append/commit/read ───────────────────────────────────────────────────────

    @Test
    void offsetsFollowRedisConventions() {
        try (DiskBacklog b = DiskBacklog.open(dir(), 1 << 20, 0)) {
            assertTrue(b.created());
            assertFalse(b.wasCleanlyClosed(), "a new store has no previous clean close");
            assertEquals(1, b.firstByteOffset(), "the stream's first byte is offset 1");
            assertEquals(0, b.endOffset());
            assertEquals(0, b.histlen());
            assertTrue(b.covers(1), "asking for the next byte: nothing to send, but partial");
            assertFalse(b.covers(0));
            assertFalse(b.covers(2));
            b.reset(100);
            assertEquals(101, b.firstByteOffset());
            assertEquals(100, b.endOffset());
            appendPattern(b, 3, 0);
            assertEquals(103, b.endOffset());
            assertEquals(3, b.histlen());
            assertTrue(b.covers(101));
            assertTrue(b.covers(104));
            assertFalse(b.covers(105));
            assertFalse(b.covers(100));
            assertEquals(100, b.committedEndOffset(), "append only buffers");
            assertThrows(IllegalArgumentException.class, () -> b.read(102, 10, UnpooledByteBufAllocator.DEFAULT), "pending bytes are not readable");
            ByteBuf none = b.read(101, 10, UnpooledByteBufAllocator.DEFAULT);
            assertEquals(0, none.readableBytes(), "the committed end + 1: nothing yet");
            none.release();
            b.commit();
            assertEquals(103, b.committedEndOffset());
            ByteBuf r = b.read(102, 10, UnpooledByteBufAllocator.DEFAULT);
            assertEquals(2, r.readableBytes());
            assertPattern(r, 102);
            r.release();
            ByteBuf end = b.read(104, 10, UnpooledByteBufAllocator.DEFAULT);
            assertEquals(0, end.readableBytes(), "the committed end + 1: nothing to send");
            end.release();
            assertThrows(IllegalArgumentException.class, () -> b.read(100, 10, UnpooledByteBufAllocator.DEFAULT));
            assertThrows(IllegalArgumentException.class, () -> b.read(105, 10, UnpooledByteBufAllocator.DEFAULT));
        }
    }

    @Test
    void appendCommitReadAcrossManyChunks() {
        Random rnd = new Random(7);
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0)) {
            for (int step = 0; step < 300; step++) {
                int appends = 1 + rnd.nextInt(4);
                for (int i = 0; i < appends; i++) {
                    int len = step % 40 == 0 ? 1 + rnd.nextInt(3 << 20) : 1 + rnd.nextInt(step % 3 == 0 ? 100_000 : 300);
                    appendPattern(b, len, rnd.nextInt(16));
                }
                if (rnd.nextInt(3) > 0) b.commit();
                // Random reads of committed data, at most a few per step.
                long end = b.committedEndOffset();
                for (int i = 0; i < 3 && end > 0; i++) {
                    long from = 1 + (long) (rnd.nextDouble() * end);
                    int max = 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 3 << 20);
                    ByteBuf r = b.read(from, max, UnpooledByteBufAllocator.DEFAULT);
                    assertEquals(Math.min(max, end - from + 1), r.readableBytes());
                    assertPattern(r, from);
                    r.release();
                }
            }
            b.commit();
            assertEquals(1, b.firstByteOffset());
            assertTrue(b.chunkCount() > 100, "many chunks: " + b.chunkCount());
            assertContiguous(b);
            readAndCheck(b, 1, b.endOffset(), 1 << 20);
            long end = b.endOffset();
            closeEarly(b);
            try (DiskBacklog again = DiskBacklog.open(dir(), 1L << 30, 0)) {
                assertTrue(again.wasCleanlyClosed());
                assertEquals(end, again.endOffset());
                assertEquals(1, again.firstByteOffset());
                readAndCheck(again, 1, end, 777_777);
            }
        }
    }

    @Test
    void pendingBytesAreSplitAtOneMebibyteAndAtAppendBoundaries() {
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0)) {
            appendPattern(b, 600 << 10, 1);
            appendPattern(b, 600 << 10, 2);
            appendPattern(b, 10, 3);
            b.commit();
            appendPattern(b, (5 << 19), 7); // 2.5 MiB in one append
            b.commit();
            List<DiskBacklog.ChunkInfo> cs = b.chunks(100);
            assertEquals(List.of(600 << 10, (600 << 10) + 10, 1 << 20, 1 << 20, 1 << 19), cs.stream().map(DiskBacklog.ChunkInfo::length).toList(),
                    "cut at the last append boundary within 1 MiB, else at 1 MiB");
            assertEquals(List.of(1, 2, 7, -1, -1), cs.stream().map(DiskBacklog.ChunkInfo::dbAtStart).toList(),
                    "a chunk starting inside an append does not know its db");
            assertContiguous(b);
            readAndCheck(b, 1, b.endOffset(), 300_000);
        }
    }

    /**
     * The persisted layouts, read back raw with lmdbjava and checked byte for byte against the
     * class javadocs: a chunk value (time, db, CRC32C of key ‖ time ‖ db ‖ payload, payload) and
     * the meta record.
     */
    @Test
    void theChunkAndMetaLayoutsArePinned() {
        try (DiskBacklog b = DiskBacklog.open(dir(), 1 << 20, 0)) {
            b.clock(() -> 0x0102030405060708L);
            b.reset(41);
            b.setIdentity("r1", "r22", 7);
            b.setRunFlags("f");
            appendPattern(b, 5, 9);
            b.commit();
        }
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(2).setMapSize(256L << 20).open(dir().toFile());
                Txn<ByteBuffer> tx = env.txnRead()) {
            Dbi<ByteBuffer> chunks = env.openDbi(tx, "chunks".getBytes(StandardCharsets.US_ASCII), null, false);
            Dbi<ByteBuffer> meta = env.openDbi(tx, "meta".getBytes(StandardCharsets.US_ASCII), null, false);
            ByteBuffer key = ByteBuffer.allocateDirect(8).putLong(0, 42);
            byte[] v = bytes(chunks.get(tx, key));
            ByteBuffer want = ByteBuffer.allocate(16 + 5).putLong(0x0102030405060708L).putInt(9).putInt(0);
            for (int i = 0; i < 5; i++) want.put(pat(42 + i));
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(new byte[] {0, 0, 0, 0, 0, 0, 0, 42});
            crc.update(want.array(), 0, 12);
            crc.update(want.array(), 16, 5);
            want.putInt(12, (int) crc.getValue());
            assertEquals(java.util.HexFormat.of().formatHex(want.array()), java.util.HexFormat.of().formatHex(v));

            ByteBuffer mk = ByteBuffer.allocateDirect(4).put("meta".getBytes(StandardCharsets.US_ASCII)).flip();
            byte[] m = bytes(meta.get(tx, mk));
            ByteBuffer w = ByteBuffer.allocate(m.length);
            w.put("TANDEMBL".getBytes(StandardCharsets.US_ASCII)).putShort((short) 1).putShort((short) 1); // version 1, clean
            w.putLong(42).putLong(46).putLong(7);
            w.put((byte) 2).put("r1".getBytes(StandardCharsets.US_ASCII)).put((byte) 3).put("r22".getBytes(StandardCharsets.US_ASCII));
            w.putShort((short) 1).put((byte) 'f');
            crc.reset();
            crc.update(w.array(), 0, w.position());
            w.putInt((int) crc.getValue());
            assertEquals(java.util.HexFormat.of().formatHex(w.array()), java.util.HexFormat.of().formatHex(m));
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        assertTrue(b != null, "record present");
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void aStoreOpensOnceInAProcess() {
        try (DiskBacklog b = DiskBacklog.open(dir(), 1 << 20, 0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> DiskBacklog.open(dir().resolve("../backlog"), 1 << 20, 0));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
            closeEarly(b);
            closeEarly(b); // idempotent
            assertThrows(IllegalStateException.class, b::commit);
            assertThrows(IllegalStateException.class, () -> b.read(1, 1, UnpooledByteBufAllocator.DEFAULT));
            b.sync(); // a no-op once closed: the AOF thread may race with shutdown
        }
        try (DiskBacklog again = DiskBacklog.open(dir(), 1 << 20, 0)) {
            assertTrue(again.wasCleanlyClosed());
        }
    }

    @Test
    void metaRecordDecodingNamesWhatIsWrong() {
        BacklogMeta m = new BacklogMeta(5, 9, true, "a", "b", 3, "x");
        assertEquals(m, BacklogMeta.decode(ByteBuffer.wrap(m.encode())));
        byte[] enc = m.encode();
        enc[13] ^= 1; // inside first
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BacklogMeta.decode(ByteBuffer.wrap(enc))).getMessage().contains("CRC32C"));
        byte[] foreign = m.encode();
        foreign[0] = 'X';
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BacklogMeta.decode(ByteBuffer.wrap(foreign))).getMessage().contains("not a Tandem backlog"));
        byte[] v2 = m.encode();
        v2[9] = 2;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BacklogMeta.decode(ByteBuffer.wrap(v2))).getMessage().contains("format version 2"));
        byte[] shortRec = java.util.Arrays.copyOf(m.encode(), 30);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BacklogMeta.decode(ByteBuffer.wrap(shortRec))).getMessage().contains("too short"));
    }

    // ─── persistence across processes ──────────────────────────────────────────────────────

    @Test
    void identityFlagsAndCleanClosePersist() {
        try (DiskBacklog b = DiskBacklog.open(dir(), 1 << 20, 0)) {
            assertEquals(new DiskBacklog.Identity("", "", -1), b.identity());
            assertEquals("", b.previousFlags());
            b.setIdentity("a".repeat(40), "b".repeat(40), 1234);
            b.setRunFlags("aof-always");
            appendPattern(b, 5000, 0);
        }
        try (DiskBacklog b = DiskBacklog.open(dir(), 1 << 20, 0)) {
            assertFalse(b.created());
            assertTrue(b.wasCleanlyClosed());
            assertEquals("aof-always", b.previousFlags());
            assertEquals(new DiskBacklog.Identity("a".repeat(40), "b".repeat(40), 1234), b.identity());
            assertEquals(5000, b.endOffset(), "close commits what is pending");
            readAndCheck(b, 1, 5000, 4096);
            b.setIdentity("c".repeat(40), "a".repeat(40), 5001);
            b.commit(); // identity alone is a change worth a commit
        }
        try (DiskBacklog b = DiskBacklog.open(dir(), 1 << 20, 0)) {
            assertEquals(new DiskBacklog.Identity("c".repeat(40), "a".repeat(40), 5001), b.identity());
            assertEquals("", b.previousFlags(), "the last run set no flags");
        }
    }

    @Test
    void aProcessThatDiesWithoutCloseLeavesEveryCommittedByte() throws Exception {
        long total = 3_000_000;
        Path root = Path.of(System.getProperty("tandem.project.root", "..")).toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + root.resolve("bin/jvm.options"));
        if (Runtime.version().feature() >= 23) cmd.add("@" + root.resolve("bin/jvm23.options"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DiskBacklogCrashChild.class.getName(), dir().toString(), Long.toString(total)));
        Path out = tmp.resolve("child.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
        String text = Files.readString(out);
        assertEquals(3, p.exitValue(), "child halted as planned: " + text);
        String line = text.lines().filter(l -> l.startsWith("committed ")).findFirst().orElseThrow(() -> new AssertionError("child output: " + text));
        long committed = Long.parseLong(line.substring("committed ".length()).trim());
        assertTrue(committed >= total);
        try (DiskBacklog b = DiskBacklog.open(dir(), 64L << 20, 0)) {
            assertFalse(b.wasCleanlyClosed(), "the child never called close()");
            assertEquals("aof-always", b.previousFlags());
            assertEquals(new DiskBacklog.Identity("1".repeat(40), "2".repeat(40), 77), b.identity());
            assertEquals(1, b.firstByteOffset());
            assertEquals(committed, b.endOffset(), "every committed byte, and nothing that was only pending");
            readAndCheck(b, 1, committed, 1 << 20);
        }
        try (DiskBacklog b = DiskBacklog.open(dir(), 64L << 20, 0)) {
            assertTrue(b.wasCleanlyClosed(), "the run after the crash closed it");
            assertEquals("", b.previousFlags());
        }
    }

    // ─── trimming ──────────────────────────────────────────────────────────────────────────

    @Test
    void trimmingBySizeKeepsAtLeastTheLimitAndStartsAtAChunk() {
        long limit = 100_000;
        Random rnd = new Random(3);
        try (DiskBacklog b = DiskBacklog.open(dir(), limit, 0)) {
            long total = 0;
            for (int i = 0; i < 400; i++) {
                int len = 1 + rnd.nextInt(i % 50 == 0 ? 150_000 : 9_000);
                appendPattern(b, len, 0);
                total += len;
                b.commit();
                long held = b.histlen();
                assertEquals(total, b.endOffset());
                if (total >= limit) assertTrue(held >= limit, "kept " + held + " >= " + limit);
                else assertEquals(total, held);
                List<DiskBacklog.ChunkInfo> cs = b.chunks(1);
                assertEquals(b.firstByteOffset(), cs.get(0).start(), "first byte is a chunk start");
                assertTrue(held - cs.get(0).length() < limit, "the oldest chunk is needed to keep the limit");
            }
            assertTrue(b.firstByteOffset() > 1);
            assertContiguous(b);
            readAndCheck(b, b.firstByteOffset(), b.endOffset(), 50_000);
            assertThrows(IllegalArgumentException.class, () -> b.read(b.firstByteOffset() - 1, 10, UnpooledByteBufAllocator.DEFAULT));
            assertFalse(b.covers(b.firstByteOffset() - 1));

            b.resize(10_000); // trims at once
            assertTrue(b.histlen() >= 10_000 && b.histlen() - b.chunks(1).get(0).length() < 10_000);
            long first = b.firstByteOffset();
            long end = b.endOffset();
            closeEarly(b);
            try (DiskBacklog again = DiskBacklog.open(dir(), 10_000, 0)) {
                assertEquals(first, again.firstByteOffset());
                assertEquals(end, again.endOffset());
                readAndCheck(again, first, end, 3000);
            }
        }
    }

    @Test
    void ttlDropsChunksOlderThanTheTtl() {
        AtomicLong now = new AtomicLong(1_000_000);
        try (DiskBacklog b = DiskBacklog.open(dir(), 1, 0)) {
            b.clock(now::get);
            b.resize(1L << 30);
            for (int i = 0; i < 10; i++) { // chunk i committed at 1_000_000 + i s
                appendPattern(b, 1000, 0);
                b.commit();
                now.addAndGet(1000);
            }
            assertEquals(10, b.chunkCount());
            assertEquals(0, b.ttl());
            now.addAndGet(100_000);
            b.commit();
            assertEquals(10, b.chunkCount(), "ttl 0: never");
            now.set(1_000_000 + 9_000 + 3_500); // the last chunk is 3.5 s old, the first 12.5 s
            b.ttl(5); // chunks committed before now - 5 s = +7.5 s go: 0..7
            assertEquals(2, b.chunkCount());
            assertEquals(8001, b.firstByteOffset());
            assertEquals(1_000_000 + 8_000, b.chunks(1).get(0).timeMs());
            now.addAndGet(1_000); // +13.5: chunk 8 (+8 s) is older than +8.5 s
            b.commit(); // nothing pending, but trimming is due
            assertEquals(1, b.chunkCount());
            assertEquals(9001, b.firstByteOffset());
            now.addAndGet(10_000);
            b.commit();
            assertEquals(0, b.chunkCount(), "every chunk expired");
            assertEquals(10_001, b.firstByteOffset());
            assertEquals(10_000, b.endOffset());
            assertEquals(0, b.histlen());
            assertTrue(b.covers(10_001));
            ByteBuf r = b.read(10_001, 10, UnpooledByteBufAllocator.DEFAULT);
            assertEquals(0, r.readableBytes());
            r.release();
            appendPattern(b, 10, 0);
            b.commit();
            readAndCheck(b, 10_001, 10_010, 3);
        }
        try (DiskBacklog b = DiskBacklog.open(dir(), 1, 0)) {
            assertEquals(10_001, b.firstByteOffset());
            assertEquals(10_010, b.endOffset());
        }
    }

    // ─── truncateAfter, reset ──────────────────────────────────────────────────────────────

    @Test
    void truncateAfterInTheMiddleOfAChunkAndAtABoundary() {
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0)) {
            for (int len : new int[] {100, 200, 300, 400}) { // chunks 1..100, 101..300, 301..600, 601..1000
                appendPattern(b, len, len / 100);
                b.commit();
            }
            b.truncateAfter(250); // inside the second chunk
            assertEquals(250, b.endOffset());
            assertEquals(250, b.committedEndOffset());
            assertEquals(List.of(100, 150), b.chunks(10).stream().map(DiskBacklog.ChunkInfo::length).toList());
            assertEquals(2, b.chunks(10).get(1).dbAtStart(), "a shortened chunk keeps its header");
            readAndCheck(b, 1, 250, 64);
            assertThrows(IllegalArgumentException.class, () -> b.read(252, 10, UnpooledByteBufAllocator.DEFAULT));

            appendPattern(b, 50, 0); // 251..300: the stream continues after the cut
            b.commit();
            b.truncateAfter(300); // nothing to drop
            b.truncateAfter(250); // exactly at a chunk boundary
            assertEquals(List.of(100, 150), b.chunks(10).stream().map(DiskBacklog.ChunkInfo::length).toList());
            b.truncateAfter(100); // boundary of the first chunk
            assertEquals(List.of(100), b.chunks(10).stream().map(DiskBacklog.ChunkInfo::length).toList());
            readAndCheck(b, 1, 100, 7);

            appendPattern(b, 30, 0); // pending 101..130
            b.truncateAfter(120); // only pending is cut
            assertEquals(120, b.endOffset());
            assertEquals(120, b.committedEndOffset(), "truncateAfter commits");
            readAndCheck(b, 1, 120, 50);
            appendPattern(b, 30, 0); // pending 121..150
            b.truncateAfter(110); // committed and pending
            assertEquals(110, b.endOffset());
            readAndCheck(b, 1, 110, 50);

            assertThrows(IllegalArgumentException.class, () -> b.truncateAfter(111));
            assertThrows(IllegalArgumentException.class, () -> b.truncateAfter(-1));
            b.truncateAfter(0); // first - 1: everything goes
            assertEquals(0, b.chunkCount());
            assertEquals(1, b.firstByteOffset());
            assertEquals(0, b.endOffset());
            appendPattern(b, 20, 0);
            b.commit();
            readAndCheck(b, 1, 20, 6);
        }
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0)) {
            assertEquals(20, b.endOffset());
            readAndCheck(b, 1, 20, 6);
        }
    }

    @Test
    void resetStartsANewHistoryAtTheOffset() {
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0)) {
            appendPattern(b, 5000, 0);
            b.commit();
            appendPattern(b, 10, 0); // pending: dropped by reset
            b.reset(1_000_000);
            assertEquals(0, b.chunkCount());
            assertEquals(1_000_001, b.firstByteOffset());
            assertEquals(1_000_000, b.endOffset());
            assertEquals(1_000_000, b.committedEndOffset());
            assertTrue(b.covers(1_000_001));
            assertFalse(b.covers(1_000_000));
            ByteBuf r = b.read(1_000_001, 10, UnpooledByteBufAllocator.DEFAULT);
            assertEquals(0, r.readableBytes());
            r.release();
            assertThrows(IllegalArgumentException.class, () -> b.read(1, 10, UnpooledByteBufAllocator.DEFAULT));
            appendPattern(b, 3000, 4);
            b.commit();
            assertEquals(1_000_001, b.chunks(1).get(0).start());
            b.reset(10); // backwards is fine: a new history
            appendPattern(b, 100, 0);
        }
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0)) {
            assertEquals(11, b.firstByteOffset());
            assertEquals(110, b.endOffset());
            readAndCheck(b, 11, 110, 1000);
        }
    }

    // ─── concurrency, map growth ───────────────────────────────────────────────────────────

    @Test
    void readersOnOtherThreadsSeeExactlyWhatWasWritten() throws Exception {
        long limit = 2 << 20;
        try (DiskBacklog b = DiskBacklog.open(dir(), limit, 0)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLongArray verified = new AtomicLongArray(3);
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    Random rnd = new Random(id);
                    long pos = 1;
                    try {
                        while (!stop.get() || pos <= b.committedEndOffset()) {
                            long end = b.committedEndOffset();
                            if (pos > end + 1) pos = end + 1;
                            ByteBuf r;
                            try {
                                r = b.read(pos, 1 + rnd.nextInt(id == 0 ? 200 : 1 << 20), UnpooledByteBufAllocator.DEFAULT);
                            } catch (IllegalArgumentException trimmed) {
                                // Trimmed (or truncated) under us: start again nearer the end.
                                pos = Math.max(1, b.committedEndOffset() - limit / 2);
                                continue;
                            }
                            try {
                                assertPattern(r, pos);
                                pos += r.readableBytes();
                                verified.addAndGet(id, r.readableBytes());
                                if (!r.isReadable()) Thread.onSpinWait();
                            } finally {
                                r.release();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "backlog-reader-" + t);
                readers.add(th);
                th.start();
            }
            Random rnd = new Random(11);
            for (int i = 0; i < 3000 && failure.get() == null; i++) {
                for (int j = rnd.nextInt(4); j >= 0; j--) appendPattern(b, 1 + rnd.nextInt(i % 100 == 0 ? 1_500_000 : 5_000), 0);
                b.commit();
                if (i % 500 == 250) b.truncateAfter(b.endOffset() - 10); // then the stream goes on over the same offsets
            }
            stop.set(true);
            for (Thread th : readers) th.join(60_000);
            if (failure.get() != null) throw new AssertionError("reader failed", failure.get());
            for (int t = 0; t < 3; t++) assertTrue(verified.get(t) > 0, "reader " + t + " verified bytes");
            assertContiguous(b);
        }
    }

    @Test
    void theMapGrowsWhenFullWhileReadersRead() throws Exception {
        long initialMap = 1 << 20;
        long total = 12L << 20;
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0, initialMap, false)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                long pos = 1;
                try {
                    while (!stop.get()) {
                        ByteBuf r = b.read(pos, 100_000, UnpooledByteBufAllocator.DEFAULT);
                        try {
                            assertPattern(r, pos);
                            pos += r.readableBytes();
                            if (!r.isReadable()) Thread.onSpinWait();
                        } finally {
                            r.release();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            reader.start();
            Thread syncer = new Thread(() -> {
                try {
                    while (!stop.get()) b.sync();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            syncer.start();
            while (b.endOffset() < total && failure.get() == null) {
                appendPattern(b, 300_000, 0);
                b.commit();
            }
            stop.set(true);
            reader.join(60_000);
            syncer.join(60_000);
            if (failure.get() != null) throw new AssertionError("reader or sync failed", failure.get());
            assertTrue(b.diskBytes() > total, "the file grew past the initial map: " + b.diskBytes());
            readAndCheck(b, 1, b.endOffset(), 1 << 20);
        }
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0)) {
            readAndCheck(b, 1, b.endOffset(), 1 << 20);
        }
    }

    // ─── damage ────────────────────────────────────────────────────────────────────────────

    /** A store of a few hundred KiB with small and large chunks; returns its end offset. */
    private long buildStore(Path d) {
        try (DiskBacklog b = DiskBacklog.open(d, 1L << 30, 0)) {
            Random rnd = new Random(5);
            for (int i = 0; i < 60; i++) {
                appendPattern(b, 1 + rnd.nextInt(i % 10 == 0 ? 60_000 : 2_000), i % 16);
                b.commit();
            }
            b.setIdentity("x".repeat(40), "", -1);
            return b.endOffset();
        }
    }

    private static BacklogStoreException openFails(Path d) {
        return assertThrows(BacklogStoreException.class, () -> DiskBacklog.open(d, 1L << 30, 0).close());
    }

    /** Offset in data.mdb of the pattern bytes for stream offsets [o, o+32). */
    private static long findPayload(Path data, long o) throws IOException {
        byte[] file = Files.readAllBytes(data);
        byte[] needle = new byte[32];
        for (int i = 0; i < 32; i++) needle[i] = pat(o + i);
        outer:
        for (int i = 0; i + 32 <= file.length; i++) {
            for (int j = 0; j < 32; j++) if (file[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("pattern for offset " + o + " not found in " + data);
    }

    private static void overwrite(Path file, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }

    @Test
    void aTruncatedDataFileIsRefusedAndDestroyStartsFresh() throws IOException {
        long end = buildStore(dir());
        Path data = dir().resolve("data.mdb");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        BacklogStoreException e = openFails(dir());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains(dir().toString()), "names the store: " + e.getMessage());
        assertTrue(end > 0);
        DiskBacklog.destroy(dir());
        assertFalse(Files.exists(dir()));
        try (DiskBacklog b = DiskBacklog.open(dir(), 1 << 20, 0)) {
            assertTrue(b.created());
            assertEquals(0, b.endOffset());
        }
        // Shorter than one page, and empty.
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(100);
        }
        assertTrue(openFails(dir()).getMessage().contains("too short"));
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(0);
        }
        assertTrue(openFails(dir()).getMessage().contains("empty"));
    }

    @Test
    void bytesOverwrittenInTheMiddleAreCaughtAtOpen() throws IOException {
        long end = buildStore(dir());
        Path data = dir().resolve("data.mdb");
        long at = findPayload(data, end / 2);
        overwrite(data, at, "damage".getBytes(StandardCharsets.US_ASCII));
        BacklogStoreException e = openFails(dir());
        assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
    }

    @Test
    void overwrittenMetaPagesAndForeignFilesAreRefused() throws IOException {
        buildStore(dir());
        Path data = dir().resolve("data.mdb");
        overwrite(data, 0, new byte[64]);
        assertTrue(openFails(dir()).getMessage().contains("not an LMDB meta page"));

        // A file that is not LMDB at all.
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        byte[] junk = new byte[20_000];
        new Random(1).nextBytes(junk);
        Files.write(foreign.resolve("data.mdb"), junk);
        assertTrue(openFails(foreign).getMessage().contains("not an LMDB meta page"));

        // An LMDB environment of someone else.
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(2).setMapSize(1 << 20).open(other.toFile())) {
            Dbi<ByteBuffer> db = env.openDbi("things", DbiFlags.MDB_CREATE);
            ByteBuffer k = ByteBuffer.allocateDirect(3).put("abc".getBytes(StandardCharsets.US_ASCII)).flip();
            ByteBuffer v = ByteBuffer.allocateDirect(3).put("xyz".getBytes(StandardCharsets.US_ASCII)).flip();
            try (Txn<ByteBuffer> tx = env.txnWrite()) {
                db.put(tx, k, v);
                tx.commit();
            }
        }
        assertTrue(openFails(other).getMessage().contains("not a Tandem backlog store"));
        DiskBacklog.destroy(other);
        assertFalse(Files.exists(other));
    }

    @Test
    void aFlippedPayloadByteFailsTheRead() throws IOException {
        long end = buildStore(dir());
        Path data = dir().resolve("data.mdb");
        long victim = end / 2;
        try (DiskBacklog b = DiskBacklog.open(dir(), 1L << 30, 0)) {
            long at = findPayload(data, victim);
            // Flip it under the open store: LMDB's map shows the file's page cache.
            overwrite(data, at, new byte[] {(byte) ~pat(victim)});
            BacklogStoreException e = assertThrows(BacklogStoreException.class, () -> readAndCheck(b, 1, end, 4096));
            assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
            // Bytes of other chunks still read.
            ByteBuf r = b.read(1, 10, UnpooledByteBufAllocator.DEFAULT);
            assertPattern(r, 1);
            r.release();
        }
        assertTrue(openFails(dir()).getMessage().contains("CRC32C"));
    }

    /** Many small chunks (branch pages, depth >= 2) and trimming (free-page records). */
    private long buildSmallChunkStore(Path d) {
        try (DiskBacklog b = DiskBacklog.open(d, 40_000, 0)) {
            Random rnd = new Random(6);
            for (int i = 0; i < 3000; i++) {
                appendPattern(b, 1 + rnd.nextInt(i % 100 == 0 ? 9_000 : 40), i % 16);
                b.commit();
            }
            return b.endOffset();
        }
    }

    /**
     * Every page of two small stores damaged in turn (random bytes, sparse flips past the page
     * header, one byte): open either refuses the store or every byte it serves is the one
     * written — never a wrong byte, never a crash of the JVM in LMDB's native code.
     */
    @Test
    void garbageInAnyPageIsRefusedOrHarmless() throws IOException {
        int refused = 0;
        int harmless = 0;
        for (int shape = 0; shape < 2; shape++) {
            Path pristine = tmp.resolve("pristine" + shape);
            long end = shape == 0 ? buildStore(pristine) : buildSmallChunkStore(pristine);
            long first;
            try (DiskBacklog b = DiskBacklog.open(pristine, 1L << 30, 0)) {
                first = b.firstByteOffset();
                if (shape == 1) assertTrue(first > 1, "trimmed");
            }
            byte[] original = Files.readAllBytes(pristine.resolve("data.mdb"));
            int page = 4096;
            Random rnd = new Random(9);
            for (int p = 0; p * page < original.length; p++) {
                for (int kind = 0; kind < 3; kind++) {
                    Path d = tmp.resolve("fuzz");
                    DiskBacklog.destroy(d);
                    Files.createDirectories(d);
                    byte[] copy = original.clone();
                    int from = p * page;
                    int to = Math.min(copy.length, from + page);
                    if (kind == 0) for (int i = from; i < to; i++) copy[i] = (byte) rnd.nextInt();
                    else if (kind == 1) for (int i = from + 16; i < to; i += 97) copy[i] ^= (byte) (1 + rnd.nextInt(255));
                    else copy[from + rnd.nextInt(to - from)] ^= (byte) (1 + rnd.nextInt(255));
                    Files.write(d.resolve("data.mdb"), copy);
                    DiskBacklog b;
                    try {
                        b = DiskBacklog.open(d, 1L << 30, 0);
                    } catch (BacklogStoreException e) {
                        refused++;
                        continue;
                    }
                    try (b) {
                        assertEquals(first, b.firstByteOffset(), "shape " + shape + " page " + p + " kind " + kind);
                        assertEquals(end, b.endOffset(), "shape " + shape + " page " + p + " kind " + kind);
                        readAndCheck(b, first, end, 50_000);
                        // And it takes writes: LMDB reuses the (checked) free pages.
                        for (int i = 0; i < 20; i++) {
                            appendPattern(b, 3000, 0);
                            b.commit();
                        }
                        readAndCheck(b, b.firstByteOffset(), b.endOffset(), 50_000);
                        harmless++;
                    } catch (BacklogStoreException e) {
                        refused++; // found at read time: also fine, nothing wrong was returned
                    }
                }
            }
        }
        assertTrue(refused > 0, "some damage was caught");
        System.out.println("damaged pages: " + refused + " refused, " + harmless + " harmless (free or unused pages, unused bytes)");
    }
}
