package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.features.FeatureVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * End to end on synthetic data whose label depends only on an interaction of two slots (no
 * first-order signal): the trainer loop (assemble, trainStep, scatter, Adagrad on rows and dense
 * parameters) must learn it.
 */
class DeepFmLearningTest {
    private static final int VALUES = 20;
    private static final ModelConfig CONFIG =
            new ModelConfig(3, 8, 1, new int[] {32, 16}, 0.02f, 0.1f, 42L);

    private record Example(FeatureVector features, float label) {}

    private static Example draw(SplittableRandom rnd) {
        int a = rnd.nextInt(VALUES);
        int b = rnd.nextInt(VALUES);
        int noise = rnd.nextInt(VALUES);
        // XOR of parities: each slot alone is uninformative
        double p = (a % 2 == b % 2) ? 0.85 : 0.15;
        float label = rnd.nextDouble() < p ? 1f : 0f;
        long[][] ids = {{id(1, a)}, {id(2, b)}, {id(3, noise)}};
        return new Example(new FeatureVector(ids, new float[] {(float) rnd.nextGaussian()}), label);
    }

    private static long id(int slot, int value) {
        return ((long) slot << 56) | value;
    }

    @Test
    void learnsASlotInteraction() {
        SplittableRandom rnd = new SplittableRandom(2024);
        int batch = 64;
        OnlineTrainer trainer = new OnlineTrainer(CONFIG, batch, 0.05f);
        float[] labels = new float[batch];
        float[] weights = new float[batch];
        Arrays.fill(weights, 1f);

        double firstLoss = 0;
        double lastLoss = 0;
        int steps = 2000;
        for (int step = 0; step < steps; step++) {
            List<FeatureVector> features = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                Example e = draw(rnd);
                features.add(e.features());
                labels[i] = e.label();
            }
            double loss = trainer.step(features, labels, weights);
            if (step < 100) {
                firstLoss += loss;
            } else if (step >= steps - 100) {
                lastLoss += loss;
            }
        }

        List<FeatureVector> heldOut = new ArrayList<>();
        float[] heldOutLabels = new float[4000];
        SplittableRandom testRnd = new SplittableRandom(7);
        for (int i = 0; i < heldOutLabels.length; i++) {
            Example e = draw(testRnd);
            heldOut.add(e.features());
            heldOutLabels[i] = e.label();
        }
        float[] scores = trainer.score(heldOut);
        double auc = auc(scores, heldOutLabels);
        assertThat(auc)
                .as(
                        "held-out AUC (oracle ~0.85); mean loss per example: first 100 steps %.4f,"
                                + " last 100 steps %.4f (oracle ~0.423)",
                        firstLoss / 100 / batch, lastLoss / 100 / batch)
                .isGreaterThan(0.75);
    }

    /** Area under the ROC curve by ranks (ties get their average rank). */
    static double auc(float[] scores, float[] labels) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(scores[x], scores[y]));
        double rankSumPositives = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] > 0.5f) {
                    rankSumPositives += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        return (rankSumPositives - positives * (positives + 1) / 2.0)
                / ((double) positives * negatives);
    }

    @Test
    void aucOfAPerfectAndAReversedRanking() {
        float[] labels = {0f, 0f, 1f, 1f};
        assertThat(auc(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, labels)).isEqualTo(1.0);
        assertThat(auc(new float[] {0.9f, 0.8f, 0.2f, 0.1f}, labels)).isEqualTo(0.0);
        assertThat(auc(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, labels)).isEqualTo(0.5);
    }
}
