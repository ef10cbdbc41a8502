package io.freshrank.model;

import io.freshrank.features.FeatureSpec;
import java.util.Arrays;

/**
 * Shape and dense hyper-parameters of a DeepFM model. Immutable.
 *
 * @param numSlots embedded slots (pooled embedding inputs per example)
 * @param dim embedding dim; a row is {@code dim + 1} floats ({@code [w, v...]})
 * @param numNumeric numeric inputs fed to the MLP
 * @param hidden MLP hidden layer widths (ReLU), e.g. {64, 32}
 * @param denseLearningRate Adagrad step size of the dense parameters
 * @param denseInitialAccumulator Adagrad initial accumulator of the dense parameters
 * @param seed seed of the dense initialisation
 */
public record ModelConfig(
        int numSlots,
        int dim,
        int numNumeric,
        int[] hidden,
        float denseLearningRate,
        float denseInitialAccumulator,
        long seed)
        implements java.io.Serializable {

    public ModelConfig {
        if (numSlots < 1 || dim < 1 || numNumeric < 0) {
            throw new IllegalArgumentException(
                    "model needs numSlots >= 1, dim >= 1, numNumeric >= 0; got "
                            + numSlots
                            + ", "
                            + dim
                            + ", "
                            + numNumeric);
        }
        hidden = hidden.clone();
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException(
                        "hidden layer widths must be >= 1: " + Arrays.toString(hidden));
            }
        }
    }

    /** A config matching {@code spec}'s slots. */
    public static ModelConfig forSpec(
            FeatureSpec spec, int[] hidden, float denseLearningRate, long seed) {
        return new ModelConfig(
                spec.embeddedSlots().size(),
                spec.uniformDim(),
                spec.numericSlots().size(),
                hidden,
                denseLearningRate,
                0.1f,
                seed);
    }

    /** Floats per embedding row: the first-order weight plus the factor vector. */
    public int rowWidth() {
        return dim + 1;
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig c
                && numSlots == c.numSlots
                && dim == c.dim
                && numNumeric == c.numNumeric
                && Arrays.equals(hidden, c.hidden)
                && Float.compare(denseLearningRate, c.denseLearningRate) == 0
                && Float.compare(denseInitialAccumulator, c.denseInitialAccumulator) == 0
                && seed == c.seed;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hidden) * 31
                + java.util.Objects.hash(numSlots, dim, numNumeric, seed);
    }

    @Override
    public String toString() {
        return "DeepFM(slots="
                + numSlots
                + ", dim="
                + dim
                + ", numeric="
                + numNumeric
                + ", hidden="
                + Arrays.toString(hidden)
                + ", denseLr="
                + denseLearningRate
                + ")";
    }
}
