package io.tandem.storage.aof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AofReaderTest {
    static AofReader reader(String s, boolean keep) {
        return new AofReader(new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)), 0, 1, keep);
    }

    @Test
    void commandsAndAnnotationsWithOffsets() throws Exception {
        AofReader r = reader("#TS:17\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n", true);
        AofReader.Annotation a = assertInstanceOf(AofReader.Annotation.class, r.next());
        assertEquals("#TS:17", a.text());
        AofReader.Command c = assertInstanceOf(AofReader.Command.class, r.next());
        assertEquals(8, c.start());
        assertEquals(28, c.end());
        assertArrayEquals("k".getBytes(), c.argv()[1]);
        assertTrue(c.is("get"));
        assertEquals(6, r.line());
        assertTrue(((AofReader.Command) r.next()).is("PING"));
        assertNull(r.next());
    }

    @Test
    void oneByteAtATimeGivesTheSameCommands() throws Exception {
        String s = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + 70000 + "\r\n" + "v".repeat(70000) + "\r\n";
        InputStream slow = new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        AofReader.Command c = (AofReader.Command) new AofReader(slow, 0, 1, true).next();
        assertEquals(70000, c.argv()[2].length);
        assertEquals(s.length(), c.end());
    }

    @Test
    void errorsInRedisCheckAofWords() {
        AofFormatException e = assertThrows(AofFormatException.class, () -> reader("*1\r\n$4\r\nPI", false).next());
        assertEquals("Expected to read 6 bytes, got 2 bytes", e.getMessage());
        assertEquals(8, e.offset());
        assertTrue(e.truncated());
        e = assertThrows(AofFormatException.class, () -> reader("*1\r\n$x\r\nPING\r\n", false).next());
        assertEquals("Expected \\r\\n, got: 780d", e.getMessage());
        assertFalse(e.truncated());
        e = assertThrows(AofFormatException.class, () -> reader("*1\r\n:4\r\n", false).next());
        assertEquals("Expected prefix '$', got: ':'", e.getMessage());
        e = assertThrows(AofFormatException.class, () -> reader("*1\r\n$4\r\nPINGxx", false).next());
        assertEquals("Expected \\r\\n, got: 7878", e.getMessage());
        e = assertThrows(AofFormatException.class, () -> reader("*1\r\n$-5\r\n", false).next());
        assertEquals("Expected to read string of -5 bytes, which is not in the suitable range", e.getMessage());
        e = assertThrows(AofFormatException.class, () -> reader("*2\r\n", false).next());
        assertEquals("", e.getMessage());
        e = assertThrows(AofFormatException.class, () -> reader("GET k\r\n", false).next());
        assertNull(e.getMessage());
        e = assertThrows(AofFormatException.class, () -> reader("*1\r\n$99999999999\r\nx", true).next());
        assertTrue(e.truncated(), e.getMessage());
    }
}
