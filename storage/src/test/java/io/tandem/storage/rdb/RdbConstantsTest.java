package io.tandem.storage.rdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Pins every persisted code: these numbers are in files and DUMP payloads, they must never change. */
class RdbConstantsTest {
    @Test
    void typeNumbersAreRedis70s() {
        assertEquals(0, Rdb.TYPE_STRING);
        assertEquals(1, Rdb.TYPE_LIST);
        assertEquals(2, Rdb.TYPE_SET);
        assertEquals(3, Rdb.TYPE_ZSET);
        assertEquals(4, Rdb.TYPE_HASH);
        assertEquals(5, Rdb.TYPE_ZSET_2);
        assertEquals(6, Rdb.TYPE_MODULE);
        assertEquals(7, Rdb.TYPE_MODULE_2);
        assertEquals(9, Rdb.TYPE_HASH_ZIPMAP);
        assertEquals(10, Rdb.TYPE_LIST_ZIPLIST);
        assertEquals(11, Rdb.TYPE_SET_INTSET);
        assertEquals(12, Rdb.TYPE_ZSET_ZIPLIST);
        assertEquals(13, Rdb.TYPE_HASH_ZIPLIST);
        assertEquals(14, Rdb.TYPE_LIST_QUICKLIST);
        assertEquals(15, Rdb.TYPE_STREAM_LISTPACKS);
        assertEquals(16, Rdb.TYPE_HASH_LISTPACK);
        assertEquals(17, Rdb.TYPE_ZSET_LISTPACK);
        assertEquals(18, Rdb.TYPE_LIST_QUICKLIST_2);
        assertEquals(19, Rdb.TYPE_STREAM_LISTPACKS_2);
        assertEquals(20, Rdb.TYPE_SET_LISTPACK);
        assertEquals(21, Rdb.TYPE_STREAM_LISTPACKS_3);
    }

    @Test
    void opcodesAreRedis70s() {
        assertEquals(245, Rdb.OPCODE_FUNCTION2);
        assertEquals(246, Rdb.OPCODE_FUNCTION);
        assertEquals(247, Rdb.OPCODE_MODULE_AUX);
        assertEquals(248, Rdb.OPCODE_IDLE);
        assertEquals(249, Rdb.OPCODE_FREQ);
        assertEquals(250, Rdb.OPCODE_AUX);
        assertEquals(251, Rdb.OPCODE_RESIZEDB);
        assertEquals(252, Rdb.OPCODE_EXPIRETIME_MS);
        assertEquals(253, Rdb.OPCODE_EXPIRETIME);
        assertEquals(254, Rdb.OPCODE_SELECTDB);
        assertEquals(255, Rdb.OPCODE_EOF);
    }

    @Test
    void encodingsAndVersion() {
        assertEquals(10, Rdb.VERSION);
        assertEquals(0, Rdb.LEN_6BIT);
        assertEquals(1, Rdb.LEN_14BIT);
        assertEquals(0x80, Rdb.LEN_32BIT);
        assertEquals(0x81, Rdb.LEN_64BIT);
        assertEquals(3, Rdb.LEN_ENCVAL);
        assertEquals(0, Rdb.ENC_INT8);
        assertEquals(1, Rdb.ENC_INT16);
        assertEquals(2, Rdb.ENC_INT32);
        assertEquals(3, Rdb.ENC_LZF);
        assertEquals(1, Rdb.QUICKLIST_NODE_PLAIN);
        assertEquals(2, Rdb.QUICKLIST_NODE_PACKED);
        assertEquals(253, Rdb.DOUBLE_NAN);
        assertEquals(254, Rdb.DOUBLE_POS_INF);
        assertEquals(255, Rdb.DOUBLE_NEG_INF);
    }

    @Test
    void crc64IsRedisCrc64() {
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(0, Crc64.of(new byte[0]));
        // incremental == one shot, across the 8-byte stepping
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + 7);
        long once = Crc64.of(data);
        for (int split = 0; split <= 17; split++) {
            assertEquals(once, Crc64.update(Crc64.update(0, data, 0, split), data, split, data.length - split));
        }
    }
}
