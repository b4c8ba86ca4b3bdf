package io.tandem.storage.rdb;

import static io.tandem.storage.rdb.RdbTestData.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.storage.rdb.RdbValue.RdbHash;
import io.tandem.storage.rdb.RdbValue.RdbList;
import io.tandem.storage.rdb.RdbValue.RdbSet;
import io.tandem.storage.rdb.RdbValue.RdbZSet;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Reads the files real Redis 7.0.15 wrote (src/test/resources/rdb, see its README). */
class GoldenRdbTest {
    static InputStream golden(String name) {
        InputStream in = GoldenRdbTest.class.getResourceAsStream("/rdb/" + name);
        assertNotNull(in, name);
        return new java.io.BufferedInputStream(in, 7); // odd buffer: reads cross every boundary
    }

    @Test
    void allTypesDecodeToTheExactData() throws Exception {
        Map<String, String> aux = new HashMap<>();
        TreeMap<Integer, LinkedHashMap<String, RdbEntry>> got = new TreeMap<>();
        RdbFileReader.Result r = new RdbFileReader(golden("all-types.rdb")).read(new RdbVisitor() {
            @Override
            public void aux(byte[] key, byte[] value) {
                aux.put(new String(key, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
            }

            @Override
            public void entry(RdbEntry e) {
                got.computeIfAbsent(e.db(), x -> new LinkedHashMap<>()).put(new String(e.key(), StandardCharsets.UTF_8), e);
            }
        });
        assertSameData(allTypes(), got);
        assertEquals(10, r.version());
        assertEquals(20, r.keys());
        assertTrue(r.checksumVerified());
        assertEquals("7.0.15", aux.get("redis-ver"));
        assertEquals("64", aux.get("redis-bits"));
        assertTrue(aux.containsKey("ctime") && aux.containsKey("used-mem") && aux.containsKey("aof-base"));

        // the fast path: what Redis wrote as a listpack Tandem keeps as bytes
        Map<String, RdbEntry> d0 = got.get(0);
        assertNotNull(((RdbHash) d0.get("hash:small").value()).listpack());
        // this build's default hash-max-listpack-entries is 512, so 300 fields are still a listpack
        assertNotNull(((RdbHash) d0.get("hash:big").value()).listpack());
        assertNull(((RdbHash) d0.get("hash:longval").value()).listpack()); // a 100-byte value: hashtable, RDB_TYPE_HASH
        assertNotNull(((RdbList) d0.get("list:small").value()).listpack());
        assertNull(((RdbList) d0.get("list:big").value()).listpack()); // several quicklist nodes
        assertNotNull(((RdbZSet) d0.get("zset:small").value()).listpack());
        assertNotNull(assertInstanceOf(RdbSet.class, d0.get("set:int").value()).intset());
        assertNull(((RdbSet) d0.get("set:big").value()).intset());
    }

    @Test
    void noChecksumFileLoadsUnverified() throws Exception {
        TreeMap<Integer, LinkedHashMap<String, RdbEntry>> got = new TreeMap<>();
        RdbFileReader.Result r = new RdbFileReader(golden("no-checksum.rdb"))
                .read(e -> got.computeIfAbsent(e.db(), x -> new LinkedHashMap<>()).put(new String(e.key(), StandardCharsets.UTF_8), e));
        assertEquals(0, r.checksum());
        assertTrue(!r.checksumVerified());
        assertEquals(3, r.keys());
        assertEquals("abc".repeat(100), new String(((RdbValue.RdbString) got.get(0).get("long").value()).value(), StandardCharsets.UTF_8));
    }

    @Test
    void uncompressedFileLoads() throws Exception {
        TreeMap<Integer, LinkedHashMap<String, RdbEntry>> got = load(golden("no-compression.rdb"));
        assertEquals("abc".repeat(100), new String(((RdbValue.RdbString) got.get(0).get("long").value()).value(), StandardCharsets.UTF_8));
        assertEquals(strings(bl("1", "2")), strings(((RdbList) got.get(0).get("l").value()).elements()));
    }

    private static RdbFormatException failure(String name) {
        return assertThrows(RdbFormatException.class, () -> load(golden(name)));
    }

    @Test
    void truncatedInAValueNamesOffsetAndKey() {
        RdbFormatException e = failure("truncated-in-value.rdb");
        assertEquals("list:big", e.key());
        assertEquals(4097, e.offset());
        assertTrue(e.getMessage().matches("at offset \\d+ reading key 'list:big': unexpected end of file"), e.getMessage());
    }

    @Test
    void truncatedChecksumFails() {
        RdbFormatException e = failure("truncated-checksum.rdb");
        assertNull(e.key());
        assertEquals("unexpected end of file", e.reason());
        assertEquals(18689, e.offset());
    }

    @Test
    void flippedBitInAValueFailsTheChecksum() {
        RdbFormatException e = failure("bitflip-value.rdb");
        assertTrue(e.reason().startsWith("wrong RDB checksum"), e.getMessage());
        assertEquals(18693 - 8, e.offset());
    }

    @Test
    void flippedBitInTheStructureFailsAtTheKey() {
        RdbFormatException e = failure("bitflip-structure.rdb");
        assertEquals("str:lzf", e.key(), e.getMessage());
    }

    @Test
    void everyTruncationFailsNeverSilently() throws Exception {
        byte[] all;
        try (InputStream in = golden("all-types.rdb")) {
            all = in.readAllBytes();
        }
        for (int cut = 0; cut < all.length; cut += 97) {
            byte[] part = java.util.Arrays.copyOf(all, cut);
            assertThrows(RdbFormatException.class, () -> load(new java.io.ByteArrayInputStream(part)), "cut at " + cut);
        }
    }
}
