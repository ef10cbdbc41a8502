package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AdagradRowOptimizerTest {
    @Test
    void oneStepByHand() {
        AdagradRowOptimizer opt = new AdagradRowOptimizer(0.1f, 0.1f, 0.5f);
        float[] params = {9f, 1f, -2f};
        float[] state = {9f, 9f, 9f, 9f};
        float[] grad = {9f, 9f, 0.5f, 1f};
        opt.initState(params, 1, state, 2, 2);
        assertThat(state).containsExactly(9f, 9f, 0.1f, 0.1f);

        opt.apply(params, 1, state, 2, grad, 2, 2);

        // i=0: g = 0.5 + 0.5*1 = 1;  acc = 0.1 + 1 = 1.1; p = 1 - 0.1*1/sqrt(1.1) = 0.904654
        // i=1: g = 1 + 0.5*(-2) = 0; acc = 0.1;           p = -2
        assertThat(state[2]).isCloseTo(1.1f, within(1e-6f));
        assertThat(params[1]).isCloseTo(0.904654f, within(1e-6f));
        assertThat(state[3]).isEqualTo(0.1f);
        assertThat(params[2]).isEqualTo(-2f);
        assertThat(params[0]).isEqualTo(9f);
        assertThat(state[0]).isEqualTo(9f);
        assertThat(state[1]).isEqualTo(9f);
    }

    @Test
    void matchesAdagradOptimizerBitwise() {
        float lr = 0.05f;
        float initialAccumulator = 0.01f;
        float l2 = 1e-3f;
        AdagradRowOptimizer row = new AdagradRowOptimizer(lr, initialAccumulator, l2);
        AdagradOptimizer dense = new AdagradOptimizer(lr, l2);
        Random random = new Random(42);
        int n = 9;
        float[] rowParams = new float[n];
        for (int i = 0; i < n; i++) {
            rowParams[i] = (float) (random.nextGaussian() * 0.1);
        }
        float[] denseParams = rowParams.clone();
        float[] rowState = new float[row.stateWidth(n)];
        row.initState(rowParams, 0, rowState, 0, n);
        float[] denseAccum = new float[n];
        java.util.Arrays.fill(denseAccum, initialAccumulator);

        for (int step = 0; step < 500; step++) {
            float[] grad = new float[n];
            for (int i = 0; i < n; i++) {
                grad[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
            }
            row.apply(rowParams, 0, rowState, 0, grad, 0, n);
            dense.apply(denseParams, 0, denseAccum, 0, grad, 0, n);
        }
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToRawIntBits(rowParams[i]))
                    .as("param %d: row %s vs dense %s", i, rowParams[i], denseParams[i])
                    .isEqualTo(Float.floatToRawIntBits(denseParams[i]));
            assertThat(Float.floatToRawIntBits(rowState[i]))
                    .as("accumulator %d: row %s vs dense %s", i, rowState[i], denseAccum[i])
                    .isEqualTo(Float.floatToRawIntBits(denseAccum[i]));
        }
    }

    @Test
    void zeroGradientOnZeroAccumulatorLeavesTheParameter() {
        AdagradRowOptimizer opt = new AdagradRowOptimizer(0.1f, 0f, 0f);
        float[] params = {0.5f};
        float[] state = new float[1];
        opt.initState(params, 0, state, 0, 1);
        opt.apply(params, 0, state, 0, new float[] {0f}, 0, 1);
        assertThat(params[0]).isEqualTo(0.5f);
        assertThat(state[0]).isEqualTo(0f);
    }
}
