package io.freshrank.jobs.train;

/**
 * The distinct feature ids of one batch that live on one embedding shard, with how often each
 * occurs in training (non-holdout) examples of the batch (drives admission). A Flink POJO.
 */
public class LookupRequest {
    public long batchId;

    /** Target shard subtask index (the key-group range owning every id here). */
    public int shard;

    public long[] ids;
    public int[] counts;

    public LookupRequest() {}

    public LookupRequest(long batchId, int shard, long[] ids, int[] counts) {
        this.batchId = batchId;
        this.shard = shard;
        this.ids = ids;
        this.counts = counts;
    }
}
