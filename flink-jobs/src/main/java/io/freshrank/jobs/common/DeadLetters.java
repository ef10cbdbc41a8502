package io.freshrank.jobs.common;

import io.freshrank.schema.EventCodec;
import io.freshrank.schema.InvalidReason;
import io.freshrank.schema.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.util.OutputTag;

/**
 * The dead-letter contract: a record a job cannot use becomes a {@link DeadLetter} (reason, detail,
 * source coordinates, original payload) on the side output {@link #TAG}, which every pipeline sends
 * to the dead-letter topic, and is counted in the {@code numInvalidRecords} metric labelled by
 * reason. Never a crash, never silent.
 */
public final class DeadLetters {
    /** Side output carrying encoded dead letters. */
    public static final OutputTag<BytesRecord> TAG = new OutputTag<>("dead-letters") {};

    private static final ThreadLocal<EventCodec<DeadLetter>> CODEC =
            ThreadLocal.withInitial(() -> EventCodec.of(DeadLetter.class));

    private DeadLetters() {}

    /** An encoded dead letter for a record read from Kafka. */
    public static BytesRecord of(
            InvalidReason reason, String detail, String stage, RawRecord source, long nowMs) {
        return of(
                reason,
                detail,
                stage,
                source.topic,
                source.partition,
                source.offset,
                source.value,
                nowMs);
    }

    /** An encoded dead letter with explicit coordinates (-1 when unknown, e.g. after a join). */
    public static BytesRecord of(
            InvalidReason reason,
            String detail,
            String stage,
            String topic,
            int partition,
            long offset,
            byte[] payload,
            long nowMs) {
        DeadLetter dl =
                DeadLetter.newBuilder()
                        .setReason(reason.name())
                        .setDetail(detail == null ? "" : detail)
                        .setStage(stage)
                        .setSourceTopic(topic == null ? "" : topic)
                        .setPartition(partition)
                        .setOffset(offset)
                        .setTimestampMs(nowMs)
                        .setPayload(ByteBuffer.wrap(payload == null ? new byte[0] : payload))
                        .build();
        return new BytesRecord(
                reason.name().getBytes(StandardCharsets.UTF_8), CODEC.get().encode(dl));
    }
}
