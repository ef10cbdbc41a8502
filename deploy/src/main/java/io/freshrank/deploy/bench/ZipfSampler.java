package io.freshrank.deploy.bench;

import java.util.SplittableRandom;

/**
 * Draws ranks {@code 1..n} with {@code P(k) ~ 1 / k^exponent} by rejection-inversion (Hörmann and
 * Derflinger, "Rejection-inversion to generate variates from monotone discrete distributions", ACM
 * TOMACS 6(3), 1996), the method Apache Commons RNG uses for its Zipf sampler: O(1) memory and
 * expected time per draw for any {@code n}, no table. Seeded ({@link SplittableRandom}, whose
 * algorithm is specified), so a seed gives the same stream on every JDK. Not thread-safe.
 */
final class ZipfSampler {
    private final int n;
    private final double exponent;
    private final SplittableRandom random;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double squeeze;

    /**
     * @param n number of ranks, >= 1
     * @param exponent Zipf exponent, > 0
     */
    ZipfSampler(int n, double exponent, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        if (!(exponent > 0) || !Double.isFinite(exponent)) {
            throw new IllegalArgumentException("exponent must be > 0, got " + exponent);
        }
        this.n = n;
        this.exponent = exponent;
        this.random = new SplittableRandom(seed);
        this.hIntegralX1 = hIntegral(1.5) - 1.0;
        this.hIntegralN = hIntegral(n + 0.5);
        this.squeeze = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
    }

    /** The next rank in {@code 1..n}. */
    int next() {
        while (true) {
            // u is uniform in (H(n + 1/2), H(3/2) - 1]; invert H and round to the nearest rank.
            double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
            double x = hIntegralInverse(u);
            int k = (int) (x + 0.5);
            if (k < 1) {
                k = 1;
            } else if (k > n) {
                k = n;
            }
            // Accept immediately inside the squeeze, else check against the hat's integral.
            if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) {
                return k;
            }
        }
    }

    /** {@code H(x) = ((x^(1-e)) - 1) / (1 - e)}, the integral of the hat {@code h}. */
    private double hIntegral(double x) {
        double logX = Math.log(x);
        return helper2((1.0 - exponent) * logX) * logX;
    }

    /** The hat function {@code h(x) = x^-e}. */
    private double h(double x) {
        return Math.exp(-exponent * Math.log(x));
    }

    private double hIntegralInverse(double x) {
        double t = x * (1.0 - exponent);
        if (t < -1.0) {
            t = -1.0; // limits rounding errors near the upper end
        }
        return Math.exp(helper1(t) * x);
    }

    /** {@code log1p(x) / x}, stable near 0. */
    private static double helper1(double x) {
        return Math.abs(x) > 1e-8
                ? Math.log1p(x) / x
                : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
    }

    /** {@code expm1(x) / x}, stable near 0. */
    private static double helper2(double x) {
        return Math.abs(x) > 1e-8
                ? Math.expm1(x) / x
                : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
    }
}
