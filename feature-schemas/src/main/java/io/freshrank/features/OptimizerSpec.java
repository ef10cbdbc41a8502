package io.freshrank.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Optimizer of a slot's embedding rows.
 *
 * @param type ADAGRAD (default), FTRL or ADAM
 * @param learningRate step size, > 0
 * @param initialAccumulator Adagrad's initial squared-gradient accumulator, > 0
 * @param l2 L2 regularisation on the row, >= 0
 */
public record OptimizerSpec(String type, float learningRate, float initialAccumulator, float l2) {
    public static final OptimizerSpec DEFAULT = new OptimizerSpec("ADAGRAD", 0.05f, 0.1f, 0f);

    @JsonCreator
    public static OptimizerSpec of(
            @JsonProperty("type") String type,
            @JsonProperty("learningRate") Float learningRate,
            @JsonProperty("initialAccumulator") Float initialAccumulator,
            @JsonProperty("l2") Float l2) {
        return new OptimizerSpec(
                type == null ? DEFAULT.type : type.toUpperCase(java.util.Locale.ROOT),
                learningRate == null ? DEFAULT.learningRate : learningRate,
                initialAccumulator == null ? DEFAULT.initialAccumulator : initialAccumulator,
                l2 == null ? DEFAULT.l2 : l2);
    }
}
