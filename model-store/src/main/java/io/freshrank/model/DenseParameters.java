package io.freshrank.model;

/**
 * All dense parameters of a model in one flat {@code float[]}; the model owns the layout (see
 * {@link DeepFmModel#parameterCount()}). Not thread-safe; copy before sharing.
 */
public final class DenseParameters {
    private final float[] values;

    public DenseParameters(float[] values) {
        this.values = values;
    }

    /** The backing array (live, not a copy). */
    public float[] values() {
        return values;
    }

    public int size() {
        return values.length;
    }

    public DenseParameters copy() {
        return new DenseParameters(values.clone());
    }
}
