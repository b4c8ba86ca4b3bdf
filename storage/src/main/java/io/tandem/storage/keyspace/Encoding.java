package io.tandem.storage.keyspace;

/** Encoding tags stored with each value; names are Redis's OBJECT ENCODING names. */
public final class Encoding {
    private Encoding() {}

    public static final byte RAW = 0;
    public static final byte INT = 1;
    public static final byte EMBSTR = 2;
    public static final byte HASHTABLE = 3;
    public static final byte LISTPACK = 4;
    public static final byte QUICKLIST = 5;
    public static final byte INTSET = 6;
    public static final byte SKIPLIST = 7;

    /** Redis keeps strings of at most 44 bytes in one allocation with their object header. */
    public static final int EMBSTR_SIZE_LIMIT = 44;

    public static String name(byte encoding) {
        return switch (encoding) {
            case RAW -> "raw";
            case INT -> "int";
            case EMBSTR -> "embstr";
            case HASHTABLE -> "hashtable";
            case LISTPACK -> "listpack";
            case QUICKLIST -> "quicklist";
            case INTSET -> "intset";
            case SKIPLIST -> "skiplist";
            default -> "unknown";
        };
    }

    /**
     * The encoding Redis gives a string created by SET: {@code int} when it is the canonical
     * decimal form of a long that fits in 20 chars, {@code embstr} up to 44 bytes, else {@code raw}.
     */
    public static byte forNewString(byte[] s) {
        if (s.length <= 20 && isCanonicalLong(s)) return INT;
        return s.length <= EMBSTR_SIZE_LIMIT ? EMBSTR : RAW;
    }

    static boolean isCanonicalLong(byte[] s) {
        int n = s.length;
        if (n == 0) return false;
        int i = 0;
        if (s[0] == '-') {
            if (n == 1) return false;
            i = 1;
        }
        if (s[i] == '0') return n == 1; // "0" ok; "-0", "01" not canonical
        long v = 0;
        for (; i < n; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) return false;
            if (v > (Long.MAX_VALUE - d) / 10) {
                // allow exactly Long.MIN_VALUE
                return s[0] == '-' && i == n - 1 && v == Long.MAX_VALUE / 10 && d == 8;
            }
            v = v * 10 + d;
        }
        return true;
    }
}
