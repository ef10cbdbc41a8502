package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeepFmModelTest {
    private static final ModelConfig SMALL =
            new ModelConfig(3, 4, 2, new int[] {6, 5}, 0.05f, 0.1f, 7L);

    /** Inputs of one batch, filled with seeded random values. */
    private record Batch(
            int size, float[] pooled, float[] numeric, float[] labels, float[] weights) {
        static Batch random(ModelConfig c, int size, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] pooled = new float[size * c.numSlots() * c.rowWidth()];
            float[] numeric = new float[size * c.numNumeric()];
            float[] labels = new float[size];
            float[] weights = new float[size];
            for (int i = 0; i < pooled.length; i++) {
                pooled[i] = (float) (rnd.nextDouble(-1, 1) * 0.7);
            }
            for (int i = 0; i < numeric.length; i++) {
                numeric[i] = (float) rnd.nextDouble(-1, 1);
            }
            for (int i = 0; i < size; i++) {
                // soft labels and uneven weights exercise the general loss
                labels[i] = i % 3 == 0 ? 0.3f : (rnd.nextBoolean() ? 1f : 0f);
                weights[i] = (float) rnd.nextDouble(0.5, 2.0);
            }
            return new Batch(size, pooled, numeric, labels, weights);
        }
    }

    private static double loss(DeepFmModel model, DenseParameters p, Batch b, float[] pooled) {
        float[] logits = new float[b.size()];
        model.forward(p, pooled, b.numeric(), b.size(), logits);
        double l = 0;
        for (int i = 0; i < b.size(); i++) {
            l += b.weights()[i] * DeepFmModel.logLoss(b.labels()[i], logits[i]);
        }
        return l;
    }

    @Test
    void parameterCountFollowsTheDocumentedLayout() {
        DeepFmModel model = new DeepFmModel(SMALL);
        int in = 3 * 4 + 2;
        assertThat(model.parameterCount()).isEqualTo(1 + (in + 1) * 6 + (6 + 1) * 5 + (5 + 1));
        assertThat(model.layerCount()).isEqualTo(3);
        assertThat(model.layerOffset(0)).isEqualTo(1);
        assertThat(model.layerOffset(1)).isEqualTo(1 + (in + 1) * 6);
        assertThat(model.layerInputs(0)).isEqualTo(in);
        assertThat(model.layerOutputs(2)).isEqualTo(1);
    }

    @Test
    void initialParametersAreSeededHeNormalWithZeroBiases() {
        ModelConfig big = new ModelConfig(7, 8, 0, new int[] {64, 32}, 0.05f, 0.1f, 11L);
        DeepFmModel model = new DeepFmModel(big);
        float[] p = model.initialParameters().values();
        assertThat(new DeepFmModel(big).initialParameters().values()).isEqualTo(p);
        DeepFmModel otherSeed =
                new DeepFmModel(new ModelConfig(7, 8, 0, new int[] {64, 32}, 0.05f, 0.1f, 12L));
        assertThat(otherSeed.initialParameters().values()).isNotEqualTo(p);

        assertThat(p[DeepFmModel.BIAS_INDEX]).isZero();
        int in = 56;
        int offset = model.layerOffset(0);
        double sumSq = 0;
        for (int j = 0; j < in * 64; j++) {
            sumSq += p[offset + j] * p[offset + j];
        }
        double variance = sumSq / (in * 64);
        assertThat(variance).as("He variance 2/in").isCloseTo(2.0 / in, within(0.1 * 2.0 / in));
        for (int o = 0; o < 64; o++) {
            assertThat(p[offset + in * 64 + o]).as("bias %d", o).isZero();
        }
    }

    @Test
    void trainStepLogitsAreBitwiseEqualToForward() {
        DeepFmModel model = new DeepFmModel(SMALL);
        DenseParameters p = model.initialParameters();
        for (int size : new int[] {1, 5, 300}) {
            Batch b = Batch.random(SMALL, size, 100 + size);
            float[] forward = new float[size];
            model.forward(p, b.pooled(), b.numeric(), size, forward);
            float[] trained = new float[size];
            model.trainStep(
                    p,
                    b.pooled(),
                    b.numeric(),
                    b.labels(),
                    b.weights(),
                    size,
                    trained,
                    new float[model.parameterCount()],
                    new float[b.pooled().length]);
            for (int i = 0; i < size; i++) {
                assertThat(Float.floatToRawIntBits(trained[i]))
                        .as(
                                "logit %d of batch %d: forward %s, trainStep %s",
                                i, size, forward[i], trained[i])
                        .isEqualTo(Float.floatToRawIntBits(forward[i]));
            }
        }
    }

    @Test
    void trainStepReturnsTheWeightedSummedLogLoss() {
        DeepFmModel model = new DeepFmModel(SMALL);
        DenseParameters p = model.initialParameters();
        Batch b = Batch.random(SMALL, 9, 3);
        double l =
                model.trainStep(
                        p,
                        b.pooled(),
                        b.numeric(),
                        b.labels(),
                        b.weights(),
                        9,
                        new float[9],
                        new float[model.parameterCount()],
                        new float[b.pooled().length]);
        assertThat(l).isCloseTo(loss(model, p, b, b.pooled()), within(1e-9));
    }

    /** The MLP against a naive double-precision implementation of the documented layout. */
    @Test
    void forwardMatchesANaiveImplementationOfTheLayout() {
        DeepFmModel model = new DeepFmModel(SMALL);
        float[] p = model.initialParameters().values();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) rnd.nextDouble(-0.1, 0.1); // non-zero biases too
        }
        Batch b = Batch.random(SMALL, 20, 8);
        float[] logits = new float[20];
        model.forward(new DenseParameters(p), b.pooled(), b.numeric(), 20, logits);
        int s = SMALL.numSlots();
        int d = SMALL.dim();
        int w = SMALL.rowWidth();
        for (int i = 0; i < 20; i++) {
            double[] x = new double[s * d + SMALL.numNumeric()];
            double expected = p[0];
            double[] sum = new double[d];
            double squares = 0;
            for (int slot = 0; slot < s; slot++) {
                int r = (i * s + slot) * w;
                expected += b.pooled()[r];
                for (int k = 0; k < d; k++) {
                    double v = b.pooled()[r + 1 + k];
                    x[slot * d + k] = v;
                    sum[k] += v;
                    squares += v * v;
                }
            }
            for (int j = 0; j < SMALL.numNumeric(); j++) {
                x[s * d + j] = b.numeric()[i * SMALL.numNumeric() + j];
            }
            double fm = -squares;
            for (int k = 0; k < d; k++) {
                fm += sum[k] * sum[k];
            }
            expected += 0.5 * fm;
            for (int l = 0; l < model.layerCount(); l++) {
                int in = model.layerInputs(l);
                int out = model.layerOutputs(l);
                int off = model.layerOffset(l);
                double[] y = new double[out];
                for (int o = 0; o < out; o++) {
                    double z = p[off + in * out + o];
                    for (int j = 0; j < in; j++) {
                        z += x[j] * p[off + j * out + o];
                    }
                    y[o] = l == model.layerCount() - 1 ? z : Math.max(z, 0);
                }
                x = y;
            }
            expected += x[0];
            assertThat((double) logits[i]).as("logit %d", i).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void fmTermEqualsThePairwiseSumOfFactorDotProducts() {
        ModelConfig config = new ModelConfig(5, 3, 0, new int[] {4}, 0.05f, 0.1f, 1L);
        DeepFmModel model = new DeepFmModel(config);
        // Zero MLP: the logit is b + sum_s w_s + FM only.
        float[] p = new float[model.parameterCount()];
        p[DeepFmModel.BIAS_INDEX] = 0.3f;
        Batch b = Batch.random(config, 4, 21);
        float[] logits = new float[4];
        model.forward(new DenseParameters(p), b.pooled(), b.numeric(), 4, logits);
        for (int i = 0; i < 4; i++) {
            double expected = 0.3;
            for (int s = 0; s < 5; s++) {
                int rs = (i * 5 + s) * 4;
                expected += b.pooled()[rs];
                for (int t = s + 1; t < 5; t++) {
                    int rt = (i * 5 + t) * 4;
                    for (int k = 1; k <= 3; k++) {
                        expected += (double) b.pooled()[rs + k] * b.pooled()[rt + k];
                    }
                }
            }
            assertThat((double) logits[i]).as("logit %d", i).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void denseGradientsMatchCentralDifferences() {
        DeepFmModel model = new DeepFmModel(SMALL);
        DenseParameters params = model.initialParameters();
        float[] p = params.values();
        SplittableRandom rnd = new SplittableRandom(17);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) rnd.nextDouble(-0.05, 0.05);
        }
        Batch b = Batch.random(SMALL, 6, 33);
        float[] grad = new float[model.parameterCount()];
        model.trainStep(
                params,
                b.pooled(),
                b.numeric(),
                b.labels(),
                b.weights(),
                6,
                new float[6],
                grad,
                new float[b.pooled().length]);

        List<Integer> coords = new ArrayList<>();
        coords.add(DeepFmModel.BIAS_INDEX);
        for (int l = 0; l < model.layerCount(); l++) {
            int off = model.layerOffset(l);
            int size = (model.layerInputs(l) + 1) * model.layerOutputs(l);
            coords.add(off + size - 1); // a bias of every layer
            for (int k = 0; k < 12; k++) {
                coords.add(off + rnd.nextInt(size));
            }
        }
        float eps = 1e-3f;
        for (int c : coords) {
            float saved = p[c];
            p[c] = saved + eps;
            double plus = loss(model, params, b, b.pooled());
            p[c] = saved - eps;
            double minus = loss(model, params, b, b.pooled());
            p[c] = saved;
            assertGradient("dense[" + c + "]", grad[c], (plus - minus) / (2 * eps));
        }
    }

    @Test
    void pooledGradientsMatchCentralDifferences() {
        DeepFmModel model = new DeepFmModel(SMALL);
        DenseParameters params = model.initialParameters();
        Batch b = Batch.random(SMALL, 5, 44);
        float[] pooledGrad = new float[b.pooled().length];
        model.trainStep(
                params,
                b.pooled(),
                b.numeric(),
                b.labels(),
                b.weights(),
                5,
                new float[5],
                new float[model.parameterCount()],
                pooledGrad);

        SplittableRandom rnd = new SplittableRandom(45);
        float[] pooled = b.pooled().clone();
        float eps = 1e-3f;
        int width = SMALL.rowWidth();
        for (int t = 0; t < 60; t++) {
            // every w_s of example 0, then random coordinates anywhere
            int c = t < SMALL.numSlots() ? t * width : rnd.nextInt(pooled.length);
            float saved = pooled[c];
            pooled[c] = saved + eps;
            double plus = loss(model, params, b, pooled);
            pooled[c] = saved - eps;
            double minus = loss(model, params, b, pooled);
            pooled[c] = saved;
            assertGradient("pooled[" + c + "]", pooledGrad[c], (plus - minus) / (2 * eps));
        }
    }

    private static void assertGradient(String what, float analytic, double numeric) {
        double error = Math.abs(analytic - numeric);
        assertThat(error)
                .as("%s: analytic %s, central difference %s", what, analytic, numeric)
                .isLessThanOrEqualTo(1e-2 * Math.max(Math.abs(analytic), Math.abs(numeric)) + 2e-4);
    }

    @Test
    void buffersGrowAndSmallerBatchesReuseThem() {
        DeepFmModel model = new DeepFmModel(SMALL);
        DenseParameters p = model.initialParameters();
        Batch big = Batch.random(SMALL, 700, 1);
        float[] all = new float[700];
        model.forward(p, big.pooled(), big.numeric(), 700, all);
        // example 0 alone, after the buffers grew
        float[] one = new float[1];
        model.forward(p, big.pooled(), big.numeric(), 1, one);
        assertThat(one[0]).isCloseTo(all[0], within(1e-6f));
        // a fresh model sized for one example gives the same
        float[] fresh = new float[1];
        new DeepFmModel(SMALL).forward(p, big.pooled(), big.numeric(), 1, fresh);
        assertThat(Float.floatToRawIntBits(fresh[0])).isEqualTo(Float.floatToRawIntBits(one[0]));
    }

    @Test
    void emptyBatchIsANoOp() {
        DeepFmModel model = new DeepFmModel(SMALL);
        float[] grad = new float[model.parameterCount()];
        Arrays.fill(grad, 1f);
        double l =
                model.trainStep(
                        model.initialParameters(),
                        new float[0],
                        new float[0],
                        new float[0],
                        new float[0],
                        0,
                        new float[0],
                        grad,
                        new float[0]);
        assertThat(l).isZero();
        assertThat(grad).containsOnly(0f);
    }

    @Test
    void rejectsParametersOfAnotherShape() {
        DeepFmModel model = new DeepFmModel(SMALL);
        assertThatThrownBy(
                        () ->
                                model.forward(
                                        new DenseParameters(new float[3]),
                                        new float[45],
                                        new float[2],
                                        1,
                                        new float[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs " + model.parameterCount());
    }

    @Test
    void sigmoidAndLogLossAreStableForLargeLogits() {
        assertThat(DeepFmModel.sigmoid(0f)).isEqualTo(0.5f);
        assertThat(DeepFmModel.sigmoid(-200f)).isZero();
        assertThat(DeepFmModel.sigmoid(200f)).isEqualTo(1f);
        assertThat(DeepFmModel.logLoss(1f, 200f)).isCloseTo(0.0, within(1e-12));
        assertThat(DeepFmModel.logLoss(0f, 200f)).isCloseTo(200.0, within(1e-9));
        assertThat(DeepFmModel.logLoss(1f, -200f)).isCloseTo(200.0, within(1e-9));
        assertThat(DeepFmModel.logLoss(1f, 0f)).isCloseTo(Math.log(2), within(1e-12));
    }
}
