package io.freshrank.jobs.train;

import io.freshrank.features.FeatureVector;
import java.util.ArrayList;
import java.util.List;

/**
 * A micro-batch of examples on its way to the trainer, in flat arrays (cheap to serialize). Example
 * i's ids of embedded slot s are {@code ids[offsets[i*numSlots+s] .. offsets[i*numSlots+s+1])}. A
 * Flink POJO.
 */
public class TrainBatch {
    public long batchId;

    /** How many {@link LookupResponse}s (one per shard touched) the trainer must wait for. */
    public int expectedLookups;

    public int size;
    public int numSlots;
    public int numNumeric;
    public long[] ids;
    public int[] offsets;
    public float[] numeric;
    public float[] labels;
    public float[] weights;

    /** Oracle click probability, NaN when unknown. */
    public float[] oracle;

    public String[] exampleIds;
    public String[] requestIds;
    public long[] impressionTimes;
    public long[] emitTimes;
    public long[] ingestTimes;
    public boolean[] holdout;

    /** Train with fake-negative weights (see {@link TrainExample#fakeNegativeWeighted}). */
    public boolean[] fakeNegativeWeighted;

    /** Examples-topic partition of each example (-1 when unknown); null in older batches. */
    public int[] sourcePartitions;

    /** Examples-topic offset of each example (-1 when unknown); null in older batches. */
    public long[] sourceOffsets;

    public TrainBatch() {}

    /** The examples as model inputs. */
    public List<FeatureVector> vectors() {
        List<FeatureVector> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            long[][] perSlot = new long[numSlots][];
            for (int s = 0; s < numSlots; s++) {
                int from = offsets[i * numSlots + s];
                int to = offsets[i * numSlots + s + 1];
                long[] slotIds = new long[to - from];
                System.arraycopy(ids, from, slotIds, 0, to - from);
                perSlot[s] = slotIds;
            }
            float[] num = new float[numNumeric];
            System.arraycopy(numeric, i * numNumeric, num, 0, numNumeric);
            out.add(new FeatureVector(perSlot, num));
        }
        return out;
    }
}
