package io.tandem.storage.aof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The manifest grammar of Redis 7.0's aofLoadManifestFromFile and sdssplitargs. */
class AofManifestTest {
    static AofManifest parse(String s) throws AofManifest.ManifestException {
        return AofManifest.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void redisManifest() throws Exception {
        AofManifest m = parse("file appendonly.aof.1.base.rdb seq 1 type b\n"
                + "# a comment\n"
                + "file appendonly.aof.1.incr.aof seq 1 type h\n"
                + "file appendonly.aof.2.incr.aof seq 2 type i\n"
                + "file appendonly.aof.3.incr.aof type i seq 3 future-key x\n");
        assertEquals("appendonly.aof.1.base.rdb", m.base().fileName());
        assertEquals(List.of("appendonly.aof.1.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.3.incr.aof"),
                m.loadOrder().stream().map(AofManifest.AofInfo::fileName).toList());
        assertEquals(1, m.history().size());
    }

    @Test
    void quotedNamesAsAofInfoFormatWritesThem() throws Exception {
        AofManifest m = parse("file \"my file\\x41\\n.aof\" seq 1 type i\nfile 'it\\'s.aof' seq 2 type i\n");
        assertEquals("my fileA\n.aof", m.incrs().get(0).fileName());
        assertEquals("it's.aof", m.incrs().get(1).fileName());
        assertNull(AofManifest.splitArgs("file \"unbalanced seq 1"));
        assertNull(AofManifest.splitArgs("file \"a\"b seq 1"));
        assertEquals(List.of("a", "b c", "d"), AofManifest.splitArgs("  a \"b c\"   d  "));
    }

    @Test
    void refusedAsRedisRefusesThem() {
        String[][] cases = {
            {"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information at line 2"},
            {"file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number at line 2"},
            {"file a seq 1\n", "Invalid AOF manifest file format at line 1"},
            {"file a seq 1 type\n", "Invalid AOF manifest file format at line 1"},
            {"file a seq 0 type i\n", "Invalid AOF manifest file format at line 1"},
            {"file a seq 1 type x\n", "Unknown AOF file type at line 1"},
            {"file dir/a seq 1 type i\n", "File can't be a path, just a filename at line 1"},
            {"\n", "Invalid AOF manifest file format at line 1"},
            {"file a seq 1 type i", "The AOF manifest file contains too long line at line 1"},
            {"# only a comment\n", "Found an empty AOF manifest"},
        };
        for (String[] c : cases) {
            AofManifest.ManifestException e = assertThrows(AofManifest.ManifestException.class, () -> parse(c[0]), c[0]);
            assertEquals(c[1], e.getMessage());
        }
        assertTrue(true);
    }
}
