package io.tandem.storage.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RespWriterTest {
    private static String write(int proto, Consumer<RespWriter> w) {
        ByteBuf b = Unpooled.buffer();
        RespWriter out = new RespWriter(b);
        out.protocol(proto);
        w.accept(out);
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void resp2DegradesResp3Types() {
        assertEquals("*4\r\n", write(2, o -> o.map(2)));
        assertEquals("%2\r\n", write(3, o -> o.map(2)));
        assertEquals("$-1\r\n", write(2, RespWriter::nullBulk));
        assertEquals("*-1\r\n", write(2, RespWriter::nullArray));
        assertEquals("_\r\n", write(3, RespWriter::nullArray));
        assertEquals(":1\r\n", write(2, o -> o.bool(true)));
        assertEquals("#t\r\n", write(3, o -> o.bool(true)));
        assertEquals("$3\r\n1.5\r\n", write(2, o -> o.doubleValue(1.5)));
        assertEquals(",1.5\r\n", write(3, o -> o.doubleValue(1.5)));
        assertEquals("=8\r\ntxt:abcd\r\n", write(3, o -> o.verbatim("abcd")));
        assertEquals(">2\r\n", write(3, o -> o.push(2)));
    }

    @Test
    void integersWithoutAllocationMatchLongToString() {
        long[] values = {0, 1, -1, 9, 10, 1023, 1024, -1024, 123456789012L, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long v : values) {
            assertEquals(":" + v + "\r\n", write(2, o -> o.integer(v)));
            String s = Long.toString(v);
            assertEquals("$" + s.length() + "\r\n" + s + "\r\n", write(2, o -> o.bulkLong(v)));
        }
    }

    @Test
    void doublesAsRedisFormatsScores() {
        assertEquals("inf", RespWriter.formatDouble(Double.POSITIVE_INFINITY));
        assertEquals("-inf", RespWriter.formatDouble(Double.NEGATIVE_INFINITY));
        assertEquals("1", RespWriter.formatDouble(1.0));
        assertEquals("0.10000000000000001", RespWriter.formatDouble(0.1));
        assertEquals("1.5", RespWriter.formatDouble(1.5));
        assertEquals("1e+17", RespWriter.formatDouble(1e17));
        assertEquals("-2.5000000000000001e-05", RespWriter.formatDouble(-0.000025));
    }

    @Test
    void errorsStayOnOneLine() {
        assertEquals("-ERR a b\r\n", write(2, o -> o.error("ERR a\r\nb".replace("\r\n", "\n"))));
    }
}
