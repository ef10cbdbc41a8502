package io.freshrank.jobs.train;

/**
 * Either a {@link TrainBatch} or a {@link LookupResponse}, keyed by batch id for the trainer. A
 * Flink POJO.
 */
public class TrainerInput {
    public long batchId;
    public TrainBatch batch;
    public LookupResponse lookup;

    public TrainerInput() {}

    public static TrainerInput of(TrainBatch batch) {
        TrainerInput in = new TrainerInput();
        in.batchId = batch.batchId;
        in.batch = batch;
        return in;
    }

    public static TrainerInput of(LookupResponse lookup) {
        TrainerInput in = new TrainerInput();
        in.batchId = lookup.batchId;
        in.lookup = lookup;
        return in;
    }
}
