package io.freshrank.metrics;

import java.util.Arrays;

/**
 * Every (score, label, oracle) triple of a run, in arrival order, for end-of-run reports such as
 * "AUC over the last 20% of examples" (progressive validation: the tail shows what the model has
 * learned by then, measured on examples it had not trained on when it scored them).
 *
 * <p>Stored compactly as three growing {@code float} arrays (12 bytes per example, so 100 million
 * examples take 1.2 GB; use {@link RollingMetrics} for unbounded streams). Scores and labels must
 * be in [0, 1]; an oracle of {@code NaN} means unknown; other input is counted by {@link
 * #rejected()} and dropped. Not thread-safe.
 */
public final class ProgressiveEvaluation {
    private static final int INITIAL_CAPACITY = 1024;

    private float[] scores = new float[INITIAL_CAPACITY];
    private float[] labels = new float[INITIAL_CAPACITY];
    private float[] oracle = new float[INITIAL_CAPACITY];
    private int size;
    private long rejected;

    /** Adds a triple without an oracle; see {@link #add(double, double, double)}. */
    public boolean add(double score, double label) {
        return add(score, label, Double.NaN);
    }

    /**
     * Appends a triple.
     *
     * @return false (and counts it as rejected) when score or label is not in [0, 1] or the oracle
     *     is neither {@code NaN} nor in [0, 1]
     * @throws IllegalStateException when the buffers reached the JVM's array size limit
     */
    public boolean add(double score, double label, double oracleProbability) {
        if (!Triples.accepts(score, label, oracleProbability)) {
            rejected++;
            return false;
        }
        if (size == scores.length) {
            int cap = Growth.nextCapacity(scores.length, size + 1);
            scores = Arrays.copyOf(scores, cap);
            labels = Arrays.copyOf(labels, cap);
            oracle = Arrays.copyOf(oracle, cap);
        }
        scores[size] = (float) score;
        labels[size] = (float) label;
        oracle[size] = (float) oracleProbability;
        size++;
        return true;
    }

    /** Triples recorded. */
    public int count() {
        return size;
    }

    public long rejected() {
        return rejected;
    }

    /** AUC over every triple. */
    public double auc() {
        return Triples.auc(scores, labels, 0, size);
    }

    /** Oracle AUC over every triple with a known oracle. */
    public double oracleAuc() {
        return Triples.oracleAuc(oracle, labels, 0, size);
    }

    /** AUC over the last {@code fraction} of the triples (see {@link #tailStart}). */
    public double aucOfLast(double fraction) {
        return Triples.auc(scores, labels, tailStart(fraction), size);
    }

    /** Oracle AUC over the last {@code fraction} of the triples. */
    public double oracleAucOfLast(double fraction) {
        return Triples.oracleAuc(oracle, labels, tailStart(fraction), size);
    }

    /** Log loss over the last {@code fraction} of the triples. */
    public double logLossOfLast(double fraction) {
        return Triples.logLoss(scores, labels, tailStart(fraction), size);
    }

    /** Every metric over the last {@code fraction} of the triples. */
    public MetricsSummary summaryOfLast(double fraction) {
        return Triples.summarize(scores, labels, oracle, tailStart(fraction), size);
    }

    /** Every metric over the triples at indices {@code [from, to)} in arrival order. */
    public MetricsSummary summary(int from, int to) {
        AucCalculator.checkRange(from, to, size);
        return Triples.summarize(scores, labels, oracle, from, to);
    }

    /**
     * The first index of the last {@code fraction} of the triples: the tail holds {@code
     * round(fraction * count())} of them.
     *
     * @param fraction in (0, 1]
     */
    public int tailStart(double fraction) {
        if (!(fraction > 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("fraction must be in (0, 1]; got " + fraction);
        }
        long tail = Math.round(fraction * size);
        return (int) (size - Math.min(size, tail));
    }

    /** Forgets every triple (keeps the buffers). */
    public void clear() {
        size = 0;
        rejected = 0;
    }
}
