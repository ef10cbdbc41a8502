package io.freshrank.jobs.train;

/**
 * Corrects the trainer for the join's negative down-sampling ({@code
 * freshrank.join.negative-sampling-rate}) by importance weighting: an example kept with probability
 * {@code r} is trained with loss weight {@code 1/r}. In expectation the weighted loss over the
 * sampled stream equals the loss over the full stream, so the model's predictions stay calibrated
 * to the true click rate with no correction at serving. Why this and not the log-odds correction
 * (train unweighted on the sampled data and subtract {@code log(1/r)} from the logit at serving):
 * see the {@code io.freshrank.jobs.join} package doc, "Negative down-sampling".
 */
final class SamplingCorrection {
    private SamplingCorrection() {}

    /**
     * The loss weight of an example kept with probability {@code samplingRate} (in (0, 1]; the
     * decoder rejects other values): {@code 1 / samplingRate}.
     */
    static float importanceWeight(float samplingRate) {
        if (!(samplingRate > 0f && samplingRate <= 1f)) {
            throw new IllegalArgumentException(
                    "samplingRate must be in (0, 1], got " + samplingRate);
        }
        return 1f / samplingRate;
    }
}
