package io.freshrank.jobs.train;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.jobs.common.DeadLetters;
import io.freshrank.jobs.common.GradientPrecision;
import io.freshrank.jobs.common.OperatorIds;
import io.freshrank.jobs.common.RawRecord;
import io.freshrank.jobs.ingest.DecodeEventsFunction;
import io.freshrank.jobs.ingest.EventDecoder;
import io.freshrank.schema.DecodeResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * Builds the training graph (see the package doc) between injected input streams and returned
 * output streams, so the job's main and the tests build the very same graph.
 */
public final class TrainingPipeline {
    private TrainingPipeline() {}

    /**
     * The training job's outputs, all encoded for Kafka.
     *
     * @param gradients row gradients for the gradients topic (read back as {@code gradients} input)
     * @param denseDeltas dense deltas for the dense-updates topic (read back as {@code
     *     denseUpdates} input)
     * @param predictions progressive-validation predictions
     * @param deadLetters undecodable examples, gradients and dense deltas
     */
    public record Outputs(
            DataStream<BytesRecord> gradients,
            DataStream<BytesRecord> denseDeltas,
            DataStream<BytesRecord> predictions,
            DataStream<BytesRecord> deadLetters) {}

    /**
     * Builds the graph. Shards and trainers run at the parallelism of {@code examples}'
     * environment; the max parallelism of the environment must be set (it fixes the key groups the
     * shards are routed by).
     */
    public static Outputs build(
            DataStream<RawRecord> examples,
            DataStream<RawRecord> gradients,
            DataStream<RawRecord> denseUpdates,
            TrainConfig config) {
        var env = examples.getExecutionEnvironment();
        int parallelism = env.getParallelism();
        int maxParallelism = env.getConfig().getMaxParallelism();
        if (maxParallelism <= 0) {
            throw new IllegalArgumentException(
                    "set the job's max parallelism (pipeline.max-parallelism): it fixes the key groups"
                            + " embedding rows are routed by");
        }
        ShardRouter router = new ShardRouter(maxParallelism, parallelism);

        SingleOutputStreamOperator<TrainExample> decoded =
                examples.process(
                                new DecodeEventsFunction<>(
                                        new ExampleDecoder(config.spec()), "decode-examples"),
                                TypeInformation.of(TrainExample.class))
                        .uid(OperatorIds.DECODE_EXAMPLES)
                        .name("decode examples");

        SingleOutputStreamOperator<LookupRequest> requests =
                decoded.transform(
                                "batch examples",
                                TypeInformation.of(LookupRequest.class),
                                new BatchExamplesOperator(
                                        config.batchSize(), config.batchTimeoutMs(), router))
                        .uid(OperatorIds.BATCH_EXAMPLES);
        DataStream<TrainerInput> batches = requests.getSideOutput(BatchExamplesOperator.BATCHES);

        KeyedStream<LookupRequest, Long> routedRequests =
                toShards(
                        requests.partitionCustom(new ShardPartitioner(), new RequestShard())
                                .map(new Identity<LookupRequest>())
                                .returns(TypeInformation.of(LookupRequest.class))
                                .name("route lookups")
                                .setParallelism(parallelism),
                        new RequestKey());

        SingleOutputStreamOperator<GradientUpdate> decodedGradients =
                gradients
                        .process(
                                new DecodeEventsFunction<>(
                                        new GradientDecoder(), "decode-gradients"),
                                TypeInformation.of(GradientUpdate.class))
                        .uid("decode-gradients")
                        .name("decode gradients");
        KeyedStream<GradientUpdate, Long> routedGradients =
                toShards(
                        decodedGradients
                                .flatMap(new SplitGradientsByShard(router))
                                .returns(TypeInformation.of(GradientUpdate.class))
                                .name("split gradients by shard")
                                .partitionCustom(new ShardPartitioner(), new GradientShard(router))
                                .map(new Identity<GradientUpdate>())
                                .returns(TypeInformation.of(GradientUpdate.class))
                                .name("route gradients")
                                .setParallelism(parallelism),
                        new GradientKey());

        SingleOutputStreamOperator<TrainerInput> lookups =
                routedRequests
                        .connect(routedGradients)
                        .transform(
                                "embedding shards",
                                TypeInformation.of(TrainerInput.class),
                                new EmbeddingShardOperator(config.spec(), config.shard()))
                        .uid(OperatorIds.EMBEDDING_SHARDS)
                        .setParallelism(parallelism);

        SingleOutputStreamOperator<DenseDelta> decodedDeltas =
                denseUpdates
                        .process(
                                new DecodeEventsFunction<>(new DenseDeltaDecoder(), "decode-dense"),
                                TypeInformation.of(DenseDelta.class))
                        .uid("decode-dense-updates")
                        .name("decode dense updates");
        BroadcastStream<DenseDelta> deltas =
                decodedDeltas.broadcast(TrainBatchFunction.DENSE_BROADCAST);

        SingleOutputStreamOperator<GradientUpdate> trained =
                batches.union(lookups)
                        .keyBy(new BatchKey())
                        .connect(deltas)
                        .process(
                                new TrainBatchFunction(
                                        config.spec(),
                                        config.model(),
                                        router,
                                        config.syncBatches(),
                                        config.shard().storePath()),
                                TypeInformation.of(GradientUpdate.class))
                        .uid(OperatorIds.TRAINER)
                        .name("train")
                        .setParallelism(
                                config.trainerParallelism() > 0
                                        ? config.trainerParallelism()
                                        : parallelism);

        DataStream<BytesRecord> gradientRecords =
                trained.map(new EncodeGradient(config.gradientPrecision()))
                        .returns(TypeInformation.of(BytesRecord.class))
                        .name("encode gradients");
        DataStream<BytesRecord> deadLetters =
                decoded.getSideOutput(DeadLetters.TAG)
                        .union(
                                decodedGradients.getSideOutput(DeadLetters.TAG),
                                decodedDeltas.getSideOutput(DeadLetters.TAG));
        return new Outputs(
                gradientRecords,
                trained.getSideOutput(TrainBatchFunction.DENSE_DELTAS),
                trained.getSideOutput(TrainBatchFunction.PREDICTIONS),
                deadLetters);
    }

    private static <T> KeyedStream<T, Long> toShards(
            DataStream<T> routed, KeySelector<T, Long> key) {
        // The records are already partitioned exactly as Flink would partition their key: reuse
        // that.
        return DataStreamUtils.reinterpretAsKeyedStream(routed, key, Types.LONG);
    }

    /** Sends a record to the shard index it carries. */
    static final class ShardPartitioner implements Partitioner<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(Integer shard, int numPartitions) {
            if (shard >= numPartitions) {
                throw new IllegalStateException(
                        "shard " + shard + " routed to only " + numPartitions + " partitions");
            }
            return shard;
        }
    }

    static final class RequestShard implements KeySelector<LookupRequest, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer getKey(LookupRequest r) {
            return r.shard;
        }
    }

    static final class RequestKey implements KeySelector<LookupRequest, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long getKey(LookupRequest r) {
            return r.ids[0];
        }
    }

    static final class GradientShard implements KeySelector<GradientUpdate, Integer> {
        private static final long serialVersionUID = 1L;
        private final ShardRouter router;

        GradientShard(ShardRouter router) {
            this.router = router;
        }

        @Override
        public Integer getKey(GradientUpdate g) {
            return router.shardOf(g.ids[0]);
        }
    }

    static final class GradientKey implements KeySelector<GradientUpdate, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long getKey(GradientUpdate g) {
            return g.ids[0];
        }
    }

    static final class BatchKey implements KeySelector<TrainerInput, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long getKey(TrainerInput in) {
            return in.batchId;
        }
    }

    /**
     * A no-op map between the custom partitioning and the keyed shard operator (see DESIGN.md's
     * pitfall).
     */
    static final class Identity<T> implements MapFunction<T, T> {
        private static final long serialVersionUID = 1L;

        @Override
        public T map(T value) {
            return value;
        }
    }

    /**
     * Re-splits a gradient record by the current shard layout (it may come from a run of other
     * parallelism).
     */
    static final class SplitGradientsByShard
            implements FlatMapFunction<GradientUpdate, GradientUpdate> {
        private static final long serialVersionUID = 1L;
        private final ShardRouter router;

        SplitGradientsByShard(ShardRouter router) {
            this.router = router;
        }

        @Override
        public void flatMap(GradientUpdate g, Collector<GradientUpdate> out) {
            if (g.ids.length == 0) {
                return;
            }
            int w = g.rowWidth;
            List<List<Integer>> perShard = new ArrayList<>();
            for (int s = 0; s < router.parallelism(); s++) {
                perShard.add(new ArrayList<>());
            }
            for (int k = 0; k < g.ids.length; k++) {
                perShard.get(router.shardOf(g.ids[k])).add(k);
            }
            for (List<Integer> ks : perShard) {
                if (ks.isEmpty()) {
                    continue;
                }
                if (ks.size() == g.ids.length) {
                    out.collect(g);
                    return;
                }
                long[] ids = new long[ks.size()];
                float[] grads = new float[ks.size() * w];
                for (int j = 0; j < ids.length; j++) {
                    ids[j] = g.ids[ks.get(j)];
                    System.arraycopy(g.grads, ks.get(j) * w, grads, j * w, w);
                }
                out.collect(new GradientUpdate(g.batchId, g.producer, w, ids, grads));
            }
        }
    }

    static final class EncodeGradient implements MapFunction<GradientUpdate, BytesRecord> {
        private static final long serialVersionUID = 1L;
        private final GradientPrecision precision;

        EncodeGradient(GradientPrecision precision) {
            this.precision = precision;
        }

        @Override
        public BytesRecord map(GradientUpdate g) {
            return new BytesRecord(null, GradientCodec.encode(g, precision));
        }
    }

    static final class GradientDecoder implements EventDecoder<GradientUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public DecodeResult<GradientUpdate> decode(byte[] payload) {
            return GradientCodec.decode(payload);
        }
    }

    static final class DenseDeltaDecoder implements EventDecoder<DenseDelta> {
        private static final long serialVersionUID = 1L;

        @Override
        public DecodeResult<DenseDelta> decode(byte[] payload) {
            return DenseDeltaCodec.decode(payload);
        }
    }
}
