package io.freshrank.jobs.join;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.jobs.common.DeadLetters;
import io.freshrank.jobs.common.OperatorIds;
import io.freshrank.jobs.common.RawRecord;
import io.freshrank.jobs.ingest.DecodeEventsFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Builds the label-join graph between injected input streams and returned output streams, so the
 * job's main and the tests build the very same graph: decode (dead letters) -> key by impression id
 * -> {@link JoinLabelsFunction}. The inputs must already carry event-time timestamps and
 * watermarks: the job assigns them in its Kafka sources ({@link SourceWatermarks}), per partition.
 */
public final class LabelJoinPipeline {
    private LabelJoinPipeline() {}

    /**
     * The join's outputs: encoded examples and encoded dead letters (from decoding and from the
     * join).
     */
    public record Outputs(DataStream<BytesRecord> examples, DataStream<BytesRecord> deadLetters) {}

    public static Outputs build(
            DataStream<RawRecord> impressions, DataStream<RawRecord> actions, JoinConfig config) {
        SingleOutputStreamOperator<JoinInput> imps =
                impressions
                        .process(
                                new DecodeEventsFunction<>(
                                        new JoinDecoders.Impressions(), "decode-impressions"),
                                TypeInformation.of(JoinInput.class))
                        .uid(OperatorIds.DECODE_IMPRESSIONS)
                        .name("decode impressions");
        SingleOutputStreamOperator<JoinInput> acts =
                actions.process(
                                new DecodeEventsFunction<>(
                                        new JoinDecoders.Actions(), "decode-actions"),
                                TypeInformation.of(JoinInput.class))
                        .uid(OperatorIds.DECODE_ACTIONS)
                        .name("decode actions");

        SingleOutputStreamOperator<BytesRecord> examples =
                imps.union(acts)
                        .keyBy(JoinInputKey.INSTANCE)
                        .process(
                                new JoinLabelsFunction(config),
                                TypeInformation.of(BytesRecord.class))
                        .uid(OperatorIds.JOIN_LABELS)
                        .name("join labels");

        DataStream<BytesRecord> deadLetters =
                imps.getSideOutput(DeadLetters.TAG)
                        .union(
                                acts.getSideOutput(DeadLetters.TAG),
                                examples.getSideOutput(DeadLetters.TAG));
        return new Outputs(examples, deadLetters);
    }

    /** Keys join inputs by impression id (a named class keeps the key type explicit). */
    static final class JoinInputKey
            implements org.apache.flink.api.java.functions.KeySelector<JoinInput, String> {
        static final JoinInputKey INSTANCE = new JoinInputKey();
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(JoinInput in) {
            return in.impressionId;
        }
    }
}
