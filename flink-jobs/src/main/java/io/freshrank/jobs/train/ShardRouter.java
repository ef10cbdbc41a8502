package io.freshrank.jobs.train;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Which embedding-shard subtask owns a feature id: the subtask whose key-group range holds the id's
 * key group, exactly as Flink assigns a {@code Long} key. Batched lookups and gradients are routed
 * with it so that a single record can carry many ids and the shard can {@code setCurrentKey} to
 * each.
 */
public final class ShardRouter implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final int maxParallelism;
    private final int parallelism;

    public ShardRouter(int maxParallelism, int parallelism) {
        if (parallelism < 1 || parallelism > maxParallelism) {
            throw new IllegalArgumentException(
                    "shard parallelism " + parallelism + " must be in 1.." + maxParallelism);
        }
        this.maxParallelism = maxParallelism;
        this.parallelism = parallelism;
    }

    public int shardOf(long featureId) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                featureId, maxParallelism, parallelism);
    }

    public int parallelism() {
        return parallelism;
    }
}
