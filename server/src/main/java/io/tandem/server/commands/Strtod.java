package io.tandem.server.commands;

import io.tandem.server.command.CommandError;

import java.nio.charset.StandardCharsets;

/**
 * C's {@code strtod} as glibc implements it, on raw bytes, and the two ways Redis 7.0 uses it for
 * sorted-set scores:
 * <ul>
 *   <li>{@link #score}: getDoubleFromObject (ZADD, ZINCRBY, WEIGHTS): the whole argument, no
 *       leading space, no NaN, no overflow to ±HUGE_VAL or underflow to 0; hex ({@code 0x10}),
 *       {@code inf}/{@code infinity} in any case accepted.</li>
 *   <li>{@link #rangeItem}: zslParseRange's items: leading spaces and the empty string (0) are
 *       accepted, overflow gives ±inf, NaN is rejected, parsing stops at a NUL byte.</li>
 * </ul>
 * Stateless.
 */
final class Strtod {
    private Strtod() {}

    /** {@code value} and where parsing stopped; {@code erange} as errno == ERANGE. */
    record Result(double value, int end, boolean erange) {}

    private static boolean space(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean word(byte[] b, int i, String w) {
        if (i + w.length() > b.length) return false;
        for (int k = 0; k < w.length(); k++) if ((b[i + k] | 0x20) != w.charAt(k)) return false;
        return true;
    }

    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        int l = c | 0x20;
        if (l >= 'a' && l <= 'f') return l - 'a' + 10;
        return -1;
    }

    static Result parse(byte[] b, int from) {
        int n = b.length;
        int i = from;
        while (i < n && space(b[i])) i++;
        boolean neg = false;
        if (i < n && (b[i] == '+' || b[i] == '-')) {
            neg = b[i] == '-';
            i++;
        }
        if (word(b, i, "inf")) {
            i += 3;
            if (word(b, i, "inity")) i += 5;
            return new Result(neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, i, false);
        }
        if (word(b, i, "nan")) {
            i += 3;
            if (i < n && b[i] == '(') {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(b[j]) || b[j] == '_')) j++;
                if (j < n && b[j] == ')') i = j + 1;
            }
            return new Result(Double.NaN, i, false);
        }
        if (i + 1 < n && b[i] == '0' && (b[i + 1] | 0x20) == 'x') {
            int j = i + 2;
            StringBuilder mant = new StringBuilder();
            int digits = 0;
            while (j < n && hexDigit(b[j]) >= 0) {
                mant.append((char) b[j++]);
                digits++;
            }
            if (j < n && b[j] == '.') {
                int k = j + 1;
                StringBuilder frac = new StringBuilder(".");
                while (k < n && hexDigit(b[k]) >= 0) {
                    frac.append((char) b[k++]);
                    digits++;
                }
                if (digits > 0) {
                    mant.append(frac);
                    j = k;
                }
            }
            if (digits == 0) return finish(neg, "0", i + 1); // just the "0"
            String exp = "0";
            if (j < n && (b[j] | 0x20) == 'p') {
                int k = j + 1;
                int es = k;
                if (k < n && (b[k] == '+' || b[k] == '-')) k++;
                int ed = k;
                while (k < n && b[k] >= '0' && b[k] <= '9') k++;
                if (k > ed) {
                    exp = new String(b, es, k - es, StandardCharsets.US_ASCII);
                    j = k;
                }
            }
            String m = mant.toString();
            if (m.startsWith(".")) m = "0" + m;
            if (m.endsWith(".")) m = m + "0";
            String text = "0x" + m + "p" + exp;
            return finish(neg, text, j, mant.chars().anyMatch(ch -> ch != '0' && ch != '.'));
        }
        int j = i;
        int digits = 0;
        boolean nonZero = false;
        while (j < n && b[j] >= '0' && b[j] <= '9') {
            nonZero |= b[j] != '0';
            j++;
            digits++;
        }
        if (j < n && b[j] == '.') {
            int k = j + 1;
            int fd = 0;
            while (k < n && b[k] >= '0' && b[k] <= '9') {
                nonZero |= b[k] != '0';
                k++;
                fd++;
            }
            if (digits + fd > 0) j = k;
            digits += fd;
        }
        if (digits == 0) return new Result(0, from, false);
        if (j < n && (b[j] | 0x20) == 'e') {
            int k = j + 1;
            if (k < n && (b[k] == '+' || b[k] == '-')) k++;
            int ed = k;
            while (k < n && b[k] >= '0' && b[k] <= '9') k++;
            if (k > ed) j = k;
        }
        return finish(neg, new String(b, i, j - i, StandardCharsets.US_ASCII), j, nonZero);
    }

    private static Result finish(boolean neg, String text, int end) {
        return finish(neg, text, end, false);
    }

    private static Result finish(boolean neg, String text, int end, boolean nonZero) {
        double d;
        try {
            d = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            // exponents beyond int range
            d = text.matches(".*[eEpP]-.*") ? 0.0 : Double.POSITIVE_INFINITY;
            if (!nonZero) d = 0.0;
        }
        boolean erange = Double.isInfinite(d) || (d == 0 && nonZero) || (d != 0 && Math.abs(d) < Double.MIN_NORMAL);
        return new Result(neg ? -d : d, end, erange);
    }

    /** getDoubleFromObject; null if the argument is not a valid score. */
    static Double scoreOrNull(byte[] b) {
        if (b.length == 0 || space(b[0])) return null;
        Result r = parse(b, 0);
        if (r.end != b.length || Double.isNaN(r.value)) return null;
        if (r.erange && (Double.isInfinite(r.value) || r.value == 0)) return null;
        return r.value;
    }

    /** getDoubleFromObjectOrReply with Redis's default message. */
    static double score(byte[] b) {
        Double d = scoreOrNull(b);
        if (d == null) throw CommandError.NOT_A_FLOAT;
        return d;
    }

    /** One item of a score range (after any '('), or NaN if invalid. */
    static double rangeItem(byte[] b, int from) {
        Result r = parse(b, from);
        int end = r.end;
        if (end < b.length && b[end] != 0) return Double.NaN;
        return r.value;
    }
}
