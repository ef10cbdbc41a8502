package io.freshrank.store;

/**
 * How an {@link EmbeddingTable} stores its rows in memory. Snapshot files always hold float32; this
 * only changes the serving copy.
 */
public enum RowPrecision {
    /**
     * float32 rows, kept as the arrays given to {@link EmbeddingTable#put}: lookups return the
     * stored array itself.
     */
    FLOAT32,
    /**
     * IEEE binary16 rows ({@link HalfFloat}, round to nearest even) packed in paged arrays, about a
     * third of the float32 footprint for small rows (no per-row array header). Lookups decode into
     * a per-thread buffer; see {@link EmbeddingTable#row}.
     */
    FLOAT16
}
