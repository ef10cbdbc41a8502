package io.freshrank.jobs.train;

/**
 * The change a trainer subtask made to the dense parameters (and to their Adagrad accumulators)
 * since its previous delta; the other subtasks add both, so every copy's parameters and effective
 * learning rates track the sum of all subtasks' updates. A Flink POJO.
 */
public class DenseDelta {
    public int producer;
    public long sequence;
    public float[] delta;

    /** Accumulator change, or null (format version 1). */
    public float[] accumulatorDelta;

    public DenseDelta() {}

    public DenseDelta(int producer, long sequence, float[] delta, float[] accumulatorDelta) {
        this.producer = producer;
        this.sequence = sequence;
        this.delta = delta;
        this.accumulatorDelta = accumulatorDelta;
    }
}
