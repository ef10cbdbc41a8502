package io.freshrank.model;

/**
 * Deterministic initial value of an embedding row from its feature id alone, so a row is
 * initialised identically whichever shard, subtask or restart creates it: {@code w = 0}, {@code v ~
 * N(0, scale^2)} from a SplitMix64 stream seeded by the id.
 */
public final class RowInitializer {
    private RowInitializer() {}

    /** A new row {@code [0, v_0 .. v_{dim-1}]}. */
    public static float[] initialRow(long featureId, int dim, float scale) {
        throw new UnsupportedOperationException("being implemented");
    }
}
