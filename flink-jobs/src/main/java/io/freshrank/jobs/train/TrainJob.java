package io.freshrank.jobs.train;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.common.JobConfigs;
import io.freshrank.jobs.common.KafkaIo;
import io.freshrank.jobs.common.OperatorIds;
import io.freshrank.jobs.common.RawRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The training job: {@code examples} topic -> online DeepFM training with embeddings in keyed state
 * -> snapshots in the model store, predictions, gradients and dense deltas on their topics.
 * Arguments are {@code --freshrank.key value} pairs (see {@link FreshrankOptions}).
 */
public final class TrainJob {
    /** Default max parallelism: the number of key groups embedding rows are spread over. */
    public static final int DEFAULT_MAX_PARALLELISM = 128;

    private TrainJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = JobConfigs.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(env, conf);
        env.execute("freshrank-train");
    }

    /** Adds the training job's graph, with its Kafka sources and sinks, to {@code env}. */
    public static void build(StreamExecutionEnvironment env, Configuration conf) {
        TrainConfig config = TrainConfig.from(conf);
        if (env.getConfig().getMaxParallelism() <= 0) {
            env.setMaxParallelism(DEFAULT_MAX_PARALLELISM);
        }
        DataStream<RawRecord> examples =
                env.fromSource(
                                KafkaIo.rawSource(
                                        conf, conf.get(FreshrankOptions.TOPIC_EXAMPLES), "train"),
                                WatermarkStrategy.noWatermarks(),
                                "examples")
                        .uid(OperatorIds.EXAMPLES_SOURCE);
        DataStream<RawRecord> gradients =
                env.fromSource(
                                KafkaIo.feedbackSource(
                                        conf, conf.get(FreshrankOptions.TOPIC_GRADIENTS), "train"),
                                WatermarkStrategy.noWatermarks(),
                                "gradients")
                        .uid(OperatorIds.GRADIENTS_SOURCE);
        DataStream<RawRecord> dense =
                env.fromSource(
                                KafkaIo.feedbackSource(
                                        conf,
                                        conf.get(FreshrankOptions.TOPIC_DENSE_UPDATES),
                                        "train"),
                                WatermarkStrategy.noWatermarks(),
                                "dense updates")
                        .uid(OperatorIds.DENSE_UPDATES_SOURCE);
        TrainingPipeline.Outputs out = TrainingPipeline.build(examples, gradients, dense, config);
        out.gradients()
                .sinkTo(KafkaIo.sink(conf, conf.get(FreshrankOptions.TOPIC_GRADIENTS)))
                .uid(OperatorIds.GRADIENTS_SINK)
                .name("gradients");
        out.denseDeltas()
                .sinkTo(KafkaIo.sink(conf, conf.get(FreshrankOptions.TOPIC_DENSE_UPDATES)))
                .uid(OperatorIds.DENSE_UPDATES_SINK)
                .name("dense updates");
        out.predictions()
                .sinkTo(KafkaIo.sink(conf, conf.get(FreshrankOptions.TOPIC_PREDICTIONS)))
                .uid(OperatorIds.PREDICTIONS_SINK)
                .name("predictions");
        out.deadLetters()
                .sinkTo(KafkaIo.sink(conf, conf.get(FreshrankOptions.TOPIC_DEAD_LETTERS)))
                .uid(OperatorIds.TRAIN_DEAD_LETTERS_SINK)
                .name("dead letters");
    }
}
