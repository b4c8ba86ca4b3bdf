package io.tandem.storage.tools;

import static io.tandem.storage.rdb.Rdb.*;

/**
 * Names of RDB value types for the tools' output: the encoding name redis-check-rdb prints
 * ({@code rdb_type_string} in Redis 7.0's redis-check-rdb.c, plus 7.2's {@code set-listpack}) and
 * the logical type {@code TYPE} reports. Stateless.
 */
public final class RdbTypes {
    private RdbTypes() {}

    private static final String[] FILE_NAMES = {
        "string", "list-linked", "set-hashtable", "zset-v1", "hash-hashtable", "zset-v2", "module-pre-release", "module-value", "",
        "hash-zipmap", "list-ziplist", "set-intset", "zset-ziplist", "hash-ziplist", "quicklist", "stream", "hash-listpack",
        "zset-listpack", "quicklist-v2", "stream-v2", "set-listpack", "stream-v3",
    };

    /** redis-check-rdb's name of an RDB type byte ("quicklist-v2"), or "unknown". */
    public static String fileName(int rdbType) {
        return rdbType >= 0 && rdbType < FILE_NAMES.length && !FILE_NAMES[rdbType].isEmpty() ? FILE_NAMES[rdbType] : "unknown";
    }

    /** The logical type ("string", "list", "set", "zset", "hash", "module", "stream"). */
    public static String logical(int rdbType) {
        return switch (rdbType) {
            case TYPE_STRING -> "string";
            case TYPE_LIST, TYPE_LIST_ZIPLIST, TYPE_LIST_QUICKLIST, TYPE_LIST_QUICKLIST_2 -> "list";
            case TYPE_SET, TYPE_SET_INTSET, TYPE_SET_LISTPACK -> "set";
            case TYPE_ZSET, TYPE_ZSET_2, TYPE_ZSET_ZIPLIST, TYPE_ZSET_LISTPACK -> "zset";
            case TYPE_HASH, TYPE_HASH_ZIPMAP, TYPE_HASH_ZIPLIST, TYPE_HASH_LISTPACK -> "hash";
            case TYPE_MODULE, TYPE_MODULE_2 -> "module";
            case TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3 -> "stream";
            default -> "unknown";
        };
    }

    /** Bytes as text for messages: printable ASCII kept, others as \xNN; cut at 128 chars. */
    public static String printable(byte[] k) {
        return printable(k, 128);
    }

    /** As {@link #printable(byte[])}, cut at {@code max} chars (Integer.MAX_VALUE: never). */
    public static String printable(byte[] k, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < k.length; i++) {
            if (sb.length() >= max) {
                sb.append("...");
                break;
            }
            int c = k[i] & 0xFF;
            if (c >= 32 && c < 127 && c != '\\' && c != '\'') sb.append((char) c);
            else sb.append(String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
