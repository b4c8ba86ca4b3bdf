package io.tandem.server.commands;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Redis computes INCRBYFLOAT/HINCRBYFLOAT in x87 {@code long double} (64-bit significand) and
 * prints with {@code %.17Lf} trimmed; Java's double would answer 0.30000000000000004 where Redis
 * answers 0.3. Values here are exact BigDecimals always rounded to a 64-bit binary significand
 * (round half to even, as the FPU), so the decimal text matches Redis's byte for byte.
 * Hexadecimal float input ({@code 0x1p3}), which strtold accepts, is not supported.
 */
final class LongDouble {
    private LongDouble() {}

    /** Above the largest finite long double (~1.19e4932): stands for ±infinity. */
    static final int MAX_EXP = 16384;

    /** Result of a parse: null if not a number Redis accepts; INF for ±inf. */
    static final BigDecimal INF = new BigDecimal("1e99999");

    /**
     * strtold as Redis's string2ld uses it: no leading space, no trailing garbage, NaN rejected,
     * "inf"/"infinity" accepted (returns {@link #INF}), overflow rejected.
     */
    static BigDecimal parse(byte[] s) {
        if (s.length == 0 || s.length >= 5 * 1024) return null;
        String t = new String(s, StandardCharsets.ISO_8859_1);
        String u = t.toLowerCase();
        String body = u.startsWith("-") || u.startsWith("+") ? u.substring(1) : u;
        if (body.equals("inf") || body.equals("infinity")) return INF;
        if (!body.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[-+]?[0-9]+)?")) return null;
        BigDecimal exact;
        try {
            exact = new BigDecimal(t.startsWith("+") ? t.substring(1) : t);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
        BigDecimal r = round(exact);
        if (r == INF) return null; // ERANGE overflow: string2ld fails
        if (r.signum() == 0 && exact.signum() != 0) return null; // ERANGE underflow to zero
        return r;
    }

    static boolean isInf(BigDecimal v) {
        return v == INF;
    }

    static BigDecimal of(long v) {
        return round(BigDecimal.valueOf(v));
    }

    static BigDecimal add(BigDecimal a, BigDecimal b) {
        return round(a.add(b));
    }

    /** Rounds an exact value to the nearest long double (64-bit significand); INF on overflow. */
    static BigDecimal round(BigDecimal x) {
        if (x.signum() == 0) return BigDecimal.ZERO;
        boolean neg = x.signum() < 0;
        BigDecimal a = x.abs();
        BigInteger num;
        BigInteger den;
        if (a.scale() <= 0) {
            num = a.unscaledValue().multiply(BigInteger.TEN.pow(-a.scale()));
            den = BigInteger.ONE;
        } else {
            num = a.unscaledValue();
            den = BigInteger.TEN.pow(a.scale());
        }
        int e = num.bitLength() - den.bitLength(); // value in [2^(e-1), 2^(e+1))
        if (e > MAX_EXP + 2) return INF;
        if (e < -16500) return BigDecimal.ZERO;
        BigInteger m;
        int k; // value ≈ m * 2^k
        while (true) {
            k = e - 63;
            BigInteger n2 = k < 0 ? num.shiftLeft(-k) : num;
            BigInteger d2 = k > 0 ? den.shiftLeft(k) : den;
            BigInteger[] qr = n2.divideAndRemainder(d2);
            m = qr[0];
            if (m.bitLength() > 64) {
                e++;
                continue;
            }
            if (m.bitLength() < 64) {
                e--;
                continue;
            }
            int cmp = qr[1].shiftLeft(1).compareTo(d2);
            if (cmp > 0 || (cmp == 0 && m.testBit(0))) m = m.add(BigInteger.ONE);
            if (m.bitLength() > 64) {
                m = m.shiftRight(1);
                k++;
            }
            break;
        }
        if (k + 64 > MAX_EXP) return INF;
        BigDecimal v = k >= 0 ? new BigDecimal(m.shiftLeft(k))
                : new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-k))).scaleByPowerOfTen(k);
        return neg ? v.negate() : v;
    }

    /** {@code ld2string(..., LD_STR_HUMAN)}: %.17Lf with trailing zeros (and dot) removed, "-0" as "0". */
    static String format(BigDecimal v) {
        String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') end--;
            if (s.charAt(end - 1) == '.') end--;
            s = s.substring(0, end);
        }
        if (s.equals("-0")) s = "0";
        return s;
    }
}
