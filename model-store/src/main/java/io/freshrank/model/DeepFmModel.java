package io.freshrank.model;

/**
 * DeepFM (Guo et al., IJCAI 2017) over pooled slot embeddings.
 *
 * <p>Input per example: for each of {@code numSlots} slots a pooled row {@code [w_s, v_s]} (sum of
 * the rows of the slot's ids; see {@link BatchAssembler}) and {@code numNumeric} numeric values.
 * Output logit: {@code b + sum_s w_s + 0.5 * sum_k((sum_s v_sk)^2 - sum_s v_sk^2) + MLP(concat_s
 * v_s ++ numeric)}.
 *
 * <p>Arrays are row-major: {@code pooled[(i * numSlots + s) * rowWidth + c]}, {@code numeric[i *
 * numNumeric + j]}. Instances hold preallocated ND4J buffers: not thread-safe, use one per thread.
 */
public final class DeepFmModel {
    private final ModelConfig config;

    public DeepFmModel(ModelConfig config) {
        this.config = config;
    }

    public ModelConfig config() {
        return config;
    }

    /** Number of dense parameters (bias, MLP weights and biases). */
    public int parameterCount() {
        throw new UnsupportedOperationException("being implemented");
    }

    /**
     * Dense parameters initialised from {@code config().seed()} (He init for ReLU layers, zero
     * biases).
     */
    public DenseParameters initialParameters() {
        throw new UnsupportedOperationException("being implemented");
    }

    /** Writes the logits of {@code batch} examples into {@code logitsOut[0..batch)}. */
    public void forward(
            DenseParameters params, float[] pooled, float[] numeric, int batch, float[] logitsOut) {
        throw new UnsupportedOperationException("being implemented");
    }

    /**
     * Forward and backward pass of {@code L = sum_i weights[i] * logloss(labels[i],
     * sigmoid(logit_i))}.
     *
     * @return L (the summed, not averaged, weighted log loss)
     */
    public double trainStep(
            DenseParameters params,
            float[] pooled,
            float[] numeric,
            float[] labels,
            float[] weights,
            int batch,
            float[] logitsOut,
            float[] denseGradOut,
            float[] pooledGradOut) {
        throw new UnsupportedOperationException("being implemented");
    }
}
