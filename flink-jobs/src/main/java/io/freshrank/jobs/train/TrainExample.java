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

    /** 0 for holdout examples: scored, never learned from. */
    public float weight;

    /** Oracle click probability, NaN when unknown. */
    public float oracle;

    public boolean holdout;

    public TrainExample() {}
}
