package io.tandem.storage.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request decoder against whole, split and byte-at-a-time input, and Redis's protocol abuse cases (tests/unit/protocol.tcl). */
class RequestDecoderTest {
    private static final long MAX_BULK = 512L * 1024 * 1024;

    private static List<List<String>> decodeChunks(List<byte[]> chunks) throws RespProtocolException {
        RequestDecoder d = new RequestDecoder(MAX_BULK);
        List<List<String>> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ByteBuf b = Unpooled.wrappedBuffer(chunk);
            d.decode(b, argv -> {
                List<String> cmd = new ArrayList<>();
                for (byte[] a : argv) cmd.add(new String(a, StandardCharsets.ISO_8859_1));
                out.add(cmd);
            });
            assertEquals(0, b.readableBytes(), "decoder must consume all input");
        }
        return out;
    }

    private static List<List<String>> decode(String s) throws RespProtocolException {
        return decodeChunks(List.of(s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static List<List<String>> decodeByteAtATime(String s) throws RespProtocolException {
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : s.getBytes(StandardCharsets.ISO_8859_1)) chunks.add(new byte[] {b});
        return decodeChunks(chunks);
    }

    private static String error(String s) {
        return assertThrows(RespProtocolException.class, () -> decode(s)).getMessage();
    }

    @Test
    void multibulkWholeSplitAndByteAtATimeAgree() throws Exception {
        String in = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\n";
        List<List<String>> expected = List.of(List.of("SET", "key", "va\r\nl"), List.of("PING"));
        assertEquals(expected, decode(in));
        assertEquals(expected, decodeByteAtATime(in));
        // every split point, including between CR and LF
        byte[] bytes = in.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 1; i < bytes.length; i++) {
            byte[] a = java.util.Arrays.copyOfRange(bytes, 0, i);
            byte[] b = java.util.Arrays.copyOfRange(bytes, i, bytes.length);
            assertEquals(expected, decodeChunks(List.of(a, b)), "split at " + i);
        }
    }

    @Test
    void inlineCommandsAsTypedIntoTelnet() throws Exception {
        assertEquals(List.of(List.of("SET", "k", "hello world"), List.of("GET", "k")),
                decodeByteAtATime("SET k \"hello world\"\r\nGET k\n"));
        assertEquals(List.of(List.of("SET", "k", "a\nb\u0001")), decode("SET k \"a\\nb\\x01\"\r\n"));
        assertEquals(List.of(List.of("ECHO", "it's")), decode("ECHO 'it\\'s'\r\n"));
        assertEquals(List.of(), decode("\r\n   \r\n"), "empty lines are ignored");
    }

    @Test
    void emptyAndNegativeMultibulkAreSkipped() throws Exception {
        assertEquals(List.of(List.of("PING")), decode("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n"));
    }

    @Test
    void binarySafeArguments() throws Exception {
        Random r = new Random(1);
        byte[] payload = new byte[100_000];
        r.nextBytes(payload);
        RequestDecoder d = new RequestDecoder(MAX_BULK);
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(("*2\r\n$4\r\nECHO\r\n$" + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(payload);
        b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        List<byte[][]> got = new ArrayList<>();
        // feed in random-sized pieces
        while (b.isReadable()) {
            ByteBuf piece = b.readSlice(Math.min(b.readableBytes(), 1 + r.nextInt(5000)));
            d.decode(piece, got::add);
        }
        assertEquals(1, got.size());
        assertArrayEquals(payload, got.get(0)[1]);
        assertTrue(d.idle());
    }

    @Test
    void protocolErrorsUseRedisTexts() {
        assertEquals("invalid multibulk length", error("*3000000000\r\n"));
        assertEquals("invalid multibulk length", error("*20000000000000000000\r\n"));
        assertEquals("invalid multibulk length", error("*abc\r\n"));
        assertEquals("invalid bulk length", error("*1\r\n$-10\r\n"));
        assertEquals("invalid bulk length", error("*1\r\n$2000000000000\r\n"));
        assertEquals("invalid bulk length", error("*1\r\n$x\r\n"));
        assertEquals("expected '$', got 'f'", error("*1\r\nfoo\r\n"));
        assertEquals("unbalanced quotes in request", error("SET k \"abc\r\n"));
        assertEquals("unbalanced quotes in request", error("SET k \"abc\"d\r\n"));
        assertEquals("unbalanced quotes in request", error("SET k 'abc\r\n"));
    }

    @Test
    void oversizeLinesAreRefused() {
        String big = "a".repeat(RequestDecoder.MAX_LINE + 1);
        assertEquals("too big inline request", error(big));
        assertEquals("too big mbulk count string", error("*" + "1".repeat(RequestDecoder.MAX_LINE + 1)));
        assertEquals("too big bulk count string", error("*1\r\n$" + "1".repeat(RequestDecoder.MAX_LINE + 1)));
    }

    @Test
    void bulkAboveProtoMaxBulkLenIsRefused() {
        RequestDecoder d = new RequestDecoder(1024);
        ByteBuf b = Unpooled.copiedBuffer("*1\r\n$1025\r\n", StandardCharsets.US_ASCII);
        RespProtocolException e = assertThrows(RespProtocolException.class, () -> d.decode(b, argv -> {}));
        assertEquals("invalid bulk length", e.getMessage());
    }

    @Test
    void pendingBytesTracksAPartialCommand() throws Exception {
        RequestDecoder d = new RequestDecoder(MAX_BULK);
        d.decode(Unpooled.copiedBuffer("*2\r\n$3\r\nGET\r\n$10\r\n12345", StandardCharsets.US_ASCII), argv -> {});
        assertEquals(3 + 5, d.pendingBytes());
        assertTrue(!d.idle());
    }

    @Test
    void randomCommandsSurviveRandomSplits() throws Exception {
        Random r = new Random(42);
        List<List<String>> expected = new ArrayList<>();
        StringBuilder wire = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            int argc = 1 + r.nextInt(5);
            List<String> cmd = new ArrayList<>();
            wire.append('*').append(argc).append("\r\n");
            for (int j = 0; j < argc; j++) {
                StringBuilder a = new StringBuilder();
                int len = r.nextInt(20);
                for (int k = 0; k < len; k++) a.append((char) r.nextInt(256));
                cmd.add(a.toString());
                wire.append('$').append(len).append("\r\n").append(a).append("\r\n");
            }
            expected.add(cmd);
        }
        byte[] bytes = wire.toString().getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> chunks = new ArrayList<>();
        int p = 0;
        while (p < bytes.length) {
            int n = Math.min(bytes.length - p, 1 + r.nextInt(64));
            chunks.add(java.util.Arrays.copyOfRange(bytes, p, p + n));
            p += n;
        }
        assertEquals(expected, decodeChunks(chunks));
    }
}
