package io.tandem.server.command;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The x86 80-bit {@code long double} that Redis's INCRBYFLOAT computes with (util.c's
 * {@code string2ld} / {@code ld2string}), emulated exactly so that results match to the last
 * digit: a 64-bit significand (explicit integer bit), exponents down to subnormal 2^-16445, the
 * largest finite value (2^64 - 1) * 2^16320, round-half-even at every step.
 *
 * <p>A finite value is held as the exact {@link BigDecimal} of its binary value (every binary
 * fraction has a finite decimal expansion); {@link #POSITIVE_INFINITY} and
 * {@link #NEGATIVE_INFINITY} stand for the infinities. Signed zero is not kept: Redis's output
 * turns "-0" into "0" and no later step can tell them apart. Immutable.
 */
public final class LongDouble {
    /** string2ld refuses strings of MAX_LONG_DOUBLE_CHARS (5k) or more. */
    static final int MAX_LONG_DOUBLE_CHARS = 5 * 1024;
    private static final int SIGNIFICAND_BITS = 64;
    /** Exponent of the unit in the last place of the smallest subnormal: 2^-16445. */
    private static final int MIN_EXP = -16445;
    /** Exponent of the unit in the last place of the largest finite values. */
    private static final int MAX_EXP = 16320;

    public static final LongDouble POSITIVE_INFINITY = new LongDouble(null, 1);
    public static final LongDouble NEGATIVE_INFINITY = new LongDouble(null, -1);
    public static final LongDouble ZERO = new LongDouble(BigDecimal.ZERO, 0);

    private final BigDecimal value; // null for the infinities
    private final int infinity;     // +1, -1, or 0 when finite

    private LongDouble(BigDecimal value, int infinity) {
        this.value = value;
        this.infinity = infinity;
    }

    public boolean isInfinite() {
        return infinity != 0;
    }

    /** The exact value of a finite long double; null for the infinities. */
    public BigDecimal toBigDecimal() {
        return value;
    }

    /** Exact value of a long (every long fits a 64-bit significand). */
    public static LongDouble of(long v) {
        return new LongDouble(BigDecimal.valueOf(v), 0);
    }

    /**
     * As Redis's string2ld: strtold of the whole string, refusing an empty or too long string,
     * leading space, trailing garbage, NaN, and overflow or underflow to zero (ERANGE). Accepts
     * what glibc's strtold does: a sign, decimal or {@code 0x} hex floats, {@code inf} and
     * {@code infinity} in any case. Returns null when invalid.
     */
    public static LongDouble parse(byte[] s) {
        int n = s.length;
        if (n == 0 || n >= MAX_LONG_DOUBLE_CHARS || isSpace(s[0])) return null;
        int i = 0;
        boolean neg = false;
        if (s[i] == '+' || s[i] == '-') {
            neg = s[i] == '-';
            i++;
        }
        if (matchesIgnoreCase(s, i, "infinity") && i + 8 == n || matchesIgnoreCase(s, i, "inf") && i + 3 == n) {
            return neg ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        if (i + 1 < n && s[i] == '0' && (s[i + 1] | 0x20) == 'x' && startsHexMantissa(s, i + 2)) {
            return parseHex(s, i + 2, neg);
        }
        // Decimal: digits [. digits] with at least one digit, then [eE [+-] digits].
        StringBuilder digits = new StringBuilder();
        int fraction = 0;
        boolean any = false;
        for (; i < n && isDigit(s[i]); i++, any = true) digits.append((char) s[i]);
        if (i < n && s[i] == '.') {
            for (i++; i < n && isDigit(s[i]); i++, any = true, fraction++) digits.append((char) s[i]);
        }
        if (!any) return null;
        long exp = 0;
        if (i < n && (s[i] | 0x20) == 'e') {
            int j = i + 1;
            boolean eneg = false;
            if (j < n && (s[j] == '+' || s[j] == '-')) eneg = s[j++] == '-';
            if (j >= n || !isDigit(s[j])) return null; // strtod stops before the 'e': trailing garbage
            for (; j < n && isDigit(s[j]); j++) exp = Math.min(exp * 10 + (s[j] - '0'), 1_000_000L);
            if (eneg) exp = -exp;
            i = j;
        }
        if (i != n) return null;
        BigInteger unscaled = new BigInteger(digits.toString());
        if (unscaled.signum() == 0) return ZERO;
        // Far outside the range whatever the (at most 5k) digits: overflow or underflow, both ERANGE.
        if (exp > 20_000 || exp < -20_000) return null;
        BigDecimal exact = new BigDecimal(unscaled, (int) (fraction - exp));
        return fromExactOrRangeError(neg ? exact.negate() : exact);
    }

    private static boolean startsHexMantissa(byte[] s, int i) {
        if (i < s.length && isHex(s[i])) return true;
        return i + 1 < s.length && s[i] == '.' && isHex(s[i + 1]);
    }

    private static LongDouble parseHex(byte[] s, int i, boolean neg) {
        int n = s.length;
        BigInteger m = BigInteger.ZERO;
        long binExp = 0;
        for (; i < n && isHex(s[i]); i++) m = m.shiftLeft(4).add(BigInteger.valueOf(Character.digit(s[i], 16)));
        if (i < n && s[i] == '.') {
            for (i++; i < n && isHex(s[i]); i++, binExp -= 4) {
                m = m.shiftLeft(4).add(BigInteger.valueOf(Character.digit(s[i], 16)));
            }
        }
        if (i < n && (s[i] | 0x20) == 'p') {
            int j = i + 1;
            boolean eneg = false;
            if (j < n && (s[j] == '+' || s[j] == '-')) eneg = s[j++] == '-';
            if (j >= n || !isDigit(s[j])) return null;
            long e = 0;
            for (; j < n && isDigit(s[j]); j++) e = Math.min(e * 10 + (s[j] - '0'), 1_000_000L);
            binExp += eneg ? -e : e;
            i = j;
        }
        if (i != n) return null;
        if (m.signum() == 0) return ZERO;
        if (binExp > 100_000 || binExp < -100_000) return null;
        BigDecimal exact = binExp >= 0 ? new BigDecimal(m.shiftLeft((int) binExp)) : pow2Scaled(m, (int) -binExp);
        return fromExactOrRangeError(neg ? exact.negate() : exact);
    }

    /** A parsed value rounded to long double; null for ERANGE (overflow, or a non-zero input that rounds to 0). */
    private static LongDouble fromExactOrRangeError(BigDecimal exact) {
        BigDecimal r = round(exact);
        if (r == null || r.signum() == 0) return null;
        return new LongDouble(r, 0);
    }

    /** this + other, rounded to long double; null when the result is NaN (inf - inf). */
    public LongDouble add(LongDouble other) {
        if (infinity != 0 || other.infinity != 0) {
            if (infinity != 0 && other.infinity != 0 && infinity != other.infinity) return null;
            return infinity != 0 ? this : other;
        }
        BigDecimal r = round(value.add(other.value));
        if (r == null) return value.add(other.value).signum() > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
        return new LongDouble(r, 0);
    }

    /**
     * ld2string in LD_STR_HUMAN mode, as INCRBYFLOAT stores its result: {@code %.17Lf}, then
     * trailing zeros of the fraction and a bare '.' removed, and "-0" written "0".
     */
    public String toHumanString() {
        if (infinity != 0) return infinity > 0 ? "inf" : "-inf";
        String s = value.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = s.length();
        if (s.indexOf('.') >= 0) {
            while (s.charAt(end - 1) == '0') end--;
            if (s.charAt(end - 1) == '.') end--;
        }
        s = s.substring(0, end);
        return s.equals("-0") ? "0" : s;
    }

    /**
     * Rounds an exact value to the nearest long double (ties to even), subnormals included;
     * null when its magnitude overflows.
     */
    static BigDecimal round(BigDecimal x) {
        if (x.signum() == 0) return BigDecimal.ZERO;
        BigInteger num = x.unscaledValue().abs();
        BigInteger den = BigInteger.ONE;
        if (x.scale() > 0) den = BigInteger.TEN.pow(x.scale());
        else num = num.multiply(BigInteger.TEN.pow(-x.scale()));
        // Find e with 2^63 <= |x| / 2^e < 2^64, then clamp to the subnormal exponent.
        int e = num.bitLength() - den.bitLength() - SIGNIFICAND_BITS;
        BigInteger[] qr;
        while (true) {
            qr = divide(num, den, e);
            int bits = qr[0].bitLength();
            if (bits > SIGNIFICAND_BITS) e++;
            else if (bits < SIGNIFICAND_BITS && e > MIN_EXP) e--;
            else break;
        }
        if (e < MIN_EXP) {
            e = MIN_EXP;
            qr = divide(num, den, e);
        }
        BigInteger q = qr[0];
        BigInteger divisor = e >= 0 ? den.shiftLeft(e) : den;
        int cmp = qr[1].shiftLeft(1).compareTo(divisor);
        if (cmp > 0 || (cmp == 0 && q.testBit(0))) q = q.add(BigInteger.ONE);
        if (q.bitLength() > SIGNIFICAND_BITS) {
            q = q.shiftRight(1);
            e++;
        }
        if (e > MAX_EXP) return null;
        BigDecimal r = e >= 0 ? new BigDecimal(q.shiftLeft(e)) : pow2Scaled(q, -e);
        return x.signum() < 0 ? r.negate() : r;
    }

    /** {quotient, remainder} of num / (den * 2^e); for e < 0 the remainder is over den. */
    private static BigInteger[] divide(BigInteger num, BigInteger den, int e) {
        return e >= 0 ? num.divideAndRemainder(den.shiftLeft(e)) : num.shiftLeft(-e).divideAndRemainder(den);
    }

    /** m / 2^k exactly, as m * 5^k / 10^k. */
    private static BigDecimal pow2Scaled(BigInteger m, int k) {
        return new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(k)), k);
    }

    private static boolean matchesIgnoreCase(byte[] s, int i, String word) {
        if (i + word.length() > s.length) return false;
        for (int k = 0; k < word.length(); k++) {
            if ((s[i + k] | 0x20) != word.charAt(k)) return false;
        }
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isHex(byte b) {
        return isDigit(b) || ((b | 0x20) >= 'a' && (b | 0x20) <= 'f');
    }
}
