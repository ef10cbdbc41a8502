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
     * IEEE binary16 rows ({@link HalfFloat}, round to nearest even) packed in paged arrays: a row
     * of dim 8 takes 18 bytes instead of 56 (no per-row array header), and with the hash slots a
     * table of 100k rows takes about 0.6 of its FLOAT32 bytes (measured, {@link
     * EmbeddingTable#approximateBytes()}). Lookups decode into a per-thread buffer; see {@link
     * EmbeddingTable#row}.
     */
    FLOAT16
}
