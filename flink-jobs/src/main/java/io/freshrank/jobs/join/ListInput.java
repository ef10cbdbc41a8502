package io.freshrank.jobs.join;

/**
 * One labeled example on its way into the list assembly: the fields the grouping needs, decoded
 * once, plus the encoded {@code LabeledExample}. Also the value of the assembly's keyed map state.
 * A Flink POJO; never mutated after it is built.
 */
public class ListInput {
    public String requestId;
    public String exampleId;
    public int position;
    public long impressionTimeMs;
    public long emitTimeMs;

    /** The single-object encoded {@code LabeledExample} as the join wrote it. */
    public byte[] example;

    public ListInput() {}

    public ListInput(
            String requestId,
            String exampleId,
            int position,
            long impressionTimeMs,
            long emitTimeMs,
            byte[] example) {
        this.requestId = requestId;
        this.exampleId = exampleId;
        this.position = position;
        this.impressionTimeMs = impressionTimeMs;
        this.emitTimeMs = emitTimeMs;
        this.example = example;
    }
}
