package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AdagradOptimizerTest {
    @Test
    void oneStepByHand() {
        AdagradOptimizer opt = new AdagradOptimizer(0.1f, 0.5f);
        float[] param = {9f, 1f, -2f, 3f};
        float[] accum = {9f, 0.1f, 0.5f, 9f};
        float[] grad = {9f, 9f, 0.5f, 1f, 9f};
        // offsets: params from 1, accumulators from 1, gradients from 2, two coordinates
        opt.apply(param, 1, accum, 1, grad, 2, 2);

        // i=0: g = 0.5 + 0.5*1 = 1;  accum = 0.1 + 1 = 1.1;  p = 1 - 0.1*1/sqrt(1.1)
        // i=1: g = 1 + 0.5*(-2) = 0; accum = 0.5;            p = -2
        assertThat(accum[1]).isCloseTo(1.1f, within(1e-6f));
        assertThat(param[1]).isCloseTo((float) (1 - 0.1 / Math.sqrt(1.1)), within(1e-6f));
        assertThat(accum[2]).isEqualTo(0.5f);
        assertThat(param[2]).isEqualTo(-2f);
        // untouched outside the ranges
        assertThat(param[0]).isEqualTo(9f);
        assertThat(param[3]).isEqualTo(3f);
        assertThat(accum[0]).isEqualTo(9f);
        assertThat(accum[3]).isEqualTo(9f);
    }

    @Test
    void twoStepsShrinkTheStep() {
        AdagradOptimizer opt = new AdagradOptimizer(1f, 0f);
        float[] param = {0f};
        float[] accum = {0f};
        float[] grad = {2f};
        opt.apply(param, 0, accum, 0, grad, 0, 1); // accum 4, step 2/2 = 1
        assertThat(param[0]).isEqualTo(-1f);
        opt.apply(param, 0, accum, 0, grad, 0, 1); // accum 8, step 2/sqrt(8)
        assertThat(param[0]).isCloseTo((float) (-1 - 2 / Math.sqrt(8)), within(1e-6f));
        assertThat(accum[0]).isEqualTo(8f);
    }

    @Test
    void zeroGradientOnZeroAccumulatorLeavesTheParameter() {
        AdagradOptimizer opt = new AdagradOptimizer(0.1f, 0f);
        float[] param = {0.5f};
        float[] accum = {0f};
        opt.apply(param, 0, accum, 0, new float[] {0f}, 0, 1);
        assertThat(param[0]).isEqualTo(0.5f);
    }
}
