package io.freshrank.metrics;

import java.util.Arrays;

/**
 * Exact area under the ROC curve: the probability that a random positive scores higher than a
 * random negative, ties counted as one half. This equals the Mann-Whitney U statistic with
 * mid-ranks for tied scores (Hanley and McNeil, Radiology 1982), divided by {@code nPos * nNeg}.
 *
 * <p>Computed in O(n log n): positives and negatives are sorted separately and merged, so no
 * per-example objects are allocated. The result is {@code NaN} when either class is empty (the AUC
 * is undefined then).
 *
 * <p>Use the static methods on arrays, or an instance as an accumulator: {@link #add} pairs, then
 * {@link #auc()} (which may be called repeatedly and interleaved with more adds). A label is
 * positive when it is {@code >= 0.5}. A {@code NaN} score or label is a caller bug (callers drop
 * non-finite model outputs before they get here) and throws {@link IllegalArgumentException}.
 * Instances are not thread-safe.
 */
public final class AucCalculator {
    private static final int INITIAL_CAPACITY = 64;

    private double[] positives = new double[INITIAL_CAPACITY];
    private double[] negatives = new double[INITIAL_CAPACITY];
    private int nPos;
    private int nNeg;

    /** Adds one (score, label) pair; the label is positive when {@code >= 0.5}. */
    public void add(double score, double label) {
        if (Double.isNaN(label)) {
            throw new IllegalArgumentException("label is NaN (score " + score + ")");
        }
        add(score, label >= 0.5);
    }

    /** Adds one (score, class) pair. */
    public void add(double score, boolean positive) {
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("score is NaN; drop non-finite scores first");
        }
        if (positive) {
            positives = ensure(positives, nPos);
            positives[nPos++] = score;
        } else {
            negatives = ensure(negatives, nNeg);
            negatives[nNeg++] = score;
        }
    }

    public long positives() {
        return nPos;
    }

    public long negatives() {
        return nNeg;
    }

    public long count() {
        return (long) nPos + nNeg;
    }

    /** The AUC of everything added so far, {@code NaN} when a class is empty. */
    public double auc() {
        return aucOfClasses(positives, nPos, negatives, nNeg);
    }

    /** Forgets every pair (keeps the buffers). */
    public void clear() {
        nPos = 0;
        nNeg = 0;
    }

    /** AUC of {@code scores} against {@code labels} (same length). */
    public static double auc(float[] scores, float[] labels) {
        checkSameLength(scores.length, labels.length);
        return auc(scores, labels, 0, scores.length);
    }

    /** AUC of the pairs at indices {@code [from, to)}. */
    public static double auc(float[] scores, float[] labels, int from, int to) {
        checkSameLength(scores.length, labels.length);
        checkRange(from, to, scores.length);
        AucCalculator calc = new AucCalculator(to - from);
        for (int i = from; i < to; i++) {
            calc.add(checked(scores[i], i), checkedLabel(labels[i], i));
        }
        return calc.auc();
    }

    /** AUC of {@code scores} against {@code positives} (same length). */
    public static double auc(double[] scores, boolean[] positives) {
        checkSameLength(scores.length, positives.length);
        AucCalculator calc = new AucCalculator(scores.length);
        for (int i = 0; i < scores.length; i++) {
            calc.add(checked(scores[i], i), positives[i]);
        }
        return calc.auc();
    }

    public AucCalculator() {}

    private AucCalculator(int expected) {
        // Both buffers get the expected size: the class balance is not known in advance, and
        // growing one of them once is cheaper than a counting pass.
        int cap = Math.max(INITIAL_CAPACITY, expected);
        this.positives = new double[cap];
        this.negatives = new double[cap];
    }

    /**
     * The AUC of two score sets. Sorts the first {@code nPos} / {@code nNeg} entries of the arrays
     * in place (the order of a class's scores does not matter to the AUC).
     */
    static double aucOfClasses(double[] pos, int nPos, double[] neg, int nNeg) {
        if (nPos == 0 || nNeg == 0) {
            return Double.NaN;
        }
        Arrays.sort(pos, 0, nPos);
        Arrays.sort(neg, 0, nNeg);
        // twiceU = 2 * sum over positives of (#negatives below + 0.5 * #negatives equal). Kept as
        // a long: it is exact, and at most nPos * nNeg * 2 <= n^2 / 2 fits for any int n.
        long twiceU = 0;
        int below = 0;
        int i = 0;
        while (i < nPos) {
            double v = pos[i];
            int end = i + 1;
            while (end < nPos && pos[end] == v) {
                end++;
            }
            while (below < nNeg && neg[below] < v) {
                below++;
            }
            int equalEnd = below;
            while (equalEnd < nNeg && neg[equalEnd] == v) {
                equalEnd++;
            }
            twiceU += (long) (end - i) * (2L * below + (equalEnd - below));
            i = end;
        }
        return twiceU / (2.0 * nPos * (double) nNeg);
    }

    private static double[] ensure(double[] buf, int size) {
        if (size < buf.length) {
            return buf;
        }
        return Arrays.copyOf(buf, Growth.nextCapacity(buf.length, size + 1));
    }

    private static double checked(double score, int index) {
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException(
                    "score at index " + index + " is NaN; drop non-finite scores first");
        }
        return score;
    }

    private static boolean checkedLabel(float label, int index) {
        if (Float.isNaN(label)) {
            throw new IllegalArgumentException("label at index " + index + " is NaN");
        }
        return label >= 0.5f;
    }

    private static void checkSameLength(int scores, int labels) {
        if (scores != labels) {
            throw new IllegalArgumentException(
                    "scores and labels differ in length: " + scores + " vs " + labels);
        }
    }

    static void checkRange(int from, int to, int length) {
        if (from < 0 || to > length || from > to) {
            throw new IndexOutOfBoundsException(
                    "range [" + from + ", " + to + ") is not within [0, " + length + ")");
        }
    }
}
