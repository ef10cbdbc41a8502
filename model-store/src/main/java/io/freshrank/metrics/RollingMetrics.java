package io.freshrank.metrics;

/**
 * Metrics over the last {@code capacity} (score, label, oracle) triples: a fixed-size ring, so
 * memory is constant however long the stream runs. This is what the trainer reports while it learns
 * (progressive validation: each example is scored before the model learns from it).
 *
 * <p>{@link #add} is O(1). Each metric is computed on demand over the window: O(n) for log loss and
 * calibration, O(n log n) for the AUCs, so report every few thousand examples rather than per
 * example. Scores and labels must be probabilities in [0, 1]; an oracle of {@code NaN} means
 * unknown. Other input is counted by {@link #rejected()} and dropped. Not thread-safe.
 */
public final class RollingMetrics {
    private final float[] scores;
    private final float[] labels;
    private final float[] oracle;
    private int next;
    private int size;
    private long added;
    private long rejected;

    /** A window of the last {@code capacity} triples ({@code capacity >= 1}). */
    public RollingMetrics(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "rolling metrics capacity must be >= 1; got " + capacity);
        }
        this.scores = new float[capacity];
        this.labels = new float[capacity];
        this.oracle = new float[capacity];
    }

    /** Adds a triple without an oracle; see {@link #add(double, double, double)}. */
    public boolean add(double score, double label) {
        return add(score, label, Double.NaN);
    }

    /**
     * Adds a triple, evicting the oldest when the window is full.
     *
     * @return false (and counts it as rejected) when score or label is not in [0, 1] or the oracle
     *     is neither {@code NaN} nor in [0, 1]
     */
    public boolean add(double score, double label, double oracleProbability) {
        if (!Triples.accepts(score, label, oracleProbability)) {
            rejected++;
            return false;
        }
        scores[next] = (float) score;
        labels[next] = (float) label;
        oracle[next] = (float) oracleProbability;
        next = next + 1 == scores.length ? 0 : next + 1;
        if (size < scores.length) {
            size++;
        }
        added++;
        return true;
    }

    /** Triples in the window. */
    public int count() {
        return size;
    }

    public int capacity() {
        return scores.length;
    }

    /** Triples accepted since creation (or the last {@link #clear()}), including evicted ones. */
    public long totalAdded() {
        return added;
    }

    /** Triples dropped as invalid since creation (or the last {@link #clear()}). */
    public long rejected() {
        return rejected;
    }

    public double auc() {
        return Triples.auc(scores, labels, 0, size);
    }

    /** AUC of the oracle probabilities against the same labels (triples with a known oracle). */
    public double oracleAuc() {
        return Triples.oracleAuc(oracle, labels, 0, size);
    }

    public double logLoss() {
        return Triples.logLoss(scores, labels, 0, size);
    }

    public double oracleLogLoss() {
        return Triples.oracleLogLoss(oracle, labels, 0, size);
    }

    /** mean(score) / mean(label); {@code NaN} when the window holds no positive label. */
    public double calibration() {
        return Triples.calibration(scores, labels, 0, size);
    }

    public double meanScore() {
        return Triples.mean(scores, 0, size);
    }

    public double meanLabel() {
        return Triples.mean(labels, 0, size);
    }

    /** Every metric of the window at once. */
    public MetricsSummary summary() {
        return Triples.summarize(scores, labels, oracle, 0, size);
    }

    /** Empties the window and resets the counters. */
    public void clear() {
        next = 0;
        size = 0;
        added = 0;
        rejected = 0;
    }
}
