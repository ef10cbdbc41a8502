package io.freshrank.jobs.join;

import io.freshrank.jobs.common.RawRecord;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The join's event-time watermarks, for {@code env.fromSource(source, strategy, name)}: given to
 * the Kafka source they are generated per Kafka partition (split) and combined by the source, so
 * out-of-orderness is bounded per partition rather than across the interleaving of a subtask's
 * partitions, and a partition silent for the idleness timeout stops holding the watermark back. The
 * timestamp is the event's {@code eventTimeMs}; the record is decoded for it here and again by the
 * decode step (an undecodable record gets {@link Long#MIN_VALUE}, which never advances a watermark,
 * and is dead-lettered by the decode step).
 */
public final class SourceWatermarks {
    private SourceWatermarks() {}

    /** Watermarks of the impressions source. */
    public static WatermarkStrategy<RawRecord> impressions(JoinConfig config) {
        return strategy(config, new EventTime(false));
    }

    /** Watermarks of the actions source. */
    public static WatermarkStrategy<RawRecord> actions(JoinConfig config) {
        return strategy(config, new EventTime(true));
    }

    private static WatermarkStrategy<RawRecord> strategy(JoinConfig config, EventTime time) {
        return WatermarkStrategy.<RawRecord>forBoundedOutOfOrderness(config.outOfOrderness())
                .withTimestampAssigner(time)
                .withIdleness(config.idleness());
    }

    /** The event time of an encoded impression or action. */
    static final class EventTime implements SerializableTimestampAssigner<RawRecord> {
        private static final long serialVersionUID = 1L;
        private final boolean actions;
        private transient EventCodec<Impression> impressionCodec;
        private transient EventCodec<Action> actionCodec;

        EventTime(boolean actions) {
            this.actions = actions;
        }

        @Override
        public long extractTimestamp(RawRecord record, long recordTimestamp) {
            if (record.value == null) {
                return Long.MIN_VALUE;
            }
            if (actions) {
                if (actionCodec == null) {
                    actionCodec = EventCodec.of(Action.class);
                }
                DecodeResult<Action> d = actionCodec.decode(record.value);
                return d.isValid() ? d.value().getEventTimeMs() : Long.MIN_VALUE;
            }
            if (impressionCodec == null) {
                impressionCodec = EventCodec.of(Impression.class);
            }
            DecodeResult<Impression> d = impressionCodec.decode(record.value);
            return d.isValid() ? d.value().getEventTimeMs() : Long.MIN_VALUE;
        }
    }
}
