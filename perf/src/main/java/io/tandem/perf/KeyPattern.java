package io.tandem.perf;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** How key numbers (the __rand_int__ fields) are drawn from [0, range). */
abstract class KeyPattern {
    /** A source of key numbers for one connection (one thread at a time). */
    interface Source {
        long next();
    }

    abstract Source newSource(long range, long seed);

    static KeyPattern parse(String spec) throws Options.UsageException {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("uniform") || s.equals("random")) return new Uniform();
        if (s.equals("sequential")) return new Sequential();
        if (s.startsWith("zipf")) {
            double exponent = 0.99;
            if (s.startsWith("zipf:")) {
                try {
                    exponent = Double.parseDouble(s.substring(5));
                } catch (NumberFormatException e) {
                    throw new Options.UsageException("--key-pattern zipf:<s> wants a number s, not '" + spec + "'");
                }
            } else if (!s.equals("zipf")) {
                throw new Options.UsageException("unknown --key-pattern '" + spec + "' (uniform, zipf:<s>, sequential)");
            }
            if (!(exponent > 0) || exponent > 100) {
                throw new Options.UsageException("--key-pattern zipf:<s> wants 0 < s <= 100, not " + exponent);
            }
            return new Zipf(exponent);
        }
        throw new Options.UsageException("unknown --key-pattern '" + spec + "' (uniform, zipf:<s>, sequential)");
    }

    static final class Uniform extends KeyPattern {
        @Override
        Source newSource(long range, long seed) {
            if (range <= 1) return () -> 0;
            SplittableRandom r = new SplittableRandom(seed);
            return () -> r.nextLong(range);
        }
    }

    /** One counter shared by every connection: keys 0, 1, 2, ... wrapping at the range. */
    static final class Sequential extends KeyPattern {
        private final AtomicLong counter = new AtomicLong();

        @Override
        Source newSource(long range, long seed) {
            return () -> counter.getAndIncrement() % range;
        }
    }

    /**
     * Zipf-distributed keys: key k (0-based) has probability proportional to 1/(k+1)^s. Sampled by
     * rejection-inversion (Hörmann and Derflinger, 1996) in O(1) time and memory, whatever the range.
     */
    static final class Zipf extends KeyPattern {
        final double exponent;

        Zipf(double exponent) {
            this.exponent = exponent;
        }

        @Override
        Source newSource(long range, long seed) {
            if (range <= 1) return () -> 0;
            return new ZipfSampler(range, exponent, new SplittableRandom(seed));
        }
    }

    static final class ZipfSampler implements Source {
        private final long n;
        private final double s;
        private final SplittableRandom random;
        private final double hIntegralX1;
        private final double hIntegralN;
        private final double sDiff;

        ZipfSampler(long n, double s, SplittableRandom random) {
            this.n = n;
            this.s = s;
            this.random = random;
            hIntegralX1 = hIntegral(1.5) - 1;
            hIntegralN = hIntegral(n + 0.5);
            sDiff = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
        }

        @Override
        public long next() {
            while (true) {
                double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
                double x = hIntegralInverse(u);
                long k = (long) (x + 0.5);
                if (k < 1) k = 1;
                else if (k > n) k = n;
                if (k - x <= sDiff || u >= hIntegral(k + 0.5) - h(k)) return k - 1;
            }
        }

        private double hIntegral(double x) {
            double logX = Math.log(x);
            return helper2((1 - s) * logX) * logX;
        }

        private double h(double x) {
            return Math.exp(-s * Math.log(x));
        }

        private double hIntegralInverse(double x) {
            double t = x * (1 - s);
            if (t < -1) t = -1;
            return Math.exp(helper1(t) * x);
        }

        private static double helper1(double x) {
            return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
        }

        private static double helper2(double x) {
            return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
        }
    }
}
