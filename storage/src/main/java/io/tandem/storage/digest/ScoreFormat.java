package io.tandem.storage.digest;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * C's {@code printf("%.17g", d)} as glibc prints it: what Redis 7.0 mixes into DEBUG DIGEST for a
 * sorted-set score ({@code snprintf(buf,sizeof(buf),"%.17g",score)} in {@code debug.c}).
 *
 * <p>17 significant digits, correctly rounded (half-even on the exact binary value, as glibc),
 * trailing zeros removed; fixed notation when the decimal exponent X satisfies
 * {@code -4 <= X < 17}, otherwise {@code d.ddde+XX} with at least two exponent digits. Infinities
 * print as {@code inf} / {@code -inf}, negative zero as {@code -0}.
 *
 * <p>Examples: 0.1 -> {@code 0.10000000000000001}, 1.5 -> {@code 1.5}, 1e300 ->
 * {@code 1.0000000000000001e+300}, 1e16 -> {@code 10000000000000000}, 1e17 -> {@code 1e+17}.
 *
 * <p>Negative zero: Redis itself never stores -0.0 from {@code ZADD key -0 m} (it keeps +0, and a
 * listpack-encoded zset stores it as "0"), but a skiplist can hold a real -0.0 (e.g. from
 * {@code ZUNIONSTORE ... WEIGHTS -1} on a 0 score), which digests as {@code -0}. A store must feed
 * the score it actually holds, normalised the way Redis normalises it.
 *
 * <p>Not Java's {@code String.format("%.17g")}, which neither strips zeros nor switches notation
 * at the same thresholds. Note that Redis 7.2+ switched DEBUG DIGEST to {@code fpconv_dtoa}
 * (shortest round-trip, e.g. {@code 0.1}); this class is the 7.0 behaviour.
 */
public final class ScoreFormat {
    private static final int PRECISION = 17;
    private static final MathContext MC = new MathContext(PRECISION, RoundingMode.HALF_EVEN);

    private ScoreFormat() {}

    public static String g17(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0.0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
        }
        BigDecimal bd = new BigDecimal(d).round(MC);
        int exp = bd.precision() - bd.scale() - 1;
        String digits = bd.unscaledValue().abs().toString();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        digits = digits.substring(0, end);

        StringBuilder sb = new StringBuilder(26);
        if (bd.signum() < 0) {
            sb.append('-');
        }
        if (exp < -4 || exp >= PRECISION) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) {
                sb.append('0');
            }
            sb.append(a);
        } else if (exp >= 0) {
            int intDigits = exp + 1;
            if (digits.length() <= intDigits) {
                sb.append(digits);
                for (int i = digits.length(); i < intDigits; i++) {
                    sb.append('0');
                }
            } else {
                sb.append(digits, 0, intDigits).append('.').append(digits, intDigits, digits.length());
            }
        } else {
            sb.append("0.");
            for (int i = -1; i > exp; i--) {
                sb.append('0');
            }
            sb.append(digits);
        }
        return sb.toString();
    }
}
