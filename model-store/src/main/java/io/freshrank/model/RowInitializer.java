package io.freshrank.model;

/**
 * Deterministic initial value of an embedding row from its feature id alone, so a row is
 * initialised identically whichever shard, subtask or restart creates it: {@code w = 0}, {@code v ~
 * N(0, scale^2)} from a SplitMix64 stream seeded by the id.
 *
 * <p>The stream and the normal sampler are fixed in this code (not taken from the JDK), so the same
 * id gives bit-identical rows on every JVM; changing them changes every model trained afterwards.
 * Thread-safe (stateless).
 */
public final class RowInitializer {
    private RowInitializer() {}

    /** A new row {@code [0, v_0 .. v_{dim-1}]}. */
    public static float[] initialRow(long featureId, int dim, float scale) {
        if (dim < 1) {
            throw new IllegalArgumentException("embedding dim must be >= 1, got " + dim);
        }
        // Mix the id first: raw SplitMix64 streams of ids that differ by its gamma would be
        // shifted copies of each other.
        SplitMix64 rng = new SplitMix64(SplitMix64.mix64(featureId));
        float[] row = new float[dim + 1];
        for (int k = 1; k <= dim; k++) {
            row[k] = (float) (rng.nextGaussian() * scale);
        }
        return row;
    }
}
