package io.freshrank.model;

/**
 * Embedding rows laid out in one float array, for the trainer: the row of an id ({@code [w, v_0 ..
 * v_{dim-1}]}) is {@code data()[offset(id) .. offset(id) + rowWidth)}. Unlike {@link RowLookup} it
 * needs no array per row, and gradients can be summed into a second array of the same layout.
 */
public interface FlatRows {
    float[] data();

    /** Where the row of {@code featureId} starts in {@link #data()}, or -1 when it has no row. */
    int offset(long featureId);
}
