package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FtrlRowOptimizerTest {
    @Test
    void initStateAndOneStepByHand() {
        FtrlRowOptimizer opt = new FtrlRowOptimizer(0.5f, 1f, 0.1f, 0.2f);
        float[] params = {7f, 0.3f, 0f};
        float[] state = new float[1 + opt.stateWidth(2)];
        state[0] = 7f;
        float[] grad = {7f, 7f, 0.4f, 0.05f};

        opt.initState(params, 1, state, 1, 2);
        // denominator at n = 0: beta/alpha + l2 = 2.2
        // z_0 = -0.3*2.2 - 0.1 = -0.76; z_1 = 0 (w = 0); n = 0
        assertThat(state[1]).isCloseTo(-0.76f, within(1e-6f));
        assertThat(state[2]).isEqualTo(0f);
        assertThat(state[3]).isEqualTo(0f);
        assertThat(state[4]).isEqualTo(0f);
        assertThat(params).containsExactly(7f, 0.3f, 0f);

        opt.apply(params, 1, state, 1, grad, 2, 2);
        // i=0: sigma = sqrt(0.16)/0.5 = 0.8; z = -0.76 + 0.4 - 0.8*0.3 = -0.6; n = 0.16
        //      w = -(-0.6 + 0.1) / ((1 + 0.4)/0.5 + 0.2) = 0.5/3 = 0.1666667
        // i=1: sigma = 0.05/0.5 = 0.1; z = 0.05 - 0.1*0 = 0.05; n = 0.0025; |z| <= l1 -> w = 0
        assertThat(state[1]).isCloseTo(-0.6f, within(1e-6f));
        assertThat(state[3]).isCloseTo(0.16f, within(1e-6f));
        assertThat(params[1]).isCloseTo(0.1666667f, within(1e-6f));
        assertThat(state[2]).isCloseTo(0.05f, within(1e-7f));
        assertThat(state[4]).isCloseTo(0.0025f, within(1e-8f));
        assertThat(params[2]).isEqualTo(0f);
        assertThat(Float.floatToRawIntBits(params[2])).as("+0, not -0").isZero();
        assertThat(params[0]).isEqualTo(7f);
        assertThat(state[0]).isEqualTo(7f);
        assertThat(grad).containsExactly(7f, 7f, 0.4f, 0.05f);
    }

    @Test
    void initStateRoundTripsTheWeightsWithoutL1() {
        assertRoundTrip(new FtrlRowOptimizer(0.05f, 1f, 0f, 0f), 0.1, 1e-6);
        assertRoundTrip(new FtrlRowOptimizer(0.05f, 1f, 0f, 3f), 0.1, 1e-6);
    }

    @Test
    void initStateRoundTripsTheWeightsWithL1() {
        // l1 / ((beta/alpha + l2) |w|) <= 1 / (10 * 0.01) = 10: error <= 11 * 2^-24 relative
        FtrlRowOptimizer opt = new FtrlRowOptimizer(0.1f, 1f, 1f, 0f);
        assertRoundTrip(opt, 1.0, 1e-6);
        float[] params = {0.01f, -0.01f, 0.5f, -3f};
        float[] state = new float[opt.stateWidth(4)];
        opt.initState(params, 0, state, 0, 4);
        for (int i = 0; i < 4; i++) {
            assertThat(Math.abs(state[i])).as("|z_%d| > l1", i).isGreaterThan(1f);
            float w = opt.weight(state[i], state[4 + i]);
            assertThat(w).as("w_%d", i).isCloseTo(params[i], within(Math.abs(params[i]) * 1e-6f));
        }
    }

    @Test
    void tinyInitialWeightsStayNonZeroWithLargeL1() {
        FtrlRowOptimizer opt = new FtrlRowOptimizer(0.1f, 1f, 1f, 0f);
        // -1e-9 * 10 - 1 rounds to -1 in float: z is moved one ulp outward to keep w != 0.
        float[] params = {1e-9f, -1e-9f};
        float[] state = new float[opt.stateWidth(2)];
        opt.initState(params, 0, state, 0, 2);
        opt.apply(params, 0, state, 0, new float[2], 0, 2);
        assertThat(params[0]).isPositive();
        assertThat(params[1]).isNegative();
    }

    @Test
    void largeL1KeepsPureNoiseCoordinatesAtExactlyZero() {
        // Coordinates starting at 0 (as a row's w does) see 2000 steps of N(0, 1) noise: z is a
        // random walk of about +-45, well inside l1 = 200, so every weight stays exactly 0 at every
        // step. Without l1 the same stream moves every weight.
        int n = 8;
        FtrlRowOptimizer sparse = new FtrlRowOptimizer(0.1f, 1f, 200f, 0f);
        FtrlRowOptimizer dense = new FtrlRowOptimizer(0.1f, 1f, 0f, 0f);
        float[] sparseParams = new float[n];
        float[] denseParams = new float[n];
        float[] sparseState = new float[sparse.stateWidth(n)];
        float[] denseState = new float[dense.stateWidth(n)];
        sparse.initState(sparseParams, 0, sparseState, 0, n);
        dense.initState(denseParams, 0, denseState, 0, n);
        Random random = new Random(7);
        float[] grad = new float[n];
        for (int step = 0; step < 2000; step++) {
            for (int i = 0; i < n; i++) {
                grad[i] = (float) random.nextGaussian();
            }
            sparse.apply(sparseParams, 0, sparseState, 0, grad, 0, n);
            dense.apply(denseParams, 0, denseState, 0, grad, 0, n);
            assertThat(sparseParams)
                    .as("l1 = 200, step %d: %s", step, Arrays.toString(sparseParams))
                    .containsOnly(0f);
        }
        assertThat(countNonZero(denseParams))
                .as("l1 = 0: %s", Arrays.toString(denseParams))
                .isEqualTo(n);
    }

    @Test
    void l1ZeroesCoordinatesWhoseEvidenceFallsBackInsideIt() {
        // A coordinate with strong evidence (|z| well beyond l1) is non-zero; gradients that bring
        // z back within l1 make it exactly 0, where it stays under noise smaller than the band.
        FtrlRowOptimizer opt = new FtrlRowOptimizer(0.1f, 1f, 50f, 0f);
        float[] params = {0f};
        float[] state = new float[opt.stateWidth(1)];
        opt.initState(params, 0, state, 0, 1);
        for (int step = 0; step < 200; step++) {
            opt.apply(params, 0, state, 0, new float[] {-1f}, 0, 1);
        }
        assertThat(params[0]).as("after 200 gradients of -1, z = %s", state[0]).isPositive();
        int steps = 0;
        while (params[0] != 0f && steps < 1000) {
            opt.apply(params, 0, state, 0, new float[] {1f}, 0, 1);
            steps++;
        }
        assertThat(params[0]).as("after %d gradients of +1, z = %s", steps, state[0]).isZero();
        // z entered the band at its edge (-l1): move it to the middle, then add noise.
        for (int step = 0; step < 50; step++) {
            opt.apply(params, 0, state, 0, new float[] {1f}, 0, 1);
        }
        Random random = new Random(13);
        for (int step = 0; step < 500; step++) {
            float g = (float) (random.nextGaussian() * 0.2);
            opt.apply(params, 0, state, 0, new float[] {g}, 0, 1);
            assertThat(params[0]).as("noise step %d, z = %s", step, state[0]).isZero();
        }
    }

    private static int countNonZero(float[] values) {
        int count = 0;
        for (float v : values) {
            if (v != 0f) {
                count++;
            }
        }
        return count;
    }

    /** Weights N(0, scale^2) survive initState and a zero-gradient update to relative tol. */
    private static void assertRoundTrip(FtrlRowOptimizer opt, double scale, double tol) {
        Random random = new Random(11);
        int n = 64;
        float[] params = new float[n + 3];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) (random.nextGaussian() * scale);
        }
        params[3] = 0f;
        float[] initial = params.clone();
        float[] state = new float[5 + opt.stateWidth(n)];
        opt.initState(params, 3, state, 5, n);
        assertThat(params).containsExactly(initial);

        opt.apply(params, 3, state, 5, new float[n], 0, n);
        for (int i = 0; i < params.length; i++) {
            assertThat((double) params[i])
                    .as("%s: w_%d", opt, i)
                    .isCloseTo(initial[i], within(Math.abs(initial[i]) * tol));
        }
    }
}
