package io.freshrank.jobs.train;

/**
 * Summed gradients of the rows of one shard from one batch: {@code grads[k*rowWidth ..]} is the
 * gradient of {@code ids[k]}. Travels through the gradients topic in {@link GradientCodec}'s
 * format. A Flink POJO.
 */
public class GradientUpdate {
    public long batchId;
    public int producer;
    public int rowWidth;
    public long[] ids;
    public float[] grads;

    public GradientUpdate() {}

    public GradientUpdate(long batchId, int producer, int rowWidth, long[] ids, float[] grads) {
        this.batchId = batchId;
        this.producer = producer;
        this.rowWidth = rowWidth;
        this.ids = ids;
        this.grads = grads;
    }
}
