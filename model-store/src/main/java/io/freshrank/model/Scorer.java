package io.freshrank.model;

import io.freshrank.features.FeatureVector;
import java.util.List;

/**
 * Scores examples with a model: assemble pooled inputs from a {@link RowLookup}, run {@link
 * DeepFmModel#forward}, apply the sigmoid. The ranking server's only scoring path, and the same
 * forward pass the trainer uses. Holds preallocated buffers: not thread-safe, use one per thread.
 */
public final class Scorer {
    private final DeepFmModel model;

    public Scorer(DeepFmModel model) {
        this.model = model;
    }

    public DeepFmModel model() {
        return model;
    }

    /**
     * Click probabilities of {@code examples}, in order (any count; processed in chunks
     * internally).
     */
    public float[] score(List<FeatureVector> examples, RowLookup rows, DenseParameters params) {
        throw new UnsupportedOperationException("being implemented");
    }
}
