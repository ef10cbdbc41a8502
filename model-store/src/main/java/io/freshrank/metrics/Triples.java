package io.freshrank.metrics;

/**
 * Metrics over index ranges of three parallel float arrays (score, label, oracle), shared by {@link
 * RollingMetrics} (its whole ring: every metric here is order-free) and {@link
 * ProgressiveEvaluation} (a tail range). Inputs were validated by {@link #accepts} when added.
 */
final class Triples {
    private Triples() {}

    /**
     * Whether a triple may be recorded: score and label finite and in [0, 1], oracle {@code NaN}
     * (unknown) or in [0, 1].
     */
    static boolean accepts(double score, double label, double oracle) {
        return score >= 0.0
                && score <= 1.0
                && label >= 0.0
                && label <= 1.0
                && (Double.isNaN(oracle) || (oracle >= 0.0 && oracle <= 1.0));
    }

    static double auc(float[] scores, float[] labels, int from, int to) {
        return AucCalculator.auc(scores, labels, from, to);
    }

    /** AUC of the oracle over the triples whose oracle is known. */
    static double oracleAuc(float[] oracle, float[] labels, int from, int to) {
        AucCalculator calc = new AucCalculator();
        for (int i = from; i < to; i++) {
            if (!Float.isNaN(oracle[i])) {
                calc.add(oracle[i], labels[i] >= 0.5f);
            }
        }
        return calc.auc();
    }

    static double logLoss(float[] scores, float[] labels, int from, int to) {
        return LogLoss.mean(scores, labels, from, to);
    }

    static double oracleLogLoss(float[] oracle, float[] labels, int from, int to) {
        double sum = 0;
        long n = 0;
        for (int i = from; i < to; i++) {
            if (!Float.isNaN(oracle[i])) {
                sum += LogLoss.of(oracle[i], labels[i]);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    static double mean(float[] values, int from, int to) {
        if (from == to) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }

    /** mean(score) / mean(label); {@code NaN} when empty or without a positive label. */
    static double calibration(float[] scores, float[] labels, int from, int to) {
        double sumScore = 0;
        double sumLabel = 0;
        for (int i = from; i < to; i++) {
            sumScore += scores[i];
            sumLabel += labels[i];
        }
        return sumLabel > 0 ? sumScore / sumLabel : Double.NaN;
    }

    static MetricsSummary summarize(
            float[] scores, float[] labels, float[] oracle, int from, int to) {
        return new MetricsSummary(
                to - from,
                auc(scores, labels, from, to),
                oracleAuc(oracle, labels, from, to),
                logLoss(scores, labels, from, to),
                oracleLogLoss(oracle, labels, from, to),
                calibration(scores, labels, from, to),
                mean(scores, from, to),
                mean(labels, from, to));
    }
}
