package io.freshrank.model;

/**
 * Where the scorer finds embedding rows: the trainer backs it with rows fetched from the embedding
 * shards, the server with the loaded snapshot. A row is {@code float[dim + 1]}: {@code [w, v_0 ..
 * v_{dim-1}]} (first-order weight, then the factor vector).
 */
@FunctionalInterface
public interface RowLookup {
    /**
     * The row of {@code featureId}, or null when the id has no row (scored as a zero row). Do not
     * mutate it.
     */
    float[] row(long featureId);
}
