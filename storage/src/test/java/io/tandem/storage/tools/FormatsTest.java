package io.tandem.storage.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FormatsTest {
    static String json(byte[] b) {
        StringBuilder sb = new StringBuilder();
        Formats.json(sb, b);
        return sb.toString();
    }

    @Test
    void jsonStrings() {
        assertEquals("\"plain text\"", json("plain text".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\"", json("q\"b\\n\n\t\u0001\u007f".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("\"h\u00e9 \u20ac\"", json("h\u00e9 \u20ac".getBytes(StandardCharsets.UTF_8)));
        // not UTF-8: one char per byte, escaped
        assertEquals("\"a\\u00ff\\u0080\"", json(new byte[] {'a', (byte) 0xff, (byte) 0x80}));
        assertEquals("\"\"", json(new byte[0]));
    }

    @Test
    void scoresReadBackExactly() {
        assertEquals("1", Formats.score(1.0));
        assertEquals("-3", Formats.score(-3.0));
        assertEquals("2.5", Formats.score(2.5));
        assertEquals("inf", Formats.score(Double.POSITIVE_INFINITY));
        assertEquals("-inf", Formats.score(Double.NEGATIVE_INFINITY));
        assertEquals("-0.0", Formats.score(-0.0));
        for (double d : new double[] {0.1, 1e20, 1.7976931348623157e308, 4.9e-324, 123456789012345.67, -2.5e-7}) {
            assertEquals(d, Double.parseDouble(Formats.score(d)));
        }
        assertEquals("\"inf\"", Formats.jsonScore(Double.POSITIVE_INFINITY));
        assertEquals("a", Formats.csv("a"));
        assertEquals("\"a,\"\"b\"\"\"", Formats.csv("a,\"b\""));
    }
}
