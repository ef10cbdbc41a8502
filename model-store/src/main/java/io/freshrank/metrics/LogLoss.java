package io.freshrank.metrics;

/**
 * Binary cross-entropy {@code -(y ln p + (1 - y) ln(1 - p))}, natural log, with {@code p} clamped
 * to {@code [EPSILON, 1 - EPSILON]} so that a confident mistake costs a large finite amount rather
 * than infinity. Labels may be soft (in [0, 1]). Stateless.
 */
public final class LogLoss {
    /** Probabilities are clamped to [EPSILON, 1 - EPSILON]. */
    public static final double EPSILON = 1e-7;

    private LogLoss() {}

    /** The loss of one prediction. */
    public static double of(double probability, double label) {
        double p = Math.min(1.0 - EPSILON, Math.max(EPSILON, probability));
        return -(label * Math.log(p) + (1.0 - label) * Math.log(1.0 - p));
    }

    /** Mean loss over all pairs; {@code NaN} when empty. */
    public static double mean(float[] probabilities, float[] labels) {
        if (probabilities.length != labels.length) {
            throw new IllegalArgumentException(
                    "probabilities and labels differ in length: "
                            + probabilities.length
                            + " vs "
                            + labels.length);
        }
        return mean(probabilities, labels, 0, probabilities.length);
    }

    /** Mean loss over the pairs at indices {@code [from, to)}; {@code NaN} when empty. */
    public static double mean(float[] probabilities, float[] labels, int from, int to) {
        AucCalculator.checkRange(from, to, Math.min(probabilities.length, labels.length));
        if (from == to) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += of(probabilities[i], labels[i]);
        }
        return sum / (to - from);
    }
}
