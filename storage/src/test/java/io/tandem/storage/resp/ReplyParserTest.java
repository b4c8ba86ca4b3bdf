package io.tandem.storage.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReplyParserTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds the input one byte at a time (each byte in its own buffer, released after). */
    private static List<Object> oneByteAtATime(ReplyParser p, String input) throws RespProtocolException {
        List<Object> out = new ArrayList<>();
        for (byte x : b(input)) {
            ByteBuf buf = Unpooled.buffer(1).writeByte(x);
            try {
                p.parse(buf, out::add);
                assertFalse(buf.isReadable());
            } finally {
                buf.release();
            }
        }
        return out;
    }

    private static List<Object> whole(ReplyParser p, String input) throws RespProtocolException {
        List<Object> out = new ArrayList<>();
        ByteBuf buf = Unpooled.wrappedBuffer(b(input));
        p.parse(buf, out::add);
        buf.release();
        return out;
    }

    private static final String RESP2 =
            "+OK\r\n"
            + "-ERR unknown command 'FOO'\r\n"
            + ":42\r\n"
            + ":-7\r\n"
            + "$5\r\nhello\r\n"
            + "$0\r\n\r\n"
            + "$-1\r\n"
            + "*-1\r\n"
            + "*0\r\n"
            + "*3\r\n$1\r\na\r\n:1\r\n*2\r\n$-1\r\n*1\r\n+x\r\n"
            + "$4\r\na\r\nb\r\n";

    private static void checkResp2(List<Object> r) {
        assertEquals(11, r.size());
        assertEquals("OK", r.get(0));
        assertEquals(new ReplyParser.ErrorReply("ERR unknown command 'FOO'"), r.get(1));
        assertEquals("ERR", ((ReplyParser.ErrorReply) r.get(1)).code());
        assertEquals(42L, r.get(2));
        assertEquals(-7L, r.get(3));
        assertArrayEquals(b("hello"), (byte[]) r.get(4));
        assertArrayEquals(new byte[0], (byte[]) r.get(5));
        assertNull(r.get(6));
        assertNull(r.get(7));
        assertEquals(List.of(), r.get(8));
        List<?> nested = (List<?>) r.get(9);
        assertEquals(3, nested.size());
        assertArrayEquals(b("a"), (byte[]) nested.get(0));
        assertEquals(1L, nested.get(1));
        List<?> inner = (List<?>) nested.get(2);
        assertNull(inner.get(0));
        assertEquals(List.of("x"), inner.get(1));
        assertArrayEquals(b("a\r\nb"), (byte[]) r.get(10));
    }

    @Test
    void resp2OneByteAtATime() throws Exception {
        checkResp2(oneByteAtATime(new ReplyParser(true), RESP2));
    }

    @Test
    void resp2Whole() throws Exception {
        checkResp2(whole(new ReplyParser(true), RESP2));
    }

    @Test
    void everySplitPoint() throws Exception {
        byte[] in = b(RESP2);
        for (int cut = 0; cut <= in.length; cut++) {
            ReplyParser p = new ReplyParser(true);
            List<Object> out = new ArrayList<>();
            p.parse(Unpooled.wrappedBuffer(in, 0, cut), out::add);
            p.parse(Unpooled.wrappedBuffer(in, cut, in.length - cut), out::add);
            checkResp2(out);
            assertTrue(p.idle());
        }
    }

    @Test
    void resp3OneByteAtATime() throws Exception {
        String in = "_\r\n"
                + "#t\r\n"
                + "#f\r\n"
                + ",3.25\r\n"
                + ",inf\r\n"
                + ",-inf\r\n"
                + "(3492890328409238509324850943850943825024385\r\n"
                + "!21\r\nSYNTAX invalid syntax\r\n"
                + "=15\r\ntxt:Some string\r\n"
                + "%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n_\r\n"
                + "~2\r\n+a\r\n+b\r\n"
                + ">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n"
                + "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2\r\n:3\r\n"
                + "*2\r\n|1\r\n+ttl\r\n:3600\r\n:9\r\n:10\r\n";
        List<Object> r = oneByteAtATime(new ReplyParser(true), in);
        assertEquals(14, r.size());
        assertNull(r.get(0));
        assertEquals(Boolean.TRUE, r.get(1));
        assertEquals(Boolean.FALSE, r.get(2));
        assertEquals(3.25, r.get(3));
        assertEquals(Double.POSITIVE_INFINITY, r.get(4));
        assertEquals(Double.NEGATIVE_INFINITY, r.get(5));
        assertEquals(new BigInteger("3492890328409238509324850943850943825024385"), r.get(6));
        assertEquals(new ReplyParser.ErrorReply("SYNTAX invalid syntax"), r.get(7));
        ReplyParser.Verbatim v = (ReplyParser.Verbatim) r.get(8);
        assertEquals("txt", v.format());
        assertArrayEquals(b("Some string"), v.text());
        ReplyParser.RespMap m = (ReplyParser.RespMap) r.get(9);
        assertEquals(2, m.size());
        assertEquals("first", m.keysAndValues().get(0));
        assertEquals(1L, m.keysAndValues().get(1));
        assertArrayEquals(b("second"), (byte[]) m.keysAndValues().get(2));
        assertNull(m.keysAndValues().get(3));
        assertEquals(List.of("a", "b"), ((ReplyParser.RespSet) r.get(10)).elements());
        ReplyParser.Push push = (ReplyParser.Push) r.get(11);
        assertEquals("message", push.elements().get(0));
        assertEquals(List.of(2L, 3L), r.get(12)); // the attribute is dropped
        List<?> withAttr = (List<?>) r.get(13);
        assertEquals(List.of(9L, 10L), withAttr);
    }

    @Test
    void countingModeReportsOnlyTopLevelRepliesAndErrors() throws Exception {
        String in = "+OK\r\n$3\r\nabc\r\n*2\r\n$1\r\nx\r\n*1\r\n:5\r\n-WRONGTYPE Operation\r\n"
                + "*2\r\n+OK\r\n-ERR inside\r\n:1\r\n";
        List<Object> r = oneByteAtATime(new ReplyParser(false), in);
        assertEquals(6, r.size());
        assertSame(ReplyParser.OK_REPLY, r.get(0));
        assertSame(ReplyParser.OK_REPLY, r.get(1));
        assertSame(ReplyParser.OK_REPLY, r.get(2));
        assertEquals("WRONGTYPE", ((ReplyParser.ErrorReply) r.get(3)).code());
        assertEquals(new ReplyParser.ErrorReply("ERR inside"), r.get(4));
        assertSame(ReplyParser.OK_REPLY, r.get(5));
    }

    @Test
    void largeBulkAcrossManyChunks() throws Exception {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'z');
        ByteBuf all = Unpooled.buffer();
        new RespWriter(all).bulk(big);
        ReplyParser p = new ReplyParser(true);
        List<Object> out = new ArrayList<>();
        while (all.isReadable()) {
            p.parse(all.readSlice(Math.min(777, all.readableBytes())), out::add);
        }
        assertEquals(1, out.size());
        assertArrayEquals(big, (byte[]) out.get(0));
    }

    @Test
    void garbageIsAProtocolError() {
        assertThrows(RespProtocolException.class, () -> whole(new ReplyParser(true), "hello\r\n"));
        assertThrows(RespProtocolException.class, () -> whole(new ReplyParser(true), ":12a\r\n"));
        assertThrows(RespProtocolException.class, () -> whole(new ReplyParser(true), "$-5\r\n"));
        assertThrows(RespProtocolException.class, () -> whole(new ReplyParser(true), "#x\r\n"));
    }
}
