package io.tandem.server.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Text helpers reproducing Redis's sds/util primitives used by configuration:
 * {@code sdssplitargs}, {@code sdscatrepr}, {@code string2ll}, {@code strtoll}, {@code memtoull}.
 *
 * <p>Configuration text is handled as ISO-8859-1 strings: one char per byte, so values are
 * byte-exact (a requirepass written in UTF-8 in the file compares equal to the bytes a client sends
 * once both are taken as ISO-8859-1). Use {@link #bytes(String)} / {@link #fromBytes(byte[])}
 * to cross the boundary.
 */
public final class ConfigText {
    private ConfigText() {}

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static String fromBytes(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Interprets an ISO-8859-1 config string holding UTF-8 bytes (e.g. a path) as UTF-8. */
    public static String utf8(String s) {
        return new String(bytes(s), StandardCharsets.UTF_8);
    }

    /** ASCII-only lower-casing, as {@code sdstolower}/{@code strcasecmp} in the C locale. */
    public static String asciiLower(String s) {
        char[] c = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch >= 'A' && ch <= 'Z') {
                if (c == null) c = s.toCharArray();
                c[i] = (char) (ch + 32);
            }
        }
        return c == null ? s : new String(c);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hexVal(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    }

    /**
     * {@code sdssplitargs}: splits a line into arguments honouring "double quotes" (with
     * {@code \n \r \t \b \a \xHH} and {@code \<any>} escapes) and 'single quotes' (only {@code \'}).
     * A closing quote must be followed by a space or the end of line.
     *
     * @return the arguments, or {@code null} for unbalanced quotes (as Redis)
     */
    public static List<String> splitArgs(String line) {
        List<String> out = new ArrayList<>();
        int p = 0;
        int n = line.length();
        while (true) {
            while (p < n && isSpace(line.charAt(p))) p++;
            if (p >= n) return out;
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            StringBuilder cur = new StringBuilder();
            while (!done) {
                if (inq) {
                    if (p >= n) return null; // unterminated quotes
                    char c = line.charAt(p);
                    if (c == '\\' && p + 3 < n && line.charAt(p + 1) == 'x'
                            && isHex(line.charAt(p + 2)) && isHex(line.charAt(p + 3))) {
                        cur.append((char) (hexVal(line.charAt(p + 2)) * 16 + hexVal(line.charAt(p + 3))));
                        p += 3;
                    } else if (c == '\\' && p + 1 < n) {
                        p++;
                        char e = line.charAt(p);
                        switch (e) {
                            case 'n': cur.append('\n'); break;
                            case 'r': cur.append('\r'); break;
                            case 't': cur.append('\t'); break;
                            case 'b': cur.append('\b'); break;
                            case 'a': cur.append((char) 7); break;
                            default: cur.append(e); break;
                        }
                    } else if (c == '"') {
                        // closing quote must be followed by a space or nothing at all
                        if (p + 1 < n && !isSpace(line.charAt(p + 1))) return null;
                        done = true;
                    } else {
                        cur.append(c);
                    }
                } else if (insq) {
                    if (p >= n) return null;
                    char c = line.charAt(p);
                    if (c == '\\' && p + 1 < n && line.charAt(p + 1) == '\'') {
                        p++;
                        cur.append('\'');
                    } else if (c == '\'') {
                        if (p + 1 < n && !isSpace(line.charAt(p + 1))) return null;
                        done = true;
                    } else {
                        cur.append(c);
                    }
                } else {
                    if (p >= n) {
                        done = true;
                        continue;
                    }
                    char c = line.charAt(p);
                    switch (c) {
                        case ' ': case '\n': case '\r': case '\t': case '\0':
                            done = true;
                            break;
                        case '"':
                            inq = true;
                            break;
                        case '\'':
                            insq = true;
                            break;
                        default:
                            cur.append(c);
                            break;
                    }
                }
                if (p < n) p++;
            }
            out.add(cur.toString());
        }
    }

    /**
     * {@code sdssplitlen(s, " ")} as CONFIG SET uses for multi-argument configs: every single
     * space separates (empty tokens kept); the empty string gives no arguments.
     */
    public static List<String> splitSpaces(String s) {
        if (s.isEmpty()) return Collections.emptyList();
        return Arrays.asList(s.split(" ", -1));
    }

    /** {@code sdscatrepr}: a double-quoted, escaped representation that {@link #splitArgs} reads back. */
    public static String repr(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\': case '"': sb.append('\\').append(c); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case 7: sb.append("\\a"); break;
                case '\b': sb.append("\\b"); break;
                default:
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append(c);
                    } else {
                        sb.append(String.format("\\x%02x", c & 0xff));
                    }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * {@code string2ll}: strict base-10 parse; no spaces, no '+', no leading zeros, no "-0".
     * @return the value, or {@code null} if not a valid long
     */
    public static Long string2ll(String s) {
        int n = s.length();
        if (n == 0 || n > 20) return null;
        if (n == 1 && s.charAt(0) == '0') return 0L;
        int p = 0;
        boolean neg = false;
        if (s.charAt(0) == '-') {
            neg = true;
            p++;
            if (p == n) return null;
        }
        char first = s.charAt(p);
        if (first < '1' || first > '9') return null;
        long v = 0; // accumulate negatively to cover Long.MIN_VALUE
        for (; p < n; p++) {
            char c = s.charAt(p);
            if (c < '0' || c > '9') return null;
            int d = c - '0';
            if (v < (Long.MIN_VALUE + d) / 10) return null;
            v = v * 10 - d;
        }
        if (!neg) {
            if (v == Long.MIN_VALUE) return null;
            return -v;
        }
        return v;
    }

    /**
     * C {@code strtoll(s, &end, base)} followed by the usual "{@code *end == '\0'}" check:
     * optional leading whitespace and sign; no digits at all yields 0 with nothing consumed
     * (so "" is 0). Returns null when characters remain or on overflow (ERANGE).
     */
    public static Long strtollFull(String s, int base) {
        int n = s.length();
        int p = 0;
        while (p < n && isSpace(s.charAt(p))) p++;
        boolean neg = false;
        if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            neg = s.charAt(p) == '-';
            p++;
        }
        int digitsStart = p;
        java.math.BigInteger acc = java.math.BigInteger.ZERO;
        java.math.BigInteger b = java.math.BigInteger.valueOf(base);
        while (p < n) {
            int d = Character.digit(s.charAt(p), base);
            if (d < 0 || s.charAt(p) > 0x7f) break;
            acc = acc.multiply(b).add(java.math.BigInteger.valueOf(d));
            p++;
        }
        if (p == digitsStart) {
            // No conversion performed: endptr = s, so the whole string must be empty.
            return n == 0 ? 0L : null;
        }
        if (p != n) return null;
        if (neg) acc = acc.negate();
        if (acc.bitLength() > 63) return null; // ERANGE
        return acc.longValue();
    }

    /**
     * Redis 7.0 {@code memtoull}: digits followed by an optional unit (b, k=1000, kb=1024, m, mb,
     * g, gb; case-insensitive). A leading '-' or an unknown unit is an error. Like Redis 7.0.15,
     * too many digits saturate to 2^64-1 and the unit multiplication wraps (unsigned).
     *
     * @return the value as an unsigned 64-bit quantity in a long, or {@code null} on error
     */
    public static Long memtoull(String s) {
        if (!s.isEmpty() && s.charAt(0) == '-') return null;
        int u = 0;
        while (u < s.length() && s.charAt(u) >= '0' && s.charAt(u) <= '9') u++;
        String unit = asciiLower(s.substring(u));
        long mul;
        switch (unit) {
            case "": case "b": mul = 1; break;
            case "k": mul = 1000L; break;
            case "kb": mul = 1024L; break;
            case "m": mul = 1000L * 1000; break;
            case "mb": mul = 1024L * 1024; break;
            case "g": mul = 1000L * 1000 * 1000; break;
            case "gb": mul = 1024L * 1024 * 1024; break;
            default: return null;
        }
        if (u >= 128) return null;
        long val = 0;
        boolean saturated = false;
        for (int i = 0; i < u && !saturated; i++) {
            int d = s.charAt(i) - '0';
            // unsigned overflow check: val*10 + d > 2^64-1
            if (Long.compareUnsigned(val, Long.divideUnsigned(-1L - d, 10)) > 0) {
                saturated = true;
            } else {
                val = val * 10 + d;
            }
        }
        if (saturated) val = -1L; // ULLONG_MAX
        return val * mul;
    }

    /** {@code rewriteConfigFormatMemory}: bytes as Ngb / Nmb / Nkb when exact, else plain bytes. */
    public static String formatMemory(long bytes) {
        long gb = 1024L * 1024 * 1024;
        long mb = 1024L * 1024;
        long kb = 1024L;
        if (bytes != 0 && bytes % gb == 0) return (bytes / gb) + "gb";
        if (bytes != 0 && bytes % mb == 0) return (bytes / mb) + "mb";
        if (bytes != 0 && bytes % kb == 0) return (bytes / kb) + "kb";
        return Long.toString(bytes);
    }
}
