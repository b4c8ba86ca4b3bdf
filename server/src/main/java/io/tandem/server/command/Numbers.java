package io.tandem.server.command;

import java.nio.charset.StandardCharsets;

/** Redis's number parsing rules (string2ll, string2ld, strtod with its checks), on raw bytes. */
public final class Numbers {
    private Numbers() {}

    /** Strict decimal long as string2ll: no spaces, no '+', no leading zeros, fits in 64 bits. */
    public static long parseLong(byte[] b) {
        long v = parseLongOr(b, Long.MIN_VALUE, true);
        if (v == Long.MIN_VALUE && !isLongMin(b)) throw CommandError.NOT_AN_INTEGER;
        return v;
    }

    public static boolean isLongMin(byte[] b) {
        return b.length == 20 && new String(b, StandardCharsets.US_ASCII).equals("-9223372036854775808");
    }

    /** Returns fallback when b is not a valid long. */
    public static long parseLongOr(byte[] b, long fallback, boolean strict) {
        int n = b.length;
        if (n == 0 || n > 20) return fallback;
        if (n == 1 && b[0] == '0') return 0;
        int i = 0;
        boolean neg = false;
        if (b[0] == '-') {
            neg = true;
            i = 1;
            if (n == 1) return fallback;
        }
        if (b[i] < '1' || b[i] > '9') return fallback;
        long v = 0;
        for (; i < n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return fallback;
            if (v > (Long.MAX_VALUE - d) / 10) {
                if (neg && v == Long.MAX_VALUE / 10 && d == 8 && i == n - 1) return Long.MIN_VALUE;
                return fallback;
            }
            v = v * 10 + d;
        }
        return neg ? -v : v;
    }

    /**
     * A double as Redis's getDoubleFromObject: strtod of the whole string, no spaces, NaN
     * rejected; "inf", "+inf", "-inf" (any case) accepted.
     */
    public static double parseDouble(byte[] b) {
        double d = parseDoubleOr(b, Double.NaN);
        if (Double.isNaN(d)) throw CommandError.NOT_A_FLOAT;
        return d;
    }

    public static double parseDoubleOr(byte[] b, double fallback) {
        int n = b.length;
        if (n == 0 || n > 5000) return fallback;
        if (Character.isWhitespace(b[0]) || Character.isWhitespace(b[n - 1])) return fallback;
        String s = new String(b, StandardCharsets.US_ASCII);
        String l = s.toLowerCase(java.util.Locale.ROOT);
        switch (l) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> { }
        }
        // Java accepts trailing 'd'/'f' and hex floats differently from strtod: reject letters but e/E and hex.
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) {
                return fallback;
            }
        }
        try {
            double d = Double.parseDouble(s);
            return Double.isNaN(d) ? fallback : d;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The shortest decimal form Redis uses for INCRBYFLOAT results ({@code %.17Lg}, trimmed). */
    public static String formatLongDouble(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e17) return Long.toString((long) d);
        java.math.BigDecimal bd = new java.math.BigDecimal(d).round(new java.math.MathContext(17));
        String s = bd.stripTrailingZeros().toPlainString();
        return s;
    }
}
