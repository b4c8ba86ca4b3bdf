package io.tandem.server;

/** Redis's {@code sdscatrepr}: a quoted, escaped form of binary data (MONITOR, CLIENT LIST, logs). */
public final class Quoting {
    private Quoting() {}

    public static String repr(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length + 2);
        sb.append('"');
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                default -> {
                    if (c >= 32 && c < 127) sb.append((char) c);
                    else sb.append(String.format("\\x%02x", c));
                }
            }
        }
        return sb.append('"').toString();
    }
}
