package io.tandem.storage.rdb;

/**
 * The numbers of the RDB format (Redis 7.0.15's {@code rdb.h}), one constant per persisted code.
 * These values are written to disk and into DUMP payloads: never renumber them
 * ({@code RdbConstantsTest} pins every one).
 *
 * <pre>
 * file    = "REDIS" version:4 ASCII digits, then records, then EOF opcode, then CRC64:8 LE
 * record  = opcode args...                  (an opcode byte &gt;= 245)
 *         | [EXPIRETIME_MS t:8 LE] [IDLE|FREQ ...] type:1 key:string value
 * length  = 00xxxxxx                        6-bit length
 *         | 01xxxxxx xxxxxxxx               14-bit length, big end first
 *         | 0x80 n:4 BE | 0x81 n:8 BE       32/64-bit length
 *         | 11xxxxxx                        a special string encoding (ENC_*) follows
 * string  = length bytes | 0xC0 int8 | 0xC1 int16 LE | 0xC2 int32 LE
 *         | 0xC3 compressed-length:length raw-length:length LZF-bytes
 * DUMP    = type:1 value  version:2 LE  CRC64:8 LE (over everything before it)
 * </pre>
 */
public final class Rdb {
    private Rdb() {}

    /** The version Redis 7.0 writes (header "REDIS0010", DUMP footer 10). */
    public static final int VERSION = 10;
    /** Oldest and newest versions read (11 is Redis 7.2, whose SET_LISTPACK we read). */
    public static final int MIN_READ_VERSION = 1;
    public static final int MAX_READ_VERSION = 11;

    // ------------------------------------------------------------------ value types
    public static final int TYPE_STRING = 0;
    /** Linked list of strings (before 3.2). */
    public static final int TYPE_LIST = 1;
    public static final int TYPE_SET = 2;
    /** Sorted set with scores as strings (before 3.2). */
    public static final int TYPE_ZSET = 3;
    public static final int TYPE_HASH = 4;
    /** Sorted set with binary double scores. */
    public static final int TYPE_ZSET_2 = 5;
    /** Module value, old format (refused). */
    public static final int TYPE_MODULE = 6;
    /** Module value (refused: Tandem has no modules). */
    public static final int TYPE_MODULE_2 = 7;
    /** Hash as a zipmap blob (before 2.6). */
    public static final int TYPE_HASH_ZIPMAP = 9;
    /** List as one ziplist blob (before 3.2). */
    public static final int TYPE_LIST_ZIPLIST = 10;
    /** Set of integers as an intset blob. */
    public static final int TYPE_SET_INTSET = 11;
    /** Sorted set as a ziplist blob (before 7.0). */
    public static final int TYPE_ZSET_ZIPLIST = 12;
    /** Hash as a ziplist blob (before 7.0). */
    public static final int TYPE_HASH_ZIPLIST = 13;
    /** List as a quicklist of ziplist nodes (3.2 to 6.2). */
    public static final int TYPE_LIST_QUICKLIST = 14;
    /** Stream (refused: Tandem has no streams yet). */
    public static final int TYPE_STREAM_LISTPACKS = 15;
    public static final int TYPE_HASH_LISTPACK = 16;
    public static final int TYPE_ZSET_LISTPACK = 17;
    /** List as a quicklist of listpack (or plain) nodes (7.0). */
    public static final int TYPE_LIST_QUICKLIST_2 = 18;
    public static final int TYPE_STREAM_LISTPACKS_2 = 19;
    /** Set as a listpack (7.2, RDB 11). */
    public static final int TYPE_SET_LISTPACK = 20;
    public static final int TYPE_STREAM_LISTPACKS_3 = 21;

    // ------------------------------------------------------------------ opcodes
    /** Function library code (7.0 final format): one string. */
    public static final int OPCODE_FUNCTION2 = 245;
    /** Function library, 7.0 release-candidate format (refused). */
    public static final int OPCODE_FUNCTION = 246;
    /** Module auxiliary data (refused). */
    public static final int OPCODE_MODULE_AUX = 247;
    /** LRU idle time of the next key, seconds, as a length. */
    public static final int OPCODE_IDLE = 248;
    /** LFU frequency of the next key, one byte. */
    public static final int OPCODE_FREQ = 249;
    /** Auxiliary field: two strings. */
    public static final int OPCODE_AUX = 250;
    /** Hash table size hints: two lengths. */
    public static final int OPCODE_RESIZEDB = 251;
    /** Expiry of the next key, absolute ms, 8 bytes LE. */
    public static final int OPCODE_EXPIRETIME_MS = 252;
    /** Expiry of the next key, absolute seconds, 4 bytes LE (old). */
    public static final int OPCODE_EXPIRETIME = 253;
    /** Database selector: one length. */
    public static final int OPCODE_SELECTDB = 254;
    /** End of the file (then the 8-byte checksum from version 5). */
    public static final int OPCODE_EOF = 255;

    // ------------------------------------------------------------------ length / string encodings
    public static final int LEN_6BIT = 0;
    public static final int LEN_14BIT = 1;
    public static final int LEN_32BIT = 0x80;
    public static final int LEN_64BIT = 0x81;
    public static final int LEN_ENCVAL = 3;
    public static final int ENC_INT8 = 0;
    public static final int ENC_INT16 = 1;
    public static final int ENC_INT32 = 2;
    public static final int ENC_LZF = 3;

    // ------------------------------------------------------------------ quicklist 2 node containers
    public static final int QUICKLIST_NODE_PLAIN = 1;
    public static final int QUICKLIST_NODE_PACKED = 2;

    // ------------------------------------------------------------------ old string-form double markers
    public static final int DOUBLE_NAN = 253;
    public static final int DOUBLE_POS_INF = 254;
    public static final int DOUBLE_NEG_INF = 255;

    /** True for a byte that is a value type this code knows (read or refused). */
    public static boolean isObjectType(int t) {
        return (t >= TYPE_STRING && t <= TYPE_MODULE_2) || (t >= TYPE_HASH_ZIPMAP && t <= TYPE_STREAM_LISTPACKS_3);
    }
}
