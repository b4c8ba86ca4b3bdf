package io.tandem.storage.rdb;

import static io.tandem.storage.rdb.RdbTestData.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbSet;
import io.tandem.storage.rdb.RdbValue.RdbString;
import io.tandem.storage.rdb.RdbValue.RdbZSet;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Primitives and the old encodings Redis 7.0 no longer writes (hand-built per ziplist.c / zipmap.c / rdb.c). */
class RdbValueCodecTest {
    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    static RdbValueReader reader(byte[] b) {
        return new RdbValueReader(new RdbInput(b, 0, b.length));
    }

    static byte[] written(ThrowingWriter w) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RdbValueWriter vw = new RdbValueWriter(RdbSink.of(out), true);
        w.write(vw);
        vw.flush();
        return out.toByteArray();
    }

    interface ThrowingWriter {
        void write(RdbValueWriter w) throws Exception;
    }

    @Test
    void lengthsUseTheSmallestOfFourForms() throws Exception {
        assertEquals("3f", HexFormat.of().formatHex(written(w -> w.writeLength(63))));
        assertEquals("4040", HexFormat.of().formatHex(written(w -> w.writeLength(64))));
        assertEquals("7fff", HexFormat.of().formatHex(written(w -> w.writeLength(16383))));
        assertEquals("8000004000", HexFormat.of().formatHex(written(w -> w.writeLength(16384))));
        assertEquals("810000000100000000", HexFormat.of().formatHex(written(w -> w.writeLength(1L << 32))));
        for (long n : new long[] {0, 63, 64, 16383, 16384, 0xFFFFFFFFL, 1L << 32, Long.MAX_VALUE}) {
            assertEquals(n, reader(written(w -> w.writeLength(n))).readLength());
        }
    }

    @Test
    void integerStringsAsRedisEncodesThem() throws Exception {
        assertEquals("c07b", HexFormat.of().formatHex(written(w -> w.writeString(b("123")))));
        assertEquals("c1e803", HexFormat.of().formatHex(written(w -> w.writeString(b("1000")))));
        assertEquals("c2a0860100", HexFormat.of().formatHex(written(w -> w.writeString(b("100000")))));
        // not canonical or too wide: raw
        assertEquals("03303132", HexFormat.of().formatHex(written(w -> w.writeString(b("012")))));
        assertEquals("0a34323934393637323936", HexFormat.of().formatHex(written(w -> w.writeString(b("4294967296")))));
        for (String s : new String[] {"-128", "127", "-32768", "32767", "-2147483648", "2147483647", "-0", "+1", "", "x".repeat(100)}) {
            assertEquals(s, new String(reader(written(w -> w.writeString(b(s)))).readString()));
        }
    }

    @Test
    void doublesInBothForms() throws Exception {
        for (double d : new double[] {0, -1.5, 3.14159, 1e300, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertEquals(d, reader(written(w -> w.writeBinaryDouble(d))).readBinaryDouble());
            assertEquals(d, reader(written(w -> w.writeStringDouble(d))).readStringDouble());
        }
        assertTrue(Double.isNaN(reader(hex("fd")).readStringDouble()));
        assertEquals(2.5, reader(hex("03 322e35")).readStringDouble()); // "2.5" as %.17g writers wrote it
    }

    @Test
    void oldLinkedListSetAndZsetTypes() throws Exception {
        // LIST (1): 2 strings
        RdbValue l = reader(hex("02 0161 c005")).readValue(Rdb.TYPE_LIST);
        assertEquals(List.of("a", "5"), strings(((RdbList) l).elements()));
        // ZSET (3): member "m", score "1.5" (string form); member "n", score +inf
        RdbValue z = reader(hex("02 016d 03312e35 016e fe")).readValue(Rdb.TYPE_ZSET);
        assertEquals(Map.of("m", 1.5, "n", Double.POSITIVE_INFINITY), zmap((RdbZSet) z));
        // HASH (4)
        RdbValue h = reader(hex("01 0166 0176")).readValue(Rdb.TYPE_HASH);
        assertEquals(Map.of("f", "v"), hmap(((RdbHash) h).pairs()));
    }

    /** A ziplist of entries "a", 12 (immediate), -2 (int8), 1000 (int16), 70000 (int24 in 7.0? no: int32), "bb". */
    static byte[] ziplist() {
        byte[] entries = hex("00 0161" + "03 fd" + "02 fe fe" + "03 c0 e803" + "04 d0 70110100" + "06 02 6262");
        int total = 10 + entries.length + 1;
        byte[] zl = new byte[total];
        zl[0] = (byte) total;
        zl[4] = (byte) (total - 1 - 4); // zltail: not checked by readers
        zl[8] = 6;
        System.arraycopy(entries, 0, zl, 10, entries.length);
        zl[total - 1] = (byte) 0xFF;
        return zl;
    }

    private static byte[] asRdbString(byte[] blob) {
        byte[] out = new byte[blob.length + 1];
        out[0] = (byte) blob.length; // < 64
        System.arraycopy(blob, 0, out, 1, blob.length);
        return out;
    }

    @Test
    void ziplistEncodingsOfRedis6() throws Exception {
        List<String> want = List.of("a", "12", "-2", "1000", "70000", "bb");
        assertEquals(want, strings(LegacyBlobs.ziplist(ziplist())));
        RdbValue l = reader(asRdbString(ziplist())).readValue(Rdb.TYPE_LIST_ZIPLIST);
        assertEquals(want, strings(((RdbList) l).elements()));
        // LIST_QUICKLIST (14): two ziplist nodes
        byte[] one = asRdbString(ziplist());
        byte[] two = new byte[1 + 2 * one.length];
        two[0] = 2;
        System.arraycopy(one, 0, two, 1, one.length);
        System.arraycopy(one, 0, two, 1 + one.length, one.length);
        assertEquals(12, ((RdbList) reader(two).readValue(Rdb.TYPE_LIST_QUICKLIST)).elements().size());
        // HASH_ZIPLIST (13) / ZSET_ZIPLIST (12) come out as listpacks (Redis 7.0 converts them too)
        RdbHash h = (RdbHash) reader(asRdbString(ziplist())).readValue(Rdb.TYPE_HASH_ZIPLIST);
        assertEquals(Map.of("a", "12", "-2", "1000", "70000", "bb"), hmap(h.pairs()));
        assertTrue(h.listpack() != null);
        byte[] zz = ziplistOf("00 016d" + "02 f3"); // "m" -> 2
        RdbZSet z = (RdbZSet) reader(asRdbString(zz)).readValue(Rdb.TYPE_ZSET_ZIPLIST);
        assertEquals(Map.of("m", 2.0), zmap(z));
    }

    static byte[] ziplistOf(String entriesHex) {
        byte[] entries = hex(entriesHex);
        int total = 10 + entries.length + 1;
        byte[] zl = new byte[total];
        zl[0] = (byte) total;
        zl[8] = (byte) 0xFF; // count unknown
        zl[9] = (byte) 0xFF;
        System.arraycopy(entries, 0, zl, 10, entries.length);
        zl[total - 1] = (byte) 0xFF;
        return zl;
    }

    @Test
    void zipmapOfRedis2() throws Exception {
        // zmlen 2; "f" -> "v" (free 0); "foo" -> "barx" with 1 free byte
        byte[] zm = hex("02 01 66 01 00 76 03 666f6f 03 01 626172 00 ff");
        RdbHash h = (RdbHash) reader(asRdbString(zm)).readValue(Rdb.TYPE_HASH_ZIPMAP);
        assertEquals(Map.of("f", "v", "foo", "bar"), hmap(h.pairs()));
    }

    @Test
    void intsetAndSetListpack() throws Exception {
        byte[] is = Intsets.encode(new long[] {3, 1, 2, 70000});
        assertEquals("04000000" + "04000000" + "01000000020000000300000070110100", HexFormat.of().formatHex(is));
        RdbSet s = (RdbSet) reader(asRdbString(is)).readValue(Rdb.TYPE_SET_INTSET);
        assertEquals(List.of("1", "2", "3", "70000"), strings(s.members()));
        byte[] lp = io.tandem.storage.collection.Listpack.encode(bl("x", "7"));
        RdbSet s2 = (RdbSet) reader(asRdbString(lp)).readValue(Rdb.TYPE_SET_LISTPACK);
        assertEquals(List.of("x", "7"), strings(s2.members()));
        // unsorted intset refused
        assertThrows(RdbFormatException.class, () -> reader(asRdbString(hex("02000000 02000000 0200 0100"))).readValue(Rdb.TYPE_SET_INTSET));
    }

    @Test
    void modulesAndStreamsAreRefusedClearly() {
        for (int t : new int[] {Rdb.TYPE_MODULE_2, Rdb.TYPE_STREAM_LISTPACKS, Rdb.TYPE_STREAM_LISTPACKS_2, Rdb.TYPE_STREAM_LISTPACKS_3}) {
            RdbFormatException e = assertThrows(RdbFormatException.class, () -> reader(hex("00")).readValue(t));
            assertTrue(e.reason().contains("not supported"), e.getMessage());
        }
    }

    @Test
    void corruptBlobsFailWithAReason() throws Exception {
        byte[] lp = io.tandem.storage.collection.Listpack.encode(bl("a", "b"));
        for (int i = 0; i < lp.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = lp.clone();
                bad[i] ^= (byte) (1 << bit);
                try {
                    RdbValue v = reader(asRdbString(bad)).readValue(Rdb.TYPE_HASH_LISTPACK);
                    ((RdbHash) v).pairs(); // a flip that still validates must decode
                } catch (RdbFormatException expected) {
                    // fine: named reason
                }
            }
        }
        for (int cut = 0; cut < 16; cut++) {
            byte[] zl = java.util.Arrays.copyOf(ziplist(), cut + 2);
            assertThrows(RdbFormatException.class, () -> reader(asRdbString(zl)).readValue(Rdb.TYPE_LIST_ZIPLIST));
        }
        // an LZF header promising far more than its input could hold
        assertThrows(RdbFormatException.class, () -> reader(hex("c3 01 8400000000 00")).readString());
    }

    @Test
    void fileVersionsAndUnknownAux() throws Exception {
        byte[] v11 = hex("5245444953303031 31" + "fa 03666f6f 03626172" + "00 016b 0176" + "ff");
        RdbFileReader.Result r = new RdbFileReader(new java.io.ByteArrayInputStream(appendCrc(v11))).read(e -> {
            assertEquals("v", new String(((RdbString) e.value()).value()));
        });
        assertEquals(11, r.version());
        assertTrue(r.checksumVerified());
        byte[] v12 = hex("5245444953303031 32 ff");
        RdbFormatException e = assertThrows(RdbFormatException.class, () -> new RdbFileReader(new java.io.ByteArrayInputStream(v12)).read(x -> {}));
        assertTrue(e.reason().contains("version 12"));
        // version 4 (no checksum trailer) with an old seconds expiry
        byte[] v4 = hex("5245444953303030 34" + "fd 00e1f505" + "00 016b 0176" + "ff");
        new RdbFileReader(new java.io.ByteArrayInputStream(v4)).read(x -> assertEquals(100_000_000_000L, x.expireAtMs()));
    }

    static byte[] appendCrc(byte[] b) {
        long crc = Crc64.of(b);
        byte[] out = java.util.Arrays.copyOf(b, b.length + 8);
        for (int i = 0; i < 8; i++) out[b.length + i] = (byte) (crc >>> (8 * i));
        return out;
    }
}
