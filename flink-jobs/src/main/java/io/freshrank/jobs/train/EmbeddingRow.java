package io.freshrank.jobs.train;

/**
 * The training entry of one feature id in keyed state (Monolith's terms): the row, its Adagrad
 * accumulator, how often the id occurred, and when it was last updated. Before admission {@code
 * vector} is null and only the count is kept. A Flink POJO: always {@code update()} the state after
 * changing one (RocksDB keeps serialized copies).
 */
public class EmbeddingRow {
    /** {@code [w, v_0 .. v_{dim-1}]}, or null while the id is not admitted. */
    public float[] vector;

    public float[] accumulator;
    public long count;
    public long lastUpdateMs;

    public EmbeddingRow() {}

    public boolean admitted() {
        return vector != null;
    }
}
