package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShardLookupsTest {

    private static TrainExample example(float weight, boolean correction, long[]... ids) {
        TrainExample ex = new TrainExample();
        ex.ids = ids;
        ex.weight = weight;
        ex.correction = correction;
        return ex;
    }

    @Test
    void everyIdOnceOnItsShardWithItsTrainingOccurrences() {
        ShardRouter router = new ShardRouter(128, 3);
        SplittableRandom rnd = new SplittableRandom(5);
        List<TrainExample> batch = new ArrayList<>();
        Map<Long, Integer> expectedCounts = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            long[] a = {rnd.nextInt(50), rnd.nextInt(50)};
            long[] b = {1000 + rnd.nextInt(500)};
            float weight = i % 5 == 0 ? 0f : 1f;
            boolean correction = i % 7 == 0;
            batch.add(example(weight, correction, a, b));
            int occurrence = weight > 0 && !correction ? 1 : 0;
            for (long id : a) {
                expectedCounts.merge(id, occurrence, Integer::sum);
            }
            expectedCounts.merge(b[0], occurrence, Integer::sum);
        }
        List<LookupRequest> requests = ShardLookups.split(42L, batch, router);

        Map<Long, Integer> counts = new HashMap<>();
        List<Integer> shards = new ArrayList<>();
        for (LookupRequest r : requests) {
            assertThat(r.batchId).isEqualTo(42L);
            assertThat(r.ids).isNotEmpty();
            shards.add(r.shard);
            for (int k = 0; k < r.ids.length; k++) {
                assertThat(router.shardOf(r.ids[k])).as("owner of %s", r.ids[k]).isEqualTo(r.shard);
                assertThat(counts.put(r.ids[k], r.counts[k]))
                        .as("%s listed once", r.ids[k])
                        .isNull();
            }
        }
        assertThat(shards).doesNotHaveDuplicates();
        assertThat(counts).isEqualTo(expectedCounts);
    }

    @Test
    void shardsWithoutIdsGetNoRequest() {
        ShardRouter router = new ShardRouter(128, 4);
        long id = 7L;
        List<LookupRequest> requests =
                ShardLookups.split(1L, List.of(example(1f, false, new long[] {id, id})), router);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).shard).isEqualTo(router.shardOf(id));
        assertThat(requests.get(0).ids).containsExactly(id);
        assertThat(requests.get(0).counts).containsExactly(2);
    }
}
