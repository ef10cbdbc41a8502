package io.freshrank.jobs.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a batch's feature ids by owning shard: one {@link LookupRequest} per shard touched, each
 * distinct id once (in order of first occurrence) with its number of training occurrences (what
 * drives admission). Examples with zero weight (holdout) and corrections (they repeat a fake
 * negative's features, counted already) are looked up but do not count.
 */
final class ShardLookups {
    private ShardLookups() {}

    static List<LookupRequest> split(long batchId, List<TrainExample> batch, ShardRouter router) {
        int occurrences = 0;
        for (TrainExample ex : batch) {
            for (long[] slotIds : ex.ids) {
                occurrences += slotIds.length;
            }
        }
        LongIntHashMap index = new LongIntHashMap(occurrences);
        long[] ids = new long[occurrences];
        int[] counts = new int[occurrences];
        int[] shards = new int[occurrences];
        int[] perShard = new int[router.parallelism()];
        int distinct = 0;
        for (TrainExample ex : batch) {
            int occurrence = ex.weight > 0f && !ex.correction ? 1 : 0;
            for (long[] slotIds : ex.ids) {
                for (long id : slotIds) {
                    int k = index.get(id);
                    if (k < 0) {
                        k = distinct++;
                        index.putIfAbsent(id, k);
                        ids[k] = id;
                        shards[k] = router.shardOf(id);
                        perShard[shards[k]]++;
                    }
                    counts[k] += occurrence;
                }
            }
        }
        long[][] shardIds = new long[perShard.length][];
        int[][] shardCounts = new int[perShard.length][];
        for (int s = 0; s < perShard.length; s++) {
            shardIds[s] = new long[perShard[s]];
            shardCounts[s] = new int[perShard[s]];
        }
        int[] fill = new int[perShard.length];
        for (int k = 0; k < distinct; k++) {
            int s = shards[k];
            shardIds[s][fill[s]] = ids[k];
            shardCounts[s][fill[s]++] = counts[k];
        }
        List<LookupRequest> out = new ArrayList<>();
        for (int s = 0; s < perShard.length; s++) {
            if (perShard[s] > 0) {
                out.add(new LookupRequest(batchId, s, shardIds[s], shardCounts[s]));
            }
        }
        return out;
    }
}
