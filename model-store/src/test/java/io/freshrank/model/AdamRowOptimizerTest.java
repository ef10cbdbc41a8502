package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdamRowOptimizerTest {
    @Test
    void twoStepsByHand() {
        AdamRowOptimizer opt = new AdamRowOptimizer(0.1f, 0.9f, 0.999f, 1e-8f, 0.1f);
        float[] params = {5f, 0.5f};
        float[] state = new float[2 + opt.stateWidth(1)];
        state[0] = 5f;
        state[1] = 5f;
        opt.initState(params, 1, state, 2, 1);
        assertThat(state).containsExactly(5f, 5f, 0f, 0f, 0f);

        opt.apply(params, 1, state, 2, new float[] {2f}, 0, 1);
        // The decays are the float values: 0.999f = 0.99900001287, so 1 - beta2 = 0.00099998713
        // (the bias correction uses the same value, so v^ is unaffected).
        // g = 2 + 0.1*0.5 = 2.05; m = 0.1*2.05 = 0.205; v = 0.00099998713*2.05^2 = 0.0042024460
        // t = 1: m^ = 2.05, v^ = 4.2025; p = 0.5 - 0.1 * 2.05 / (2.05 + 1e-8) = 0.4
        assertThat(state[2]).isCloseTo(0.205f, within(1e-7f));
        assertThat(state[3]).isCloseTo(0.0042024460f, within(1e-10f));
        assertThat(state[4]).isEqualTo(1f);
        assertThat(params[1]).isCloseTo(0.4f, within(1e-6f));

        opt.apply(params, 1, state, 2, new float[] {-1f}, 0, 1);
        // g = -1 + 0.1*0.4 = -0.96; m = 0.9*0.205 - 0.1*0.96 = 0.0885
        // v = 0.99900001287*0.0042024460 + 0.00099998713*0.9216 = 0.0051198318; t = 2
        // m^ = 0.0885/0.19 = 0.465789; v^ = 0.0051198318/0.0019989743 = 2.561229
        // p = 0.4 - 0.1 * 0.465789 / (1.600384 + 1e-8) = 0.4 - 0.029105 = 0.370895
        assertThat(state[2]).isCloseTo(0.0885f, within(1e-7f));
        assertThat(state[3]).isCloseTo(0.0051198318f, within(1e-10f));
        assertThat(state[4]).isEqualTo(2f);
        assertThat(params[1]).isCloseTo(0.370895f, within(1e-6f));
        assertThat(params[0]).isEqualTo(5f);
        assertThat(state[0]).isEqualTo(5f);
        assertThat(state[1]).isEqualTo(5f);
    }

    @ParameterizedTest
    @ValueSource(floats = {1e-3f, 1f, 1e3f})
    void firstStepIsAboutTheLearningRateWhateverTheGradientScale(float scale) {
        float lr = 0.01f;
        AdamRowOptimizer opt = new AdamRowOptimizer(lr, 0.9f, 0.999f, 1e-8f, 0f);
        Random random = new Random(3);
        int n = 16;
        float[] params = new float[n];
        float[] grad = new float[n];
        for (int i = 0; i < n; i++) {
            params[i] = (float) random.nextGaussian();
            grad[i] =
                    (float) ((random.nextBoolean() ? 1 : -1) * scale * (0.5 + random.nextDouble()));
        }
        float[] before = params.clone();
        float[] state = new float[opt.stateWidth(n)];
        opt.initState(params, 0, state, 0, n);
        opt.apply(params, 0, state, 0, grad, 0, n);
        for (int i = 0; i < n; i++) {
            double step = before[i] - params[i];
            assertThat(step)
                    .as("step %d for gradient %s", i, grad[i])
                    .isCloseTo(Math.signum(grad[i]) * lr, within(lr * 1e-4));
        }
    }

    @Test
    void stepCountSaturatesAtTwoToTheTwentyFour() {
        AdamRowOptimizer opt = new AdamRowOptimizer(0.01f, 0.9f, 0.999f, 1e-8f, 0f);
        float[] params = {1f, 2f};
        float[] state = new float[opt.stateWidth(2)];
        opt.initState(params, 0, state, 0, 2);
        state[4] = AdamRowOptimizer.MAX_STEP - 1f;
        opt.apply(params, 0, state, 0, new float[] {1f, 1f}, 0, 2);
        assertThat(opt.step(state, 0, 2)).isEqualTo(16_777_216f);
        opt.apply(params, 0, state, 0, new float[] {1f, 1f}, 0, 2);
        assertThat(opt.step(state, 0, 2)).isEqualTo(16_777_216f);
        for (float p : params) {
            assertThat(Float.isFinite(p)).as("param %s", p).isTrue();
        }
    }

    @Test
    void zeroGradientsOnAFreshRowDoNotMoveIt() {
        AdamRowOptimizer opt = new AdamRowOptimizer(0.01f, 0.9f, 0.999f, 1e-8f, 0f);
        float[] params = {0.25f, -0.5f};
        float[] state = new float[opt.stateWidth(2)];
        opt.initState(params, 0, state, 0, 2);
        opt.apply(params, 0, state, 0, new float[2], 0, 2);
        assertThat(params).containsExactly(0.25f, -0.5f);
    }
}
