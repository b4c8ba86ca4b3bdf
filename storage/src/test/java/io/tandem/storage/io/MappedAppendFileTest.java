package io.tandem.storage.io;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The AOF's mmap'd append file against a plain model (a byte array): appends across window
 * boundaries, the zero tail while open and its cut on close, reopening at the true end after a
 * clean close and after a simulated crash, force concurrent with writes, and a full disk.
 */
class MappedAppendFileTest {
    static final int W = 4096;
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-mappend-");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    /** A chunk that ends in '\n', as every AOF item does (the true end relies on it). */
    static byte[] chunk(SplittableRandom rnd, int size) {
        byte[] b = new byte[Math.max(1, size)];
        for (int i = 0; i < b.length; i++) b[i] = (byte) rnd.nextInt(); // zeros inside are data
        b[b.length - 1] = '\n';
        return b;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void appendsAcrossWindowBoundariesAndCloseCutsTheTail() throws Exception {
        Path f = dir.resolve("a.aof");
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        SplittableRandom rnd = new SplittableRandom(11);
        try (MappedAppendFile out = MappedAppendFile.open(f, W)) {
            assertEquals(0, Files.size(f), "nothing mapped before the first write");
            for (int i = 0; i < 400; i++) {
                // sizes around and across the window: 1 byte, exactly to the boundary, several windows
                int size = switch (i % 5) {
                    case 0 -> 1;
                    case 1 -> (int) (W - out.length() % W);
                    case 2 -> W * 3 + 17;
                    default -> rnd.nextInt(1, 3000);
                };
                byte[] b = chunk(rnd, size);
                out.write(ByteBuffer.wrap(b));
                model.write(b);
                assertEquals(model.size(), out.length());
                long onDisk = Files.size(f);
                assertEquals(0, onDisk % W, "the file grows by whole windows");
                assertTrue(onDisk >= out.length() && onDisk < out.length() + W, onDisk + " vs " + out.length());
                if (i % 7 == 0) {
                    out.force();
                    assertEquals(out.length(), out.forcedLength());
                }
            }
        }
        assertArrayEquals(model.toByteArray(), Files.readAllBytes(f));
    }

    @Test
    void reopenAfterCleanCloseAppendsAtTheEnd() throws Exception {
        Path f = dir.resolve("b.aof");
        try (MappedAppendFile out = MappedAppendFile.open(f, W)) {
            out.write(ByteBuffer.wrap(bytes("*1\r\n$4\r\nPING\r\n")));
        }
        try (MappedAppendFile out = MappedAppendFile.open(f, W)) {
            assertEquals(0, out.cutAtOpen());
            assertEquals(14, out.length());
            out.write(ByteBuffer.wrap(bytes("*1\r\n$4\r\nPONG\r\n")));
        }
        assertEquals("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPONG\r\n", Files.readString(f));
        // open and close without a write leaves the file alone
        MappedAppendFile.open(f, W).close();
        assertEquals(28, Files.size(f));
    }

    @Test
    void aCrashLeavesAZeroTailThatTheNextOpenCuts() throws Exception {
        Path f = dir.resolve("c.aof");
        SplittableRandom rnd = new SplittableRandom(3);
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        MappedAppendFile dead = MappedAppendFile.open(f, W);
        for (int i = 0; i < 10; i++) {
            byte[] b = chunk(rnd, rnd.nextInt(1, 2500));
            dead.write(ByteBuffer.wrap(b));
            model.write(b);
        }
        // The process "dies" with the file mapped: another instance (the next life) opens it while
        // the mapping still exists, as the page cache keeps what the dead one wrote.
        long written = model.size();
        assertEquals(W * ((written + W - 1) / W), Files.size(f), "W-aligned with a zero tail");
        try (MappedAppendFile next = MappedAppendFile.open(f, W)) {
            dead.abandon();
            assertEquals(written, next.length());
            assertEquals(Files.size(f), written, "the tail is cut at open");
            assertEquals(W * ((written + W - 1) / W) - written, next.cutAtOpen());
            byte[] b = chunk(rnd, 5000);
            next.write(ByteBuffer.wrap(b));
            model.write(b);
        }
        assertArrayEquals(model.toByteArray(), Files.readAllBytes(f));

        // the loader's variant: cut a tail without opening for append
        MappedAppendFile again = MappedAppendFile.open(f, W);
        again.write(ByteBuffer.wrap(bytes("x\n")));
        model.write(bytes("x\n"));
        again.abandon();
        assertTrue(Files.size(f) > model.size());
        assertEquals(Files.size(f) - model.size(), MappedAppendFile.cutZeroTail(f));
        assertArrayEquals(model.toByteArray(), Files.readAllBytes(f));
        assertEquals(0, MappedAppendFile.cutZeroTail(f));
    }

    @Test
    void zerosFollowedByDataAreNotATail() throws Exception {
        Path f = dir.resolve("d.aof");
        byte[] b = new byte[3 * W];
        b[0] = '*';
        b[3 * W - 1] = '\n'; // zeros in the middle, data after: the reader's business, not a tail
        Files.write(f, b);
        assertEquals(0, MappedAppendFile.cutZeroTail(f));
        assertEquals(3 * W, Files.size(f));
        try (MappedAppendFile out = MappedAppendFile.open(f, W)) {
            assertEquals(3 * W, out.length());
            assertEquals(0, out.cutAtOpen());
        }
        b[3 * W - 1] = 0; // data, then zeros to the end: only the zeros go
        b[W + 7] = '\n';
        Files.write(f, b);
        assertEquals(3 * W - (W + 8), MappedAppendFile.cutZeroTail(f));
        assertEquals(W + 8, Files.size(f));
        Files.write(f, new byte[W * 2 + 3]);
        assertEquals(W * 2 + 3, MappedAppendFile.cutZeroTail(f), "all zeros: empty");
        assertEquals(0, Files.size(f));
    }

    @Test
    void forceFromAnotherThreadCoversEverythingWrittenBeforeIt() throws Exception {
        Path f = dir.resolve("e.aof");
        SplittableRandom rnd = new SplittableRandom(5);
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong published = new AtomicLong();
        try (MappedAppendFile out = MappedAppendFile.open(f, W)) {
            Thread syncer = new Thread(() -> {
                try {
                    while (published.get() >= 0) {
                        long before = published.get(); // every write up to here returned before force was called
                        out.force();
                        long forced = out.forcedLength();
                        if (forced < before) throw new AssertionError("forced " + forced + " < written " + before);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            syncer.start();
            for (int i = 0; i < 3000; i++) {
                byte[] b = chunk(rnd, rnd.nextInt(1, 700));
                out.write(ByteBuffer.wrap(b));
                model.write(b);
                published.set(out.length());
            }
            long last = out.length();
            published.set(-1);
            syncer.join();
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            out.force();
            assertEquals(last, out.forcedLength());
        }
        assertArrayEquals(model.toByteArray(), Files.readAllBytes(f));
    }

    @Test
    void aFullDiskFailsTheWholeWriteAndARetrySucceeds() throws Exception {
        Path f = dir.resolve("f.aof");
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        try (MappedAppendFile out = MappedAppendFile.open(f, W)) {
            byte[] first = chunk(new SplittableRandom(1), 3000);
            out.write(ByteBuffer.wrap(first));
            model.write(first);
            out.maxLength(out.length() + 100);
            byte[] big = chunk(new SplittableRandom(2), 2 * W); // would cross two windows
            ByteBuffer src = ByteBuffer.wrap(big);
            IOException e = assertThrows(IOException.class, () -> out.write(src));
            assertEquals("No space left on device", e.getMessage());
            assertEquals(first.length, out.length(), "nothing written");
            assertEquals(0, src.position(), "the source is untouched, for a retry");
            out.force();
            assertArrayEquals(first, Arrays.copyOf(Files.readAllBytes(f), first.length));
            out.maxLength(Long.MAX_VALUE);
            out.write(src);
            model.write(big);
            assertFalse(src.hasRemaining());
        }
        assertArrayEquals(model.toByteArray(), Files.readAllBytes(f));
    }

    /**
     * A real full disk (opt-in: TANDEM_SMALL_FS names a directory on a small filesystem, e.g. a
     * 1 MB tmpfs, which needs root to mount). Another file fills the disk behind the writer's
     * back; the write that needs new blocks fails with ENOSPC as an exception of its own (not a
     * late SIGBUS), every write reported as done is intact, and a retry after space is freed works.
     */
    @Test
    @EnabledIfEnvironmentVariable(named = "TANDEM_SMALL_FS", matches = ".+")
    void aRealFullDiskIsAnErrorOfTheWriteThatNeedsTheSpace() throws Exception {
        Path small = Files.createTempDirectory(Path.of(System.getenv("TANDEM_SMALL_FS")), "mappend-");
        Path f = small.resolve("full.aof");
        Path filler = small.resolve("filler");
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        SplittableRandom rnd = new SplittableRandom(9);
        try (MappedAppendFile out = MappedAppendFile.open(f, 64 * 1024)) {
            byte[] b = chunk(rnd, 10_000);
            out.write(ByteBuffer.wrap(b));
            model.write(b);
            try (var o = Files.newOutputStream(filler)) {
                byte[] z = new byte[4096];
                while (true) o.write(z);
            } catch (IOException full) {
                assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
            }
            IOException e = null;
            for (int i = 0; i < 10_000 && e == null; i++) {
                byte[] c = chunk(rnd, rnd.nextInt(1, 5000));
                try {
                    out.write(ByteBuffer.wrap(c));
                    model.write(c);
                } catch (IOException x) {
                    e = x;
                }
                assertEquals(model.size(), out.length());
            }
            assertNotNull(e, "the disk filled up");
            assertEquals("No space left on device", e.getMessage());
            Files.delete(filler);
            byte[] c = chunk(rnd, 20_000);
            out.write(ByteBuffer.wrap(c));
            model.write(c);
        } finally {
            Files.deleteIfExists(filler);
        }
        assertArrayEquals(model.toByteArray(), Files.readAllBytes(f));
        Files.delete(f);
        Files.delete(small);
    }

    @Test
    void writesANettyBufferAndSkipsIt() throws Exception {
        Path f = dir.resolve("g.aof");
        ByteBuf buf = Unpooled.buffer(64);
        try (MappedAppendFile out = MappedAppendFile.open(f, W)) {
            buf.writeBytes(bytes("junk*1\r\n$4\r\nPING\r\n"));
            buf.skipBytes(4);
            out.write(buf);
            assertFalse(buf.isReadable());
            out.maxLength(0);
            buf.writeBytes(bytes("more\n"));
            assertThrows(IOException.class, () -> out.write(buf));
            assertEquals(5, buf.readableBytes(), "a failed write leaves the buffer readable");
        } finally {
            buf.release();
        }
        assertEquals("*1\r\n$4\r\nPING\r\n", Files.readString(f));
    }

    @Test
    void writesAfterCloseFailAndForceIsANoOp() throws Exception {
        Path f = dir.resolve("h.aof");
        MappedAppendFile out = MappedAppendFile.open(f, W);
        out.write(ByteBuffer.wrap(bytes("a\n")));
        out.close();
        out.force();
        out.close();
        assertThrows(IOException.class, () -> out.write(ByteBuffer.wrap(bytes("b\n"))));
        assertEquals("a\n", Files.readString(f));
    }
}
