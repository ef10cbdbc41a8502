package io.freshrank.jobs.join;

import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.ListCandidate;
import io.freshrank.schema.avro.ListExample;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Labeled examples as the join writes them, for the list assembly's tests. */
final class ListExamples {
    static final long T0 = 1_700_000_000_000L;
    static final long WINDOW_MS = 60_000L;
    static final long GRACE_MS = 2_000L;

    private static final EventCodec<LabeledExample> CODEC = EventCodec.of(LabeledExample.class);

    private ListExamples() {}

    static ListAssemblyConfig config(int maxListSize) {
        return new ListAssemblyConfig(
                Duration.ofMillis(WINDOW_MS),
                Duration.ofMillis(GRACE_MS),
                maxListSize,
                Duration.ofHours(1));
    }

    /** A WINDOW_CLOSE example of {@code requestId} shown at {@code impressionTimeMs}. */
    static LabeledExample windowClose(
            String requestId, String id, int position, long impressionTimeMs, float click) {
        return example(
                requestId,
                id,
                position,
                impressionTimeMs,
                impressionTimeMs + WINDOW_MS,
                click,
                EmissionKind.WINDOW_CLOSE);
    }

    static LabeledExample example(
            String requestId,
            String id,
            int position,
            long impressionTimeMs,
            long emitTimeMs,
            float click,
            EmissionKind kind) {
        return LabeledExample.newBuilder()
                .setExampleId(id)
                .setRequestId(requestId)
                .setImpressionTimeMs(impressionTimeMs)
                .setEmitTimeMs(emitTimeMs)
                .setPosition(position)
                .setFeatures(
                        Features.newBuilder()
                                .setCategorical(Map.of("item_id", "item-" + id, "user_id", "u1"))
                                .build())
                .setLabels(Map.of("click", click))
                .setOracleProbability(0.25f)
                .setHoldout(false)
                .setSamplingRate(1f)
                .setEmission(kind)
                .build();
    }

    static byte[] encode(LabeledExample ex) {
        return CODEC.encode(ex);
    }

    static ListInput input(LabeledExample ex) {
        return new ListAssembler(config(10)).input(encode(ex));
    }

    static List<String> ids(ListExample list) {
        return list.getCandidates().stream().map(ListCandidate::getExampleId).toList();
    }

    static List<Integer> positions(ListExample list) {
        return list.getCandidates().stream().map(ListCandidate::getPosition).toList();
    }
}
