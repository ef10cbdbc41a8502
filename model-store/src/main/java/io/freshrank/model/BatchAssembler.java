package io.freshrank.model;

import io.freshrank.features.FeatureVector;
import java.util.List;
import java.util.Map;

/**
 * Moves between feature ids and the model's pooled slot inputs: {@link #assemble} sum-pools each
 * slot's rows into the {@code pooled} array (and copies numerics); {@link #scatter} sends each
 * slot's pooled gradient back to every id that contributed to it, summed per id over the batch.
 * Holds no buffers of its own; thread-safe.
 */
public final class BatchAssembler {
    private final ModelConfig config;

    public BatchAssembler(ModelConfig config) {
        this.config = config;
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * Fills {@code pooledOut[0 .. n*numSlots*rowWidth)} and {@code numericOut[0 .. n*numNumeric)}
     * for the n examples. Missing rows ({@code rows.row(id) == null}) count as zero rows.
     */
    public void assemble(
            List<FeatureVector> examples, RowLookup rows, float[] pooledOut, float[] numericOut) {
        throw new UnsupportedOperationException("being implemented");
    }

    /**
     * Adds, for every example i, slot s and id in that slot, {@code
     * pooledGrad[(i*numSlots+s)*rowWidth ..]} into {@code out.get(id)} (a new {@code
     * float[rowWidth]} when absent).
     */
    public void scatter(List<FeatureVector> examples, float[] pooledGrad, Map<Long, float[]> out) {
        throw new UnsupportedOperationException("being implemented");
    }
}
