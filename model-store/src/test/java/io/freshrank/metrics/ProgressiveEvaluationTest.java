package io.freshrank.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProgressiveEvaluationTest {

    @Test
    void lastFractionCoversTheTail() {
        ProgressiveEvaluation e = new ProgressiveEvaluation();
        // first half: wrong ranking; second half: AUC 0.75 (the hand-computed example)
        e.add(0.9, 0, 0.5);
        e.add(0.8, 0, 0.5);
        e.add(0.2, 1, 0.5);
        e.add(0.1, 1, 0.5);
        e.add(0.1, 0, 0.2);
        e.add(0.4, 0, 0.1);
        e.add(0.35, 1, 0.6);
        e.add(0.8, 1, 0.7);

        assertThat(e.count()).isEqualTo(8);
        assertThat(e.tailStart(0.5)).isEqualTo(4);
        assertThat(e.aucOfLast(0.5)).isCloseTo(0.75, within(1e-12));
        assertThat(e.oracleAucOfLast(0.5)).isEqualTo(1.0);
        assertThat(e.aucOfLast(1.0)).isCloseTo(e.auc(), within(1e-12));
        assertThat(e.summaryOfLast(0.5).count()).isEqualTo(4);
        assertThat(e.summary(4, 8).auc()).isCloseTo(0.75, within(1e-12));
        // 20% of 8 is 1.6, rounded to the last 2 triples: both positive, so no AUC
        assertThat(e.tailStart(0.2)).isEqualTo(6);
        assertThat(e.aucOfLast(0.2)).isNaN();
        // the last 3: 0.35 loses to 0.4, 0.8 beats it
        assertThat(e.tailStart(0.375)).isEqualTo(5);
        assertThat(e.aucOfLast(0.375)).isEqualTo(0.5);
    }

    @Test
    void growsBeyondItsInitialBuffersAndMatchesPairwise() {
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 5000;
        float[] s = new float[n];
        float[] y = new float[n];
        float[] o = new float[n];
        ProgressiveEvaluation e = new ProgressiveEvaluation();
        for (int i = 0; i < n; i++) {
            o[i] = (float) rnd.nextDouble();
            y[i] = rnd.nextDouble() < o[i] ? 1 : 0;
            // a noisy model whose quality improves over the run
            double noise = (1.0 - i / (double) n) * rnd.nextDouble();
            s[i] = (float) Math.min(1.0, Math.max(0.0, 0.5 * o[i] + 0.5 * noise));
            assertThat(e.add(s[i], y[i], o[i])).isTrue();
        }
        assertThat(e.count()).isEqualTo(n);
        int from = e.tailStart(0.2);
        assertThat(from).isEqualTo(4000);
        assertThat(e.aucOfLast(0.2))
                .isCloseTo(AucCalculatorTest.pairwiseAuc(s, y, from, n), within(1e-12));
        assertThat(e.oracleAucOfLast(0.2))
                .isCloseTo(AucCalculatorTest.pairwiseAuc(o, y, from, n), within(1e-12));
        assertThat(e.oracleAuc())
                .isCloseTo(AucCalculatorTest.pairwiseAuc(o, y, 0, n), within(1e-12));
        assertThat(e.logLossOfLast(0.2)).isCloseTo(LogLoss.mean(s, y, from, n), within(1e-12));
        // the model improves, so the tail is better than the whole run
        assertThat(e.aucOfLast(0.2)).isGreaterThan(e.auc());
    }

    @Test
    void countsInvalidInputAndValidatesFraction() {
        ProgressiveEvaluation e = new ProgressiveEvaluation();
        assertThat(e.add(Double.NaN, 0)).isFalse();
        assertThat(e.add(0.5, -1)).isFalse();
        assertThat(e.rejected()).isEqualTo(2);
        assertThat(e.count()).isZero();
        assertThat(e.aucOfLast(0.2)).isNaN();
        assertThatThrownBy(() -> e.aucOfLast(0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fraction");
        assertThatThrownBy(() -> e.aucOfLast(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> e.summary(0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
