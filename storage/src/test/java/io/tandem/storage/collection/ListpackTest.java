package io.tandem.storage.collection;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ListpackTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The listpack inside Redis 7.0.15's {@code DUMP} of {@code HSET hh a 1 -1 1000}
     * (RDB type 0x10 = hash listpack, then the listpack as an 18-byte string).
     */
    @Test
    void encodingMatchesRedisByteForByte() {
        byte[] lp = Listpack.encode(List.of(b("a"), b("1"), b("-1"), b("1000")));
        assertEquals("120000000400" + "816102" + "0101" + "dfff02" + "c3e802" + "ff", HexFormat.of().formatHex(lp));
        assertEquals(4, Listpack.count(lp));
    }

    @Test
    void roundTripsEveryEncoding() {
        Random rnd = new Random(1);
        List<byte[]> in = new ArrayList<>();
        String[] fixed = {"0", "127", "128", "-1", "-4096", "4095", "4096", "-4097", "32767", "-32768", "32768",
            "8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "01", "-0", "+1", "", " 1", "1 "};
        for (String s : fixed) in.add(b(s));
        for (int len : new int[] {63, 64, 4095, 4096, 20000}) {
            byte[] e = new byte[len];
            rnd.nextBytes(e);
            in.add(e);
        }
        for (int i = 0; i < 70000; i++) in.add(b(Integer.toString(i % 300)));
        byte[] lp = Listpack.encode(in);
        assertEquals(in.size(), Listpack.count(lp));
        assertEquals(lp.length, Listpack.bytesFor(in));
        List<byte[]> out = Listpack.decode(lp);
        assertEquals(in.size(), out.size());
        for (int i = 0; i < in.size(); i++) assertArrayEquals(in.get(i), out.get(i), "element " + i);
    }
}
