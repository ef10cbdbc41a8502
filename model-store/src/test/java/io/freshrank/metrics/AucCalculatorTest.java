package io.freshrank.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AucCalculatorTest {

    @Test
    void matchesHandComputedValue() {
        // pairs (pos, neg): (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, 0.1) win, (0.8, 0.4) win
        float[] scores = {0.1f, 0.4f, 0.35f, 0.8f};
        float[] labels = {0, 0, 1, 1};
        assertThat(AucCalculator.auc(scores, labels)).isEqualTo(0.75);
    }

    @Test
    void tiesGetHalfCredit() {
        assertThat(AucCalculator.auc(new float[] {0.5f, 0.5f}, new float[] {0, 1})).isEqualTo(0.5);
        // positives {0.5, 0.9}, negatives {0.1, 0.5}: 1 + 0.5 + 1 + 1 = 3.5 of 4 pairs
        float[] scores = {0.1f, 0.5f, 0.5f, 0.9f};
        float[] labels = {0, 1, 0, 1};
        assertThat(AucCalculator.auc(scores, labels)).isEqualTo(0.875);
        // all scores equal: every pair is a tie
        assertThat(AucCalculator.auc(new float[] {0.3f, 0.3f, 0.3f}, new float[] {1, 0, 0}))
                .isEqualTo(0.5);
    }

    @Test
    void perfectAndInvertedRankings() {
        float[] labels = {0, 0, 1, 1, 1};
        assertThat(AucCalculator.auc(new float[] {1, 2, 3, 4, 5}, labels)).isEqualTo(1.0);
        assertThat(AucCalculator.auc(new float[] {5, 4, 3, 2, 1}, labels)).isEqualTo(0.0);
    }

    @Test
    void isNanWithOnlyOneClassOrNoData() {
        assertThat(AucCalculator.auc(new float[] {0.1f, 0.9f}, new float[] {1, 1})).isNaN();
        assertThat(AucCalculator.auc(new float[] {0.1f, 0.9f}, new float[] {0, 0})).isNaN();
        assertThat(AucCalculator.auc(new float[0], new float[0])).isNaN();
        assertThat(new AucCalculator().auc()).isNaN();
    }

    @Test
    void labelIsPositiveFromOneHalf() {
        assertThat(AucCalculator.auc(new float[] {0.2f, 0.8f}, new float[] {0.49f, 0.5f}))
                .isEqualTo(1.0);
    }

    @Test
    void handlesInfiniteScoresAndSignedZero() {
        float[] scores = {Float.NEGATIVE_INFINITY, -0.0f, 0.0f, Float.POSITIVE_INFINITY};
        float[] labels = {0, 1, 0, 1};
        // positives {-0, +inf}, negatives {-inf, +0}: -0 == +0 is a tie -> 1 + 0.5 + 1 + 1
        assertThat(AucCalculator.auc(scores, labels)).isEqualTo(0.875);
    }

    @Test
    void equalsPairwiseDefinitionOnRandomDataWithTies() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 30; trial++) {
            int n = 1 + rnd.nextInt(400);
            int levels = 1 + rnd.nextInt(50); // few levels -> many ties
            float[] scores = new float[n];
            float[] labels = new float[n];
            for (int i = 0; i < n; i++) {
                scores[i] = rnd.nextInt(levels) / (float) levels;
                // labels correlated with the score so the AUC is not always near 0.5
                labels[i] = rnd.nextDouble() < 0.2 + 0.6 * scores[i] ? 1f : 0f;
            }
            double expected = pairwiseAuc(scores, labels, 0, n);
            double actual = AucCalculator.auc(scores, labels);
            if (Double.isNaN(expected)) {
                assertThat(actual).as("trial %d, n=%d", trial, n).isNaN();
            } else {
                assertThat(actual)
                        .as("trial %d, n=%d, levels=%d", trial, n, levels)
                        .isCloseTo(expected, within(1e-12));
            }
        }
    }

    @Test
    void rangeAndAccumulatorAgreeWithPairwise() {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 2000;
        float[] scores = new float[n];
        float[] labels = new float[n];
        AucCalculator calc = new AucCalculator();
        for (int i = 0; i < n; i++) {
            scores[i] = (float) rnd.nextDouble();
            labels[i] = rnd.nextDouble() < scores[i] ? 1f : 0f;
            if (i >= 500 && i < 1700) {
                calc.add(scores[i], labels[i]);
            }
        }
        double expected = pairwiseAuc(scores, labels, 500, 1700);
        assertThat(AucCalculator.auc(scores, labels, 500, 1700)).isCloseTo(expected, within(1e-12));
        assertThat(calc.auc()).isCloseTo(expected, within(1e-12));
        assertThat(calc.count()).isEqualTo(1200);
        assertThat(calc.positives() + calc.negatives()).isEqualTo(1200);
        // auc() sorts in place; adding more and asking again must still be exact
        calc.add(0.0, true);
        calc.add(1.0, false);
        float[] s2 = new float[1202];
        float[] l2 = new float[1202];
        System.arraycopy(scores, 500, s2, 0, 1200);
        System.arraycopy(labels, 500, l2, 0, 1200);
        s2[1200] = 0f;
        l2[1200] = 1f;
        s2[1201] = 1f;
        l2[1201] = 0f;
        assertThat(calc.auc()).isCloseTo(pairwiseAuc(s2, l2, 0, 1202), within(1e-12));
        calc.clear();
        assertThat(calc.auc()).isNaN();
    }

    @Test
    void doubleScoresWithBooleanLabels() {
        double[] scores = {0.1, 0.4, 0.35, 0.8};
        boolean[] positives = {false, false, true, true};
        assertThat(AucCalculator.auc(scores, positives)).isEqualTo(0.75);
    }

    @Test
    void rejectsNanAndMismatchedInputAsBugs() {
        assertThatThrownBy(() -> AucCalculator.auc(new float[] {Float.NaN}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 0");
        assertThatThrownBy(() -> AucCalculator.auc(new float[] {0.5f}, new float[] {Float.NaN}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
        assertThatThrownBy(() -> AucCalculator.auc(new float[2], new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 vs 3");
        assertThatThrownBy(() -> AucCalculator.auc(new float[2], new float[2], 1, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** The definition: O(n^2) over all (positive, negative) pairs. */
    static double pairwiseAuc(float[] scores, float[] labels, int from, int to) {
        double wins = 0;
        long pairs = 0;
        for (int i = from; i < to; i++) {
            if (labels[i] < 0.5f) {
                continue;
            }
            for (int j = from; j < to; j++) {
                if (labels[j] >= 0.5f) {
                    continue;
                }
                pairs++;
                if (scores[i] > scores[j]) {
                    wins += 1;
                } else if (scores[i] == scores[j]) {
                    wins += 0.5;
                }
            }
        }
        return pairs == 0 ? Double.NaN : wins / pairs;
    }
}
