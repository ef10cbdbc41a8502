package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RowOptimizersTest {
    // defaults of a valid configuration; tests change one value at a time
    private static final float LR = 0.05f;
    private static final float ACC = 0.1f;
    private static final float L1 = 0f;
    private static final float L2 = 0f;
    private static final float BETA = 1f;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of(new AdagradRowOptimizer(0.5f, 0.1f, 0f)),
                Arguments.of(new FtrlRowOptimizer(0.5f, 1f, 0f, 0f)),
                // small l1, l2: FTRL's penalties do not grow with t, so their bias fades
                Arguments.of(new FtrlRowOptimizer(0.5f, 1f, 0.01f, 0.01f)),
                Arguments.of(new AdamRowOptimizer(0.01f, 0.9f, 0.999f, 1e-8f, 0f)));
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void minimisesANoisyQuadratic(RowOptimizer opt) {
        // f(w) = 0.5 ||w - t||^2, gradient w - t plus N(0, 0.1^2) noise, 3000 steps. Over 50
        // seeds the worst error was 0.07 for the last iterate and 0.0095 for the mean of the last
        // 1000 iterates (which averages the noise out).
        Random random = new Random(2024);
        int n = 6;
        float[] target = new float[n];
        float[] params = new float[n];
        for (int i = 0; i < n; i++) {
            target[i] = (float) (2 * random.nextDouble() - 1);
            params[i] = (float) (random.nextGaussian() * 0.1);
        }
        float[] state = new float[opt.stateWidth(n)];
        opt.initState(params, 0, state, 0, n);
        float[] grad = new float[n];
        double[] mean = new double[n];
        for (int step = 0; step < 3000; step++) {
            for (int i = 0; i < n; i++) {
                grad[i] = (float) (params[i] - target[i] + 0.1 * random.nextGaussian());
            }
            opt.apply(params, 0, state, 0, grad, 0, n);
            if (step >= 2000) {
                for (int i = 0; i < n; i++) {
                    mean[i] += params[i] / 1000.0;
                }
            }
        }
        double lastError = 0;
        double meanError = 0;
        for (int i = 0; i < n; i++) {
            lastError = Math.max(lastError, Math.abs(params[i] - target[i]));
            meanError = Math.max(meanError, Math.abs(mean[i] - target[i]));
        }
        String seen =
                opt
                        + ": w = "
                        + Arrays.toString(params)
                        + ", mean = "
                        + Arrays.toString(mean)
                        + ", t = "
                        + Arrays.toString(target);
        assertThat(lastError).as(seen).isLessThan(0.1);
        assertThat(meanError).as(seen).isLessThan(0.02);
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void staysWithinItsSlicesAtNonZeroOffsets(RowOptimizer opt) {
        int n = 5;
        int pOff = 3;
        int sOff = 7;
        int gOff = 2;
        float sentinel = 123f;
        // exactly sized: any read or write past a slice throws
        float[] params = new float[pOff + n];
        float[] state = new float[sOff + opt.stateWidth(n)];
        float[] grad = new float[gOff + n];
        Arrays.fill(params, sentinel);
        Arrays.fill(state, sentinel);
        Arrays.fill(grad, sentinel);
        for (int i = 0; i < n; i++) {
            params[pOff + i] = 0.1f * (i - 2);
        }
        opt.initState(params, pOff, state, sOff, n);
        Random random = new Random(5);
        for (int step = 0; step < 10; step++) {
            for (int i = 0; i < n; i++) {
                grad[gOff + i] = (float) random.nextGaussian();
            }
            opt.apply(params, pOff, state, sOff, grad, gOff, n);
        }
        assertThat(Arrays.copyOf(params, pOff)).containsOnly(sentinel);
        assertThat(Arrays.copyOf(state, sOff)).containsOnly(sentinel);
        assertThat(Arrays.copyOf(grad, gOff)).containsOnly(sentinel);
        for (int i = pOff; i < params.length; i++) {
            assertThat(Float.isFinite(params[i])).as("param %d = %s", i, params[i]).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void handlesEmptyVectorsAndRejectsNegativeLengths(RowOptimizer opt) {
        float[] state = new float[opt.stateWidth(0)];
        opt.initState(new float[0], 0, state, 0, 0);
        opt.apply(new float[0], 0, state, 0, new float[0], 0, 0);
        assertThatThrownBy(() -> opt.stateWidth(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 0");
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void survivesJavaSerialization(RowOptimizer opt) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(opt);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(opt);
        }
    }

    @Test
    void stateWidths() {
        assertThat(new AdagradRowOptimizer(LR, ACC, L2).stateWidth(17)).isEqualTo(17);
        assertThat(new FtrlRowOptimizer(LR, BETA, L1, L2).stateWidth(17)).isEqualTo(34);
        assertThat(new AdamRowOptimizer(LR, BETA1, BETA2, EPS, L2).stateWidth(17)).isEqualTo(35);
        assertThat(new AdamRowOptimizer(LR, BETA1, BETA2, EPS, L2).stateWidth(0)).isEqualTo(1);
    }

    @Test
    void createsEachTypeCaseInsensitively() {
        assertThat(RowOptimizers.create("adagrad", LR, ACC, 0.3f, 0.01f, BETA, BETA1, BETA2, EPS))
                .isEqualTo(new AdagradRowOptimizer(LR, ACC, 0.01f));
        assertThat(RowOptimizers.create(" Ftrl ", LR, ACC, 0.3f, 0.01f, 2f, BETA1, BETA2, EPS))
                .isEqualTo(new FtrlRowOptimizer(LR, 2f, 0.3f, 0.01f));
        assertThat(RowOptimizers.create("ADAM", LR, ACC, 0.3f, 0.01f, BETA, 0.8f, 0.99f, 1e-6f))
                .isEqualTo(new AdamRowOptimizer(LR, 0.8f, 0.99f, 1e-6f, 0.01f));
        for (String type : new String[] {"ADAGRAD", "FTRL", "ADAM"}) {
            assertThat(RowOptimizers.create(type, LR, ACC, L1, L2, BETA, BETA1, BETA2, EPS).name())
                    .isEqualTo(type);
        }
    }

    @Test
    void ignoresParametersTheTypeDoesNotUse() {
        // Adagrad does not read l1, beta, beta1, beta2 or epsilon
        assertThat(RowOptimizers.create("ADAGRAD", LR, ACC, -1f, L2, -1f, 5f, 5f, -1f))
                .isInstanceOf(AdagradRowOptimizer.class);
    }

    @Test
    void rejectsUnknownTypes() {
        assertThatThrownBy(
                        () -> RowOptimizers.create("sgd", LR, ACC, L1, L2, BETA, BETA1, BETA2, EPS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ADAGRAD, FTRL, ADAM")
                .hasMessageContaining("'sgd'");
        assertThatThrownBy(
                        () -> RowOptimizers.create(null, LR, ACC, L1, L2, BETA, BETA1, BETA2, EPS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got null");
    }

    static Stream<Arguments> invalidParameters() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        return Stream.of(
                Arguments.of(
                        "ADAGRAD",
                        "learningRate",
                        new float[] {0f, ACC, L1, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of(
                        "ADAGRAD",
                        "learningRate",
                        new float[] {nan, ACC, L1, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of(
                        "ADAGRAD",
                        "initialAccumulator",
                        new float[] {LR, -1f, L1, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of(
                        "ADAGRAD",
                        "initialAccumulator",
                        new float[] {LR, inf, L1, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of(
                        "ADAGRAD", "l2", new float[] {LR, ACC, L1, -1f, BETA, BETA1, BETA2, EPS}),
                Arguments.of(
                        "FTRL",
                        "learningRate (FTRL alpha)",
                        new float[] {-1f, ACC, L1, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of(
                        "FTRL",
                        "learningRate (FTRL alpha)",
                        new float[] {inf, ACC, L1, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of("FTRL", "l1", new float[] {LR, ACC, -1f, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of("FTRL", "l1", new float[] {LR, ACC, nan, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of("FTRL", "l2", new float[] {LR, ACC, L1, -1f, BETA, BETA1, BETA2, EPS}),
                Arguments.of("FTRL", "beta", new float[] {LR, ACC, L1, L2, -1f, BETA1, BETA2, EPS}),
                Arguments.of(
                        "FTRL",
                        "beta > 0 or l2 > 0",
                        new float[] {LR, ACC, L1, 0f, 0f, BETA1, BETA2, EPS}),
                Arguments.of(
                        "ADAM",
                        "learningRate",
                        new float[] {0f, ACC, L1, L2, BETA, BETA1, BETA2, EPS}),
                Arguments.of("ADAM", "beta1", new float[] {LR, ACC, L1, L2, BETA, 1f, BETA2, EPS}),
                Arguments.of(
                        "ADAM", "beta1", new float[] {LR, ACC, L1, L2, BETA, -0.1f, BETA2, EPS}),
                Arguments.of("ADAM", "beta2", new float[] {LR, ACC, L1, L2, BETA, BETA1, 1f, EPS}),
                Arguments.of("ADAM", "beta2", new float[] {LR, ACC, L1, L2, BETA, BETA1, nan, EPS}),
                Arguments.of(
                        "ADAM", "epsilon", new float[] {LR, ACC, L1, L2, BETA, BETA1, BETA2, 0f}),
                Arguments.of(
                        "ADAM", "l2", new float[] {LR, ACC, L1, -1f, BETA, BETA1, BETA2, EPS}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidParameters")
    void namesTheInvalidParameter(String type, String parameter, float[] v) {
        assertThatThrownBy(
                        () ->
                                RowOptimizers.create(
                                        type, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        parameter.startsWith("beta >") ? "FTRL needs " : parameter + " must be")
                .hasMessageContaining(parameter);
    }
}
