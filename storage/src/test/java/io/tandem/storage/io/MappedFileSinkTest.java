package io.tandem.storage.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bytes written through mapped windows come back exactly, the file is cut to its length, abort removes it. */
class MappedFileSinkTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("tandem-mmap-");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void writesAcrossManyWindowsAndTruncatesOnClose() throws Exception {
        Path f = dir.resolve("out.bin");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        SplittableRandom rnd = new SplittableRandom(7);
        try (MappedFileSink sink = new MappedFileSink(f, 4096)) {
            for (int i = 0; i < 300; i++) {
                byte[] chunk = new byte[rnd.nextInt(0, 10_000)];
                for (int j = 0; j < chunk.length; j++) chunk[j] = (byte) rnd.nextInt();
                int off = chunk.length == 0 ? 0 : rnd.nextInt(chunk.length);
                sink.write(chunk, off, chunk.length - off);
                expected.write(chunk, off, chunk.length - off);
            }
            assertEquals(expected.size(), sink.position());
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(f));
    }

    @Test
    void emptyFileAndAbort() throws Exception {
        Path f = dir.resolve("empty.bin");
        new MappedFileSink(f).close();
        assertEquals(0, Files.size(f));
        Path g = dir.resolve("aborted.bin");
        MappedFileSink sink = new MappedFileSink(g, 4096);
        sink.write(new byte[10_000], 0, 10_000);
        sink.abort();
        assertFalse(Files.exists(g));
    }
}
