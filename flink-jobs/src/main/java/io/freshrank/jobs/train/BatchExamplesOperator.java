package io.freshrank.jobs.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Groups examples into micro-batches of up to {@code batchSize} (or what arrived within {@code
 * timeoutMs}) and splits each batch's distinct feature ids by owning shard: one {@link
 * LookupRequest} per shard touched goes to the main output, the batch itself to {@link #BATCHES}.
 * Batches are flushed before every checkpoint barrier, so the operator holds no state across
 * checkpoints and no batch straddles one.
 */
public class BatchExamplesOperator extends AbstractStreamOperator<LookupRequest>
        implements OneInputStreamOperator<TrainExample, LookupRequest> {
    private static final long serialVersionUID = 1L;

    /** Side output: the batches, for the trainer. */
    public static final OutputTag<TrainerInput> BATCHES = new OutputTag<>("train-batches") {};

    private final int batchSize;
    private final long timeoutMs;
    private final ShardRouter router;

    private transient List<TrainExample> buffer;
    private transient long generation;
    private transient long batchIdPrefix;
    private transient long counter;

    public BatchExamplesOperator(int batchSize, long timeoutMs, ShardRouter router) {
        if (batchSize < 1 || timeoutMs < 1) {
            throw new IllegalArgumentException("batch size and timeout must be >= 1");
        }
        this.batchSize = batchSize;
        this.timeoutMs = timeoutMs;
        this.router = router;
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayList<>(batchSize);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        // Unique across subtasks, and (random epoch) across restarts of the same subtask.
        long epoch = new SplittableRandom(System.nanoTime()).nextInt(1 << 15);
        batchIdPrefix = (epoch << 48) | ((long) subtask << 32);
    }

    @Override
    public void processElement(StreamRecord<TrainExample> element) {
        buffer.add(element.getValue());
        if (buffer.size() == 1) {
            long gen = generation;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService()
                    .registerTimer(
                            now + timeoutMs,
                            ts -> {
                                if (generation == gen) {
                                    flush();
                                }
                            });
        }
        if (buffer.size() >= batchSize) {
            flush();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (buffer.isEmpty()) {
            return;
        }
        generation++;
        long batchId = batchIdPrefix | (counter++ & 0xFFFF_FFFFL);
        TrainBatch batch = toBatch(batchId, buffer);

        List<LookupRequest> requests = ShardLookups.split(batchId, buffer, router);
        for (LookupRequest r : requests) {
            output.collect(new StreamRecord<>(r));
        }
        int expected = requests.size();
        batch.expectedLookups = expected;
        output.collect(BATCHES, new StreamRecord<>(TrainerInput.of(batch)));
        buffer.clear();
    }

    static TrainBatch toBatch(long batchId, List<TrainExample> examples) {
        TrainBatch b = new TrainBatch();
        b.batchId = batchId;
        int n = examples.size();
        b.size = n;
        b.numSlots = examples.get(0).ids.length;
        b.numNumeric = examples.get(0).numeric.length;
        b.offsets = new int[n * b.numSlots + 1];
        int total = 0;
        for (TrainExample ex : examples) {
            for (long[] slotIds : ex.ids) {
                total += slotIds.length;
            }
        }
        b.ids = new long[total];
        b.numeric = new float[n * b.numNumeric];
        b.labels = new float[n];
        b.weights = new float[n];
        b.oracle = new float[n];
        b.exampleIds = new String[n];
        b.requestIds = new String[n];
        b.impressionTimes = new long[n];
        b.emitTimes = new long[n];
        b.ingestTimes = new long[n];
        b.holdout = new boolean[n];
        b.fakeNegativeWeighted = new boolean[n];
        b.sourcePartitions = new int[n];
        b.sourceOffsets = new long[n];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            TrainExample ex = examples.get(i);
            for (int s = 0; s < b.numSlots; s++) {
                b.offsets[i * b.numSlots + s] = pos;
                System.arraycopy(ex.ids[s], 0, b.ids, pos, ex.ids[s].length);
                pos += ex.ids[s].length;
            }
            System.arraycopy(ex.numeric, 0, b.numeric, i * b.numNumeric, b.numNumeric);
            b.labels[i] = ex.label;
            b.weights[i] = ex.weight;
            b.oracle[i] = ex.oracle;
            b.exampleIds[i] = ex.exampleId;
            b.requestIds[i] = ex.requestId;
            b.impressionTimes[i] = ex.impressionTimeMs;
            b.emitTimes[i] = ex.emitTimeMs;
            b.ingestTimes[i] = ex.ingestTimeMs;
            b.holdout[i] = ex.holdout;
            b.fakeNegativeWeighted[i] = ex.fakeNegativeWeighted;
            b.sourcePartitions[i] = ex.partition;
            b.sourceOffsets[i] = ex.offset;
        }
        b.offsets[n * b.numSlots] = pos;
        return b;
    }
}
