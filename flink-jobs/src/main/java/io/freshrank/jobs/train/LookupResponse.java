package io.freshrank.jobs.train;

/**
 * Rows a shard returns for a {@link LookupRequest}: for {@code ids[k]}, {@code present[k]} says
 * whether the id has an admitted row, and its values are {@code rows[k*rowWidth ..
 * (k+1)*rowWidth)}. A Flink POJO.
 */
public class LookupResponse {
    public long batchId;
    public int rowWidth;
    public long[] ids;
    public boolean[] present;
    public float[] rows;

    public LookupResponse() {}
}
