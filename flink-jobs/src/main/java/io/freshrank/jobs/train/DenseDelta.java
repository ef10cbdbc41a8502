package io.freshrank.jobs.train;

/**
 * The change a trainer subtask made to the dense parameters since its previous delta; the other
 * subtasks add it to their copy. A Flink POJO.
 */
public class DenseDelta {
    public int producer;
    public long sequence;
    public float[] delta;

    public DenseDelta() {}

    public DenseDelta(int producer, long sequence, float[] delta) {
        this.producer = producer;
        this.sequence = sequence;
        this.delta = delta;
    }
}
