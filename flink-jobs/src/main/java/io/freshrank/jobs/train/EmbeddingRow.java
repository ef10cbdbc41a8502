package io.freshrank.jobs.train;

/**
 * The training entry of one admitted feature id in keyed state (Monolith's terms): the row, its
 * optimizer state, how often it was updated, and when it was last updated (processing time, drives
 * idle expiry). Ids that are not admitted yet have no entry (they are counted in the shard's
 * sketch). A Flink POJO: always {@code update()} the state after changing one (RocksDB keeps
 * serialized copies).
 */
public class EmbeddingRow {
    /** {@code [w, v_0 .. v_{dim-1}]}. */
    public float[] vector;

    /** The slot optimizer's state ({@link io.freshrank.model.RowOptimizer#stateWidth}). */
    public float[] optimizerState;

    public long count;
    public long lastUpdateMs;

    public EmbeddingRow() {}

    public EmbeddingRow(float[] vector, float[] optimizerState, long count, long lastUpdateMs) {
        this.vector = vector;
        this.optimizerState = optimizerState;
        this.count = count;
        this.lastUpdateMs = lastUpdateMs;
    }
}
