package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.features.FeatureVector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class BatchExamplesOperatorTest {

    private static TrainExample example(String id, long[][] ids, float label, boolean holdout) {
        TrainExample e = new TrainExample();
        e.exampleId = id;
        e.requestId = "r";
        e.ids = ids;
        e.numeric = new float[] {0.5f};
        e.label = label;
        e.holdout = holdout;
        e.weight = holdout ? 0f : 1f;
        e.oracle = Float.NaN;
        return e;
    }

    @Test
    void batchRoundTripsItsExamples() {
        List<TrainExample> xs =
                List.of(
                        example("a", new long[][] {{1L}, {2L, 3L}, {}}, 1f, false),
                        example("b", new long[][] {{4L}, {}, {5L}}, 0f, true));
        TrainBatch b = BatchExamplesOperator.toBatch(9L, xs);
        List<FeatureVector> vs = b.vectors();
        assertThat(vs).hasSize(2);
        assertThat(vs.get(0).ids()[1]).containsExactly(2L, 3L);
        assertThat(vs.get(0).ids()[2]).isEmpty();
        assertThat(vs.get(1).ids()[2]).containsExactly(5L);
        assertThat(b.labels).containsExactly(1f, 0f);
        assertThat(b.weights).containsExactly(1f, 0f);
        assertThat(b.exampleIds).containsExactly("a", "b");
    }

    @Test
    void splitsDistinctIdsByOwningShardAndCountsOnlyTrainingOccurrences() throws Exception {
        ShardRouter router = new ShardRouter(128, 2);
        BatchExamplesOperator op = new BatchExamplesOperator(3, 10_000, router);
        OneInputStreamOperatorTestHarness<TrainExample, LookupRequest> h =
                new OneInputStreamOperatorTestHarness<>(op);
        try {
            h.open();
            h.processElement(
                    new StreamRecord<>(example("a", new long[][] {{1L}, {7L}}, 1f, false)));
            h.processElement(
                    new StreamRecord<>(example("b", new long[][] {{1L}, {8L}}, 0f, false)));
            h.processElement(new StreamRecord<>(example("c", new long[][] {{1L}, {9L}}, 0f, true)));
            List<LookupRequest> requests = new ArrayList<>(h.extractOutputValues());
            Set<Long> seen = new HashSet<>();
            for (LookupRequest r : requests) {
                for (int k = 0; k < r.ids.length; k++) {
                    assertThat(router.shardOf(r.ids[k])).isEqualTo(r.shard);
                    assertThat(seen.add(r.ids[k])).as("id %s requested twice", r.ids[k]).isTrue();
                    int expected = r.ids[k] == 1L ? 2 : (r.ids[k] == 9L ? 0 : 1);
                    assertThat(r.counts[k]).as("count of %s", r.ids[k]).isEqualTo(expected);
                }
            }
            assertThat(seen).containsExactlyInAnyOrder(1L, 7L, 8L, 9L);
            var batches = h.getSideOutput(BatchExamplesOperator.BATCHES);
            assertThat(batches).hasSize(1);
            TrainBatch batch = batches.peek().getValue().batch;
            assertThat(batch.size).isEqualTo(3);
            assertThat(batch.expectedLookups).isEqualTo(requests.size());
        } finally {
            h.close();
        }
    }

    @Test
    void flushesAPartialBatchBeforeTheCheckpointBarrier() throws Exception {
        BatchExamplesOperator op = new BatchExamplesOperator(100, 10_000, new ShardRouter(128, 1));
        OneInputStreamOperatorTestHarness<TrainExample, LookupRequest> h =
                new OneInputStreamOperatorTestHarness<>(op);
        try {
            h.open();
            h.processElement(new StreamRecord<>(example("a", new long[][] {{1L}}, 1f, false)));
            assertThat(h.getSideOutput(BatchExamplesOperator.BATCHES)).isNull();
            h.prepareSnapshotPreBarrier(1L);
            assertThat(h.getSideOutput(BatchExamplesOperator.BATCHES)).hasSize(1);
        } finally {
            h.close();
        }
    }
}
