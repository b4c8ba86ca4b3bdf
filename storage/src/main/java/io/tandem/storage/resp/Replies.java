package io.tandem.storage.resp;

import java.nio.charset.StandardCharsets;

/** Pre-encoded replies that are written on hot paths without formatting. */
public final class Replies {
    private Replies() {}

    public static final byte[] OK = b("+OK\r\n");
    public static final byte[] PONG = b("+PONG\r\n");
    public static final byte[] QUEUED = b("+QUEUED\r\n");
    public static final byte[] NULL_BULK = b("$-1\r\n");
    public static final byte[] NULL_ARRAY = b("*-1\r\n");
    public static final byte[] NULL3 = b("_\r\n");
    public static final byte[] EMPTY_ARRAY = b("*0\r\n");
    public static final byte[] EMPTY_BULK = b("$0\r\n\r\n");
    public static final byte[] ZERO = b(":0\r\n");
    public static final byte[] ONE = b(":1\r\n");
    public static final byte[] TRUE3 = b("#t\r\n");
    public static final byte[] FALSE3 = b("#f\r\n");
    static final byte[] TXT_PREFIX = b("txt:");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
