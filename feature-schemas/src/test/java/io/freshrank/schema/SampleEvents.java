package io.freshrank.schema;

import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.ListCandidate;
import io.freshrank.schema.avro.ListExample;
import io.freshrank.schema.avro.Prediction;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Fixed, fully populated example events for codec, golden-file and validator tests. Every field,
 * including every field with a default, holds a non-default value, so a round trip that drops a
 * field shows up. Floats are exactly representable so equality is exact. Each call returns a fresh
 * instance.
 */
public final class SampleEvents {
    public static final long IMPRESSION_TIME_MS = 1_700_000_000_000L;

    private SampleEvents() {}

    /** One example of a record type, named after the type in parameterized test names. */
    public record Sample<T extends SpecificRecord>(Class<T> type, T value) {
        public String recordName() {
            return type.getSimpleName();
        }

        @Override
        public String toString() {
            return recordName();
        }
    }

    /** One sample of each of the six event records, in a fixed order. */
    public static List<Sample<?>> all() {
        return List.of(
                new Sample<>(Impression.class, impression()),
                new Sample<>(Action.class, action()),
                new Sample<>(LabeledExample.class, labeledExample()),
                new Sample<>(Prediction.class, prediction()),
                new Sample<>(DeadLetter.class, deadLetter()),
                new Sample<>(ListExample.class, listExample()));
    }

    /** Raw features with two categorical values (one non-ASCII), one sequence, two numerics. */
    public static Features features() {
        Map<String, String> categorical = new LinkedHashMap<>();
        categorical.put("user_id", "u42");
        categorical.put("device", "Zürich-tablet");
        Map<String, List<String>> sequences = new LinkedHashMap<>();
        sequences.put("recent_categories", List.of("sports", "news"));
        Map<String, Float> numeric = new LinkedHashMap<>();
        numeric.put("item_age_hours", 12.5f);
        numeric.put("price", -3.25f);
        return Features.newBuilder()
                .setCategorical(categorical)
                .setSequences(sequences)
                .setNumeric(numeric)
                .build();
    }

    public static Impression impression() {
        return Impression.newBuilder()
                .setImpressionId("imp-0001")
                .setRequestId("req-0001")
                .setEventTimeMs(IMPRESSION_TIME_MS)
                .setPosition(3)
                .setFeatures(features())
                .setOracleProbability(0.25f)
                .setHoldout(true)
                .build();
    }

    public static Action action() {
        return Action.newBuilder()
                .setActionId("act-0001")
                .setImpressionId("imp-0001")
                .setType(ActionType.DWELL)
                .setEventTimeMs(IMPRESSION_TIME_MS + 5_000L)
                .setValue(4.5f)
                .build();
    }

    public static LabeledExample labeledExample() {
        Map<String, Float> labels = new LinkedHashMap<>();
        labels.put("click", 1f);
        labels.put("dwell", 4.5f);
        return LabeledExample.newBuilder()
                .setExampleId("imp-0001")
                .setRequestId("req-0001")
                .setImpressionTimeMs(IMPRESSION_TIME_MS)
                .setEmitTimeMs(IMPRESSION_TIME_MS + 60_000L)
                .setPosition(3)
                .setFeatures(features())
                .setLabels(labels)
                .setOracleProbability(0.25f)
                .setHoldout(true)
                .setSamplingRate(0.5f)
                .setEmission(EmissionKind.CORRECTION)
                .build();
    }

    public static Prediction prediction() {
        return Prediction.newBuilder()
                .setExampleId("imp-0001")
                .setRequestId("req-0001")
                .setScore(0.375f)
                .setLabel(1f)
                .setOracleProbability(0.25f)
                .setHoldout(true)
                .setImpressionTimeMs(IMPRESSION_TIME_MS)
                .setEmitTimeMs(IMPRESSION_TIME_MS + 60_000L)
                .setTrainedAtMs(IMPRESSION_TIME_MS + 61_000L)
                .setBatchId(42L)
                .setTrainerSubtask(1)
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setReason("UNDECODABLE")
                .setDetail("bad header: Unrecognized header bytes: 0x00 0x01")
                .setSourceTopic("impressions")
                .setPartition(2)
                .setOffset(123_456_789L)
                .setStage("ingest")
                .setTimestampMs(IMPRESSION_TIME_MS + 123L)
                .setPayload(
                        ByteBuffer.wrap(new byte[] {0x00, 0x01, 0x7f, (byte) 0x80, (byte) 0xff}))
                .build();
    }

    /** A list of two candidates: the labeled example's fields at position 3, and a bare one. */
    public static ListExample listExample() {
        LabeledExample first = labeledExample();
        ListCandidate a =
                ListCandidate.newBuilder()
                        .setExampleId(first.getExampleId())
                        .setImpressionTimeMs(first.getImpressionTimeMs())
                        .setEmitTimeMs(first.getEmitTimeMs())
                        .setPosition(first.getPosition())
                        .setFeatures(first.getFeatures())
                        .setLabels(first.getLabels())
                        .setOracleProbability(first.getOracleProbability())
                        .setHoldout(true)
                        .setSamplingRate(0.5f)
                        .setEmission(EmissionKind.EARLY_POSITIVE)
                        .build();
        ListCandidate b =
                ListCandidate.newBuilder()
                        .setExampleId("imp-0002")
                        .setImpressionTimeMs(IMPRESSION_TIME_MS + 5L)
                        .setEmitTimeMs(IMPRESSION_TIME_MS + 60_005L)
                        .setPosition(7)
                        .setFeatures(Features.newBuilder().build())
                        .setLabels(Map.of("click", 0f))
                        .setOracleProbability(null)
                        .setHoldout(false)
                        .setSamplingRate(1f)
                        .setEmission(EmissionKind.WINDOW_CLOSE)
                        .build();
        return ListExample.newBuilder()
                .setRequestId("req-0001")
                .setEmitTimeMs(IMPRESSION_TIME_MS + 61_005L)
                .setListSize(2)
                .setOverflowCount(3)
                .setCandidates(List.of(a, b))
                .build();
    }
}
