package io.freshrank.jobs.join;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.common.JobConfigs;
import io.freshrank.jobs.common.KafkaIo;
import io.freshrank.jobs.common.OperatorIds;
import io.freshrank.jobs.common.RawRecord;
import io.freshrank.jobs.common.SinkDelivery;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The label-join job: {@code impressions} + {@code actions} topics -> {@code examples} topic (+
 * dead letters, + {@code example-lists} with {@code freshrank.join.lists=true}), all written with
 * the delivery of {@code freshrank.join.delivery} (exactly-once by default; see {@link
 * SinkDelivery}). Arguments are {@code --freshrank.key value} pairs (see {@link FreshrankOptions}).
 */
public final class LabelJoinJob {
    private LabelJoinJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = JobConfigs.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(env, conf);
        env.execute("freshrank-label-join");
    }

    /** Adds the label-join job's graph, with its Kafka sources and sinks, to {@code env}. */
    public static void build(StreamExecutionEnvironment env, Configuration conf) {
        JoinConfig config = JoinConfig.from(conf);
        SinkDelivery delivery = SinkDelivery.ofJoin(conf);
        delivery.checkCheckpointInterval(
                env.getCheckpointConfig().isCheckpointingEnabled()
                        ? env.getCheckpointConfig().getCheckpointInterval()
                        : -1);
        DataStream<RawRecord> impressions =
                env.fromSource(
                                KafkaIo.rawSource(
                                        conf, conf.get(FreshrankOptions.TOPIC_IMPRESSIONS), "join"),
                                SourceWatermarks.impressions(config),
                                "impressions")
                        .uid(OperatorIds.IMPRESSIONS_SOURCE);
        DataStream<RawRecord> actions =
                env.fromSource(
                                KafkaIo.rawSource(
                                        conf, conf.get(FreshrankOptions.TOPIC_ACTIONS), "join"),
                                SourceWatermarks.actions(config),
                                "actions")
                        .uid(OperatorIds.ACTIONS_SOURCE);
        LabelJoinPipeline.Outputs out = LabelJoinPipeline.build(impressions, actions, config);
        out.examples()
                .sinkTo(KafkaIo.sink(conf, conf.get(FreshrankOptions.TOPIC_EXAMPLES), delivery))
                .uid(OperatorIds.EXAMPLES_SINK)
                .name("examples");
        out.deadLetters()
                .sinkTo(KafkaIo.sink(conf, conf.get(FreshrankOptions.TOPIC_DEAD_LETTERS), delivery))
                .uid(OperatorIds.JOIN_DEAD_LETTERS_SINK)
                .name("dead letters");
        if (conf.get(FreshrankOptions.JOIN_LISTS)) {
            ListAssemblyConfig lists =
                    ListAssemblyConfig.from(
                            conf,
                            config.emissionPolicy(),
                            Duration.ofMillis(
                                    config.windows().closeAfterMs(config.emissionPolicy())));
            ListAssemblyPipeline.build(out.examples(), lists)
                    .sinkTo(
                            KafkaIo.sink(
                                    conf, conf.get(FreshrankOptions.TOPIC_EXAMPLE_LISTS), delivery))
                    .uid(OperatorIds.EXAMPLE_LISTS_SINK)
                    .name("example lists");
        }
    }
}
