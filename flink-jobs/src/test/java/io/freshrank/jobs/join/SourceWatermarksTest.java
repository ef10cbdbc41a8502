package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.common.RawRecord;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The timestamps the join's Kafka sources give their records: the event's own time, and {@link
 * Long#MIN_VALUE} (never advancing a watermark) for what cannot be decoded.
 */
class SourceWatermarksTest {
    private static final long T = 1_767_225_600_123L;

    private static RawRecord raw(byte[] value) {
        return new RawRecord("t", 0, 7L, 42L, value);
    }

    @Test
    void impressionsAndActionsAreStampedWithTheirEventTime() {
        Impression imp =
                Impression.newBuilder()
                        .setImpressionId("i")
                        .setRequestId("r")
                        .setEventTimeMs(T)
                        .setPosition(0)
                        .setFeatures(Features.newBuilder().setCategorical(Map.of("u", "1")).build())
                        .build();
        Action act =
                Action.newBuilder()
                        .setActionId("a")
                        .setImpressionId("i")
                        .setType(ActionType.CLICK)
                        .setEventTimeMs(T + 5)
                        .build();
        byte[] impBytes = EventCodec.of(Impression.class).encode(imp);
        byte[] actBytes = EventCodec.of(Action.class).encode(act);

        var impressions = new SourceWatermarks.EventTime(false);
        var actions = new SourceWatermarks.EventTime(true);
        assertThat(impressions.extractTimestamp(raw(impBytes), 42L)).isEqualTo(T);
        assertThat(actions.extractTimestamp(raw(actBytes), 42L)).isEqualTo(T + 5);
        // the wrong schema, garbage, nothing: never a watermark, dead-lettered by the decode step
        assertThat(impressions.extractTimestamp(raw(actBytes), 42L)).isEqualTo(Long.MIN_VALUE);
        assertThat(actions.extractTimestamp(raw(new byte[] {1, 2, 3}), 42L))
                .isEqualTo(Long.MIN_VALUE);
        assertThat(actions.extractTimestamp(raw(null), 42L)).isEqualTo(Long.MIN_VALUE);
    }
}
