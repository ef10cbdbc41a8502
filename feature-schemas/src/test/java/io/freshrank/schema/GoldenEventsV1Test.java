package io.freshrank.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.Impression;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.ListCandidate;
import io.freshrank.schema.avro.ListExample;
import io.freshrank.schema.avro.Prediction;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.DisabledIf;

/**
 * Payloads written with the v1 schemas stay readable: {@code
 * src/test/resources/golden/v1/<Record>.bin} hold single-object bytes of {@link SampleEvents}
 * written once, while v1 was the current schema, and are never regenerated. Each test decodes one
 * file with today's codec and checks every field against literals (not against {@link
 * SampleEvents}, which may change).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GoldenEventsV1Test {
    private static final GoldenEvents GOLDEN = new GoldenEvents(1);
    private static final long T0 = 1_700_000_000_000L;

    static boolean allGoldenFilesExist() {
        return GOLDEN.allExist(SampleEvents.all());
    }

    /**
     * Writes the golden files that are missing (first run only). Skipped once all exist; a golden
     * file is a released artifact and must never be rewritten.
     */
    @Test
    @Order(1)
    @DisabledIf("allGoldenFilesExist")
    void writeMissingGoldenFiles() throws IOException {
        GOLDEN.writeMissing(SampleEvents.all());
    }

    @Test
    @Order(2)
    void impressionV1() throws IOException {
        Impression imp = GOLDEN.decode(Impression.class);

        assertThat(imp.getImpressionId()).isEqualTo("imp-0001");
        assertThat(imp.getRequestId()).isEqualTo("req-0001");
        assertThat(imp.getEventTimeMs()).isEqualTo(T0);
        assertThat(imp.getPosition()).isEqualTo(3);
        GoldenEvents.assertSampleFeatures(imp.getFeatures());
        assertThat(imp.getOracleProbability()).isEqualTo(0.25f);
        assertThat(imp.getHoldout()).isTrue();
    }

    @Test
    @Order(2)
    void actionV1() throws IOException {
        Action action = GOLDEN.decode(Action.class);

        assertThat(action.getActionId()).isEqualTo("act-0001");
        assertThat(action.getImpressionId()).isEqualTo("imp-0001");
        assertThat(action.getType()).isEqualTo(ActionType.DWELL);
        assertThat(action.getEventTimeMs()).isEqualTo(T0 + 5_000L);
        assertThat(action.getValue()).isEqualTo(4.5f);
    }

    @Test
    @Order(2)
    void labeledExampleV1() throws IOException {
        LabeledExample ex = GOLDEN.decode(LabeledExample.class);

        assertThat(ex.getExampleId()).isEqualTo("imp-0001");
        assertThat(ex.getRequestId()).isEqualTo("req-0001");
        assertThat(ex.getImpressionTimeMs()).isEqualTo(T0);
        assertThat(ex.getEmitTimeMs()).isEqualTo(T0 + 60_000L);
        assertThat(ex.getPosition()).isEqualTo(3);
        GoldenEvents.assertSampleFeatures(ex.getFeatures());
        assertThat(ex.getLabels()).containsOnly(entry("click", 1f), entry("dwell", 4.5f));
        assertThat(ex.getOracleProbability()).isEqualTo(0.25f);
        assertThat(ex.getHoldout()).isTrue();
        assertThat(ex.getSamplingRate()).isEqualTo(0.5f);
        assertThat(ex.getEmission())
                .as("v1 has no emission field: the v2 default")
                .isEqualTo(EmissionKind.WINDOW_CLOSE);
    }

    @Test
    @Order(2)
    void predictionV1() throws IOException {
        Prediction p = GOLDEN.decode(Prediction.class);

        assertThat(p.getExampleId()).isEqualTo("imp-0001");
        assertThat(p.getRequestId()).isEqualTo("req-0001");
        assertThat(p.getScore()).isEqualTo(0.375f);
        assertThat(p.getLabel()).isEqualTo(1f);
        assertThat(p.getOracleProbability()).isEqualTo(0.25f);
        assertThat(p.getHoldout()).isTrue();
        assertThat(p.getImpressionTimeMs()).isEqualTo(T0);
        assertThat(p.getEmitTimeMs()).isEqualTo(T0 + 60_000L);
        assertThat(p.getTrainedAtMs()).isEqualTo(T0 + 61_000L);
        assertThat(p.getBatchId()).isEqualTo(42L);
        assertThat(p.getTrainerSubtask()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void deadLetterV1() throws IOException {
        DeadLetter dl = GOLDEN.decode(DeadLetter.class);

        assertThat(dl.getReason()).isEqualTo("UNDECODABLE");
        assertThat(dl.getDetail()).isEqualTo("bad header: Unrecognized header bytes: 0x00 0x01");
        assertThat(dl.getSourceTopic()).isEqualTo("impressions");
        assertThat(dl.getPartition()).isEqualTo(2);
        assertThat(dl.getOffset()).isEqualTo(123_456_789L);
        assertThat(dl.getStage()).isEqualTo("ingest");
        assertThat(dl.getTimestampMs()).isEqualTo(T0 + 123L);
        ByteBuffer payload = dl.getPayload();
        byte[] payloadBytes = new byte[payload.remaining()];
        payload.duplicate().get(payloadBytes);
        assertThat(payloadBytes).containsExactly(0x00, 0x01, 0x7f, 0x80, 0xff);
    }

    @Test
    @Order(2)
    void listExampleV1() throws IOException {
        ListExample list = GOLDEN.decode(ListExample.class);

        assertThat(list.getRequestId()).isEqualTo("req-0001");
        assertThat(list.getEmitTimeMs()).isEqualTo(T0 + 61_005L);
        assertThat(list.getListSize()).isEqualTo(2);
        assertThat(list.getOverflowCount()).isEqualTo(3);
        assertThat(list.getCandidates()).hasSize(2);

        ListCandidate a = list.getCandidates().get(0);
        assertThat(a.getExampleId()).isEqualTo("imp-0001");
        assertThat(a.getImpressionTimeMs()).isEqualTo(T0);
        assertThat(a.getEmitTimeMs()).isEqualTo(T0 + 60_000L);
        assertThat(a.getPosition()).isEqualTo(3);
        GoldenEvents.assertSampleFeatures(a.getFeatures());
        assertThat(a.getLabels()).containsOnly(entry("click", 1f), entry("dwell", 4.5f));
        assertThat(a.getOracleProbability()).isEqualTo(0.25f);
        assertThat(a.getHoldout()).isTrue();
        assertThat(a.getSamplingRate()).isEqualTo(0.5f);
        assertThat(a.getEmission()).isEqualTo(EmissionKind.EARLY_POSITIVE);

        ListCandidate b = list.getCandidates().get(1);
        assertThat(b.getExampleId()).isEqualTo("imp-0002");
        assertThat(b.getImpressionTimeMs()).isEqualTo(T0 + 5L);
        assertThat(b.getEmitTimeMs()).isEqualTo(T0 + 60_005L);
        assertThat(b.getPosition()).isEqualTo(7);
        assertThat(b.getFeatures().getCategorical()).isEmpty();
        assertThat(b.getFeatures().getSequences()).isEmpty();
        assertThat(b.getFeatures().getNumeric()).isEmpty();
        assertThat(b.getLabels()).containsOnly(entry("click", 0f));
        assertThat(b.getOracleProbability()).isNull();
        assertThat(b.getHoldout()).isFalse();
        assertThat(b.getSamplingRate()).isEqualTo(1f);
        assertThat(b.getEmission()).isEqualTo(EmissionKind.WINDOW_CLOSE);
    }
}
