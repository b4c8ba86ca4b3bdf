package io.tandem.storage.tools;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Text forms shared by the dump formats: JSON strings, scores, CSV fields. Stateless. */
public final class Formats {
    private Formats() {}

    /**
     * A JSON string literal for bytes: valid UTF-8 is kept as text; anything else is read as
     * ISO-8859-1, one character per byte (so {@code \u0000}..{@code \u00ff} stand for bytes).
     */
    public static void json(StringBuilder sb, byte[] b) {
        boolean plain = true; // printable ASCII without '"' or '\\': the common case, copied as it is
        for (byte x : b) {
            if (x < 0x20 || x == '"' || x == '\\' || x == 0x7f) { // bytes >= 0x80 are negative
                plain = false;
                break;
            }
        }
        if (plain) {
            sb.append('"');
            for (byte x : b) sb.append((char) x);
            sb.append('"');
            return;
        }
        String s;
        boolean latin1 = false;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            s = new String(b, StandardCharsets.ISO_8859_1);
            latin1 = true;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (latin1 && c >= 0x80) || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * A score as Redis's ZADD reads it back exactly: integers without a fraction, otherwise
     * Java's shortest round-tripping form ({@code 1.5}, {@code 1.0E20}: strtod accepts both),
     * {@code inf}/{@code -inf}.
     */
    public static String score(double d) {
        if (d == Double.POSITIVE_INFINITY) return "inf";
        if (d == Double.NEGATIVE_INFINITY) return "-inf";
        if (d == Math.rint(d) && Math.abs(d) < 1e15 && !(d == 0 && 1 / d < 0)) return Long.toString((long) d);
        return Double.toString(d);
    }

    /** A JSON number for a score; infinities as the strings "inf" / "-inf". */
    public static String jsonScore(double d) {
        return Double.isInfinite(d) ? "\"" + score(d) + "\"" : score(d);
    }

    /** A CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF. */
    public static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
