package io.freshrank.jobs.train;

/**
 * A decoded labelled example as model input (feature ids per slot, numerics, label, weight). A
 * Flink POJO.
 */
public class TrainExample {
    public String exampleId;
    public String requestId;
    public long impressionTimeMs;
    public long emitTimeMs;

    /**
     * Wall-clock time the example was written to Kafka (its record timestamp): freshness is
     * measured from it.
     */
    public long ingestTimeMs;

    public long[][] ids;
    public float[] numeric;
    public float label;

    /**
     * Loss weight: 0 for holdout examples (scored, never learned from), else 1/samplingRate (a
     * negative kept by the join's down-sampling stands for 1/rate negatives).
     */
    public float weight;

    /** Oracle click probability, NaN when unknown. */
    public float oracle;

    public boolean holdout;

    /**
     * Emitted by the join's FAKE_NEGATIVE policy (a fake negative or its correction): trained with
     * the fake-negative importance weights of Ktena et al., RecSys 2019.
     */
    public boolean fakeNegativeWeighted;

    /**
     * A correction of an earlier fake negative (its features were already counted toward
     * admission).
     */
    public boolean correction;

    /** Partition of the examples topic it was read from; -1 when unknown. */
    public int partition = -1;

    /** Offset in that partition; -1 when unknown. */
    public long offset = -1;

    public TrainExample() {}
}
