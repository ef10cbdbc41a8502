package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.freshrank.features.FeatureVector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A DeepFM trained online on a stream whose negatives were down-sampled at rate {@code r} (as the
 * label join does with {@code freshrank.join.negative-sampling-rate}) stays calibrated when kept
 * negatives are weighted by {@code 1/r} (the trainer's rule, {@code SamplingCorrection} in the
 * train job): its mean predicted CTR over the unsampled traffic is the true base rate, as without
 * sampling; without the weight it learns the sampled rate {@code p / (p + r(1 - p))}.
 */
class SampledNegativesCalibrationTest {
    private static final float RATE = 0.25f;
    private static final int ITEMS = 20;
    private static final int NOISE = 5;
    private static final int BATCH = 64;
    private static final int STEPS = 1500;
    private static final ModelConfig CONFIG =
            new ModelConfig(2, 4, 1, new int[] {8}, 0.02f, 0.1f, 42L);

    /** Item i clicks with probability 0.02 + 0.01 i (base rate 0.115); slot 2 is noise. */
    private static double clickProbability(int item) {
        return 0.02 + 0.01 * item;
    }

    private static FeatureVector features(int item, int noise) {
        long[][] ids = {{(1L << 56) | item}, {(2L << 56) | noise}};
        return new FeatureVector(ids, new float[] {0f});
    }

    /**
     * Trains on the stream with negatives kept at {@code rate}, weighted {@code 1/rate} when {@code
     * weighted}, and returns the mean prediction over every (item, noise) pair.
     */
    private static double meanPrediction(float rate, boolean weighted) {
        SplittableRandom rnd = new SplittableRandom(2026);
        OnlineTrainer trainer = new OnlineTrainer(CONFIG, BATCH, 0.05f);
        float[] labels = new float[BATCH];
        float[] weights = new float[BATCH];
        for (int step = 0; step < STEPS; step++) {
            List<FeatureVector> fs = new ArrayList<>(BATCH);
            while (fs.size() < BATCH) {
                int item = rnd.nextInt(ITEMS);
                int noise = rnd.nextInt(NOISE);
                boolean click = rnd.nextDouble() < clickProbability(item);
                if (!click && rnd.nextDouble() >= rate) {
                    continue; // dropped by the join
                }
                labels[fs.size()] = click ? 1f : 0f;
                weights[fs.size()] = click || !weighted ? 1f : 1f / rate;
                fs.add(features(item, noise));
            }
            trainer.step(fs, labels, weights);
        }
        List<FeatureVector> all = new ArrayList<>();
        for (int item = 0; item < ITEMS; item++) {
            for (int noise = 0; noise < NOISE; noise++) {
                all.add(features(item, noise));
            }
        }
        double sum = 0;
        for (float s : trainer.score(all)) {
            sum += s;
        }
        return sum / all.size();
    }

    @Test
    void inverseRateWeightsKeepTheMeanPredictionAtTheBaseRate() {
        double base = 0;
        for (int item = 0; item < ITEMS; item++) {
            base += clickProbability(item) / ITEMS;
        }
        double full = meanPrediction(1f, true);
        double weighted = meanPrediction(RATE, true);
        double unweighted = meanPrediction(RATE, false);
        String seen =
                String.format(
                        "base rate %.4f; mean prediction: no sampling %.4f, negatives sampled at"
                                + " %.2f with 1/rate weights %.4f, without weights %.4f",
                        base, full, RATE, weighted, unweighted);
        assertThat(full).as(seen).isCloseTo(base, within(0.015));
        assertThat(weighted).as(seen).isCloseTo(base, within(0.02));
        assertThat(unweighted).as(seen).isGreaterThan(base * 2);
    }
}
