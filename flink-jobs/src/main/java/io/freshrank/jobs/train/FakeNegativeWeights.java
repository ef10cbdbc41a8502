package io.freshrank.jobs.train;

import io.freshrank.model.DeepFmModel;

/**
 * Fake-negative importance weights (Ktena et al., "Addressing Delayed Feedback for Continuous
 * Training with Neural Networks in CTR prediction", RecSys 2019). When every impression is first
 * trained as a negative and a click later adds the same example as a positive, the observed label
 * distribution is b(1|x) = p/(1+p); weighting a positive's loss by 1 + p and a negative's by (1 -
 * p)(1 + p), with p the model's current prediction held constant, makes the loss an unbiased
 * estimate of the log loss under the true p.
 */
final class FakeNegativeWeights {
    private FakeNegativeWeights() {}

    /** A copy of {@code weights} with the flagged examples reweighted from their logits. */
    static float[] apply(
            float[] weights, float[] labels, boolean[] flagged, float[] logits, int n) {
        float[] w = weights.clone();
        for (int i = 0; i < n; i++) {
            if (flagged[i] && w[i] > 0f) {
                float p = DeepFmModel.sigmoid(logits[i]);
                w[i] *= labels[i] > 0f ? 1f + p : (1f - p) * (1f + p);
            }
        }
        return w;
    }
}
