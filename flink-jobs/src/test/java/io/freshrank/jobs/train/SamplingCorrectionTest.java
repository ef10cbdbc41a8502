package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.freshrank.features.FeatureSpec;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.LabeledExample;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trainer's correction for the join's negative down-sampling: importance weight {@code
 * 1/samplingRate}: the math (the weighted loss is minimised by the true rate) and the decoder (the
 * weight reaches the example). A DeepFM trained on sampled data with these weights stays
 * calibrated: {@code SampledNegativesCalibrationTest} in model-store.
 */
class SamplingCorrectionTest {
    private static final float RATE = 0.25f;

    @Test
    void theWeightedLossIsMinimisedByTheTrueRate() {
        // A constant predictor q on data with positive rate p whose negatives were kept with
        // probability r: expected weighted log loss p*(-log q) + (1-p)*r*w*(-log(1-q)) is
        // minimised at q = p / (p + (1-p)*r*w), which is p exactly when w = 1/r.
        for (double p : new double[] {0.01, 0.1, 0.5}) {
            for (float r : new float[] {0.05f, 0.25f, 1f}) {
                double w = SamplingCorrection.importanceWeight(r);
                double q = p / (p + (1 - p) * r * w);
                assertThat(q).as("p %.2f r %.2f", p, r).isCloseTo(p, within(1e-6));
                double unweighted = p / (p + (1 - p) * r);
                if (r < 1f) {
                    assertThat(unweighted).as("without the weight").isGreaterThan(p * 1.5);
                }
            }
        }
        assertThatThrownBy(() -> SamplingCorrection.importanceWeight(0f))
                .hasMessageContaining("samplingRate");
        assertThatThrownBy(() -> SamplingCorrection.importanceWeight(Float.NaN))
                .hasMessageContaining("samplingRate");
    }

    @Test
    void theDecoderWeightsAKeptNegativeByTheInverseRate() {
        ExampleDecoder decoder = new ExampleDecoder(FeatureSpec.simulator());
        EventCodec<LabeledExample> codec = EventCodec.of(LabeledExample.class);
        assertThat(decoder.decode(codec.encode(example(0f, RATE, false))).value().weight)
                .isEqualTo(4f);
        assertThat(decoder.decode(codec.encode(example(1f, 1f, false))).value().weight)
                .isEqualTo(1f);
        assertThat(decoder.decode(codec.encode(example(0f, RATE, true))).value().weight)
                .as("holdout")
                .isZero();
        assertThat(decoder.decode(codec.encode(example(0f, 0f, false))).isValid()).isFalse();
    }

    private static LabeledExample example(float click, float samplingRate, boolean holdout) {
        return LabeledExample.newBuilder()
                .setExampleId("e")
                .setRequestId("r")
                .setImpressionTimeMs(1L)
                .setEmitTimeMs(2L)
                .setPosition(0)
                .setFeatures(Features.newBuilder().setCategorical(Map.of("user_id", "u")).build())
                .setLabels(Map.of("click", click))
                .setHoldout(holdout)
                .setSamplingRate(samplingRate)
                .build();
    }
}
