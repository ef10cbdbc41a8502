package io.freshrank.jobs.train;

import io.freshrank.features.FeatureSpec;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.common.GradientPrecision;
import io.freshrank.model.ModelConfig;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.flink.configuration.Configuration;

/**
 * Resolved, validated settings of the training job.
 *
 * @param spec feature spec
 * @param model DeepFM shape and dense hyper-parameters
 * @param batchSize examples per micro-batch
 * @param batchTimeoutMs a partial batch is trained after this long
 * @param syncBatches batches between dense-delta publications (several trainer subtasks)
 * @param trainerParallelism parallelism of the trainer (0 = the job's); shards always run at the
 *     job's
 * @param gradientPrecision how row gradients are written to the gradients topic
 * @param shard embedding shard settings (cache, admission sketch, expiry, snapshot store and
 *     cadence)
 */
public record TrainConfig(
        FeatureSpec spec,
        ModelConfig model,
        int batchSize,
        long batchTimeoutMs,
        int syncBatches,
        int trainerParallelism,
        GradientPrecision gradientPrecision,
        ShardConfig shard) {

    public TrainConfig {
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException(
                    FreshrankOptions.BATCH_SIZE.key() + " must be in 1..4096, got " + batchSize);
        }
        if (syncBatches < 1) {
            throw new IllegalArgumentException(
                    FreshrankOptions.DENSE_SYNC_BATCHES.key()
                            + " must be >= 1, got "
                            + syncBatches);
        }
    }

    public static TrainConfig from(Configuration conf) {
        String specRef = conf.get(FreshrankOptions.FEATURE_SPEC);
        FeatureSpec spec =
                "simulator".equals(specRef)
                        ? FeatureSpec.simulator()
                        : FeatureSpec.load(Path.of(specRef));
        int[] hidden;
        try {
            hidden =
                    Arrays.stream(conf.get(FreshrankOptions.HIDDEN).split(","))
                            .map(String::trim)
                            .filter(s -> !s.isEmpty())
                            .mapToInt(Integer::parseInt)
                            .toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    FreshrankOptions.HIDDEN.key()
                            + " must be comma-separated integers such as 64,32",
                    e);
        }
        ModelConfig model =
                ModelConfig.forSpec(
                        spec,
                        hidden,
                        conf.get(FreshrankOptions.DENSE_LEARNING_RATE),
                        conf.get(FreshrankOptions.SEED));
        return new TrainConfig(
                spec,
                model,
                conf.get(FreshrankOptions.BATCH_SIZE),
                conf.get(FreshrankOptions.BATCH_TIMEOUT).toMillis(),
                conf.get(FreshrankOptions.DENSE_SYNC_BATCHES),
                conf.get(FreshrankOptions.TRAINER_PARALLELISM),
                conf.get(FreshrankOptions.GRADIENT_PRECISION),
                new ShardConfig(
                        conf.get(FreshrankOptions.CACHE_BYTES).getBytes(),
                        conf.get(FreshrankOptions.SKETCH_BYTES).getBytes(),
                        conf.get(FreshrankOptions.EXPIRY_SWEEP_INTERVAL).toMillis(),
                        conf.get(FreshrankOptions.SKETCH_HALVE_INTERVAL).toMillis(),
                        conf.getOptional(FreshrankOptions.STORE_PATH).orElse(null),
                        conf.get(FreshrankOptions.FULL_SNAPSHOT_EVERY),
                        conf.get(FreshrankOptions.WRITE_BEHIND_IDLE).toMillis()));
    }
}
