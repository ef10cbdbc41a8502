package io.freshrank.jobs.sim;

import java.util.SplittableRandom;

/**
 * The simulator's random source: {@link SplittableRandom} (whose algorithm is specified, so a seed
 * gives the same stream on every JDK) plus the few distributions the simulator draws from. The
 * Gaussian is the Marsaglia polar method, written out rather than taken from the JDK so that its
 * output cannot change with the JDK version. Not thread-safe.
 */
final class SimRandom {
    private final SplittableRandom random;
    private double spareGaussian;
    private boolean hasSpare;

    SimRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
        return random.nextDouble();
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Standard normal (Marsaglia and Bray, SIAM Review 1964). */
    double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u;
        double v;
        double s;
        do {
            u = 2.0 * random.nextDouble() - 1.0;
            v = 2.0 * random.nextDouble() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        double m = Math.sqrt(-2.0 * Math.log(s) / s);
        spareGaussian = v * m;
        hasSpare = true;
        return u * m;
    }

    /** Log-normal with the given median and sigma of the underlying normal. */
    double nextLogNormal(double median, double sigma) {
        return median * Math.exp(sigma * nextGaussian());
    }

    /** Exponential with the given mean. */
    double nextExponential(double mean) {
        // 1 - U is in (0, 1], so the log is finite.
        return -mean * Math.log(1.0 - random.nextDouble());
    }

    /**
     * An index drawn from a cumulative distribution ({@code cdf} non-decreasing, last entry the
     * total mass).
     */
    int nextFromCdf(double[] cdf) {
        double x = random.nextDouble() * cdf[cdf.length - 1];
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The cumulative Zipf weights {@code sum_{k<=r} (k+1)^-exponent} for ranks 0..n-1. */
    static double[] zipfCdf(int n, double exponent) {
        double[] cdf = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++) {
            total += Math.pow(k + 1, -exponent);
            cdf[k] = total;
        }
        return cdf;
    }
}
