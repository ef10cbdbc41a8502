package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FakeNegativeWeightsTest {
    @Test
    void reweightsOnlyFlaggedTrainingExamples() {
        float logit = 0f; // p = 0.5
        float[] w =
                FakeNegativeWeights.apply(
                        new float[] {1f, 1f, 1f, 0f},
                        new float[] {1f, 0f, 0f, 1f},
                        new boolean[] {true, true, false, true},
                        new float[] {logit, logit, logit, logit},
                        4);
        assertThat(w[0]).isCloseTo(1.5f, within(1e-6f)); // positive: 1 + p
        assertThat(w[1]).isCloseTo(0.75f, within(1e-6f)); // negative: (1 - p)(1 + p)
        assertThat(w[2]).isEqualTo(1f); // not from the fake-negative policy
        assertThat(w[3]).isEqualTo(0f); // holdout stays unlearned
    }

    @Test
    void theWeightedLossIsMinimisedAtTheTrueProbability() {
        // Biased stream for a true p: one negative per impression plus, with probability p, the
        // same example again
        // as a positive. With the weights, the expected logit gradient sum w * (q - y) vanishes at
        // q = p.
        for (double p : new double[] {0.05, 0.2, 0.5, 0.8}) {
            float logit = (float) Math.log(p / (1 - p));
            float[] w =
                    FakeNegativeWeights.apply(
                            new float[] {1f, 1f},
                            new float[] {1f, 0f},
                            new boolean[] {true, true},
                            new float[] {logit, logit},
                            2);
            double q = 1 / (1 + Math.exp(-logit));
            double grad = w[1] * q + p * w[0] * (q - 1);
            assertThat(grad).as("expected gradient at q = p = %s", p).isCloseTo(0.0, within(1e-6));
            double unweighted = q + p * (q - 1);
            assertThat(Math.abs(unweighted)).as("plain duplication is biased").isGreaterThan(1e-3);
        }
    }
}
