package io.freshrank.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.freshrank.schema.SampleEvents.Sample;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
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
    private static final Path GOLDEN_DIR =
            Path.of(System.getProperty("basedir", "")).resolve("src/test/resources/golden/v1");
    private static final long T0 = 1_700_000_000_000L;

    private static Path goldenFile(String recordName) {
        return GOLDEN_DIR.resolve(recordName + ".bin");
    }

    static boolean allGoldenFilesExist() {
        return SampleEvents.all().stream().allMatch(s -> Files.exists(goldenFile(s.recordName())));
    }

    /**
     * Writes the golden files that are missing (first run only). Skipped once all exist; a golden
     * file is a released artifact and must never be rewritten.
     */
    @Test
    @Order(1)
    @DisabledIf("allGoldenFilesExist")
    void writeMissingGoldenFiles() throws IOException {
        Files.createDirectories(GOLDEN_DIR);
        for (Sample<?> sample : SampleEvents.all()) {
            Path file = goldenFile(sample.recordName());
            if (Files.exists(file)) {
                continue;
            }
            long v1 = SchemaHistory.fingerprint(SchemaHistory.versions(sample.recordName()).get(0));
            assertThat(SchemaHistory.fingerprint(sample.value().getSchema()))
                    .as(
                            "%s is missing but the current %s schema is no longer v1; restore the"
                                    + " file from version control instead of regenerating it",
                            file, sample)
                    .isEqualTo(v1);
            Files.write(file, encode(sample), StandardOpenOption.CREATE_NEW);
        }
    }

    private static <T extends SpecificRecord> byte[] encode(Sample<T> sample) {
        return EventCodec.of(sample.type()).encode(sample.value());
    }

    /** Reads a golden file, checks it was written with the v1 schema, decodes it. */
    private static <T extends SpecificRecord> T decodeGolden(Class<T> type) throws IOException {
        String name = type.getSimpleName();
        Path file = goldenFile(name);
        assertThat(file).as("golden file of %s", name).exists();
        byte[] bytes = Files.readAllBytes(file);
        String seen = HexFormat.of().formatHex(bytes);

        assertThat(bytes.length).as("%s: %s", file, seen).isGreaterThan(10);
        assertThat(bytes[0]).as("magic byte 0 of %s", file).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).as("magic byte 1 of %s", file).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint)
                .as("%s must carry the fingerprint of history %s/v1.avsc", file, name)
                .isEqualTo(SchemaHistory.fingerprint(SchemaHistory.versions(name).get(0)));

        DecodeResult<T> result = EventCodec.of(type).decode(bytes);
        assertThat(result.isValid()).as("decode of %s (%s): %s", file, seen, result).isTrue();
        return result.value();
    }

    private static void assertSampleFeatures(Features f) {
        assertThat(f.getCategorical())
                .containsOnly(entry("user_id", "u42"), entry("device", "Zürich-tablet"));
        assertThat(f.getSequences())
                .containsOnly(entry("recent_categories", List.of("sports", "news")));
        assertThat(f.getNumeric())
                .containsOnly(entry("item_age_hours", 12.5f), entry("price", -3.25f));
    }

    @Test
    @Order(2)
    void impressionV1() throws IOException {
        Impression imp = decodeGolden(Impression.class);

        assertThat(imp.getImpressionId()).isEqualTo("imp-0001");
        assertThat(imp.getRequestId()).isEqualTo("req-0001");
        assertThat(imp.getEventTimeMs()).isEqualTo(T0);
        assertThat(imp.getPosition()).isEqualTo(3);
        assertSampleFeatures(imp.getFeatures());
        assertThat(imp.getOracleProbability()).isEqualTo(0.25f);
        assertThat(imp.getHoldout()).isTrue();
    }

    @Test
    @Order(2)
    void actionV1() throws IOException {
        Action action = decodeGolden(Action.class);

        assertThat(action.getActionId()).isEqualTo("act-0001");
        assertThat(action.getImpressionId()).isEqualTo("imp-0001");
        assertThat(action.getType()).isEqualTo(ActionType.DWELL);
        assertThat(action.getEventTimeMs()).isEqualTo(T0 + 5_000L);
        assertThat(action.getValue()).isEqualTo(4.5f);
    }

    @Test
    @Order(2)
    void labeledExampleV1() throws IOException {
        LabeledExample ex = decodeGolden(LabeledExample.class);

        assertThat(ex.getExampleId()).isEqualTo("imp-0001");
        assertThat(ex.getRequestId()).isEqualTo("req-0001");
        assertThat(ex.getImpressionTimeMs()).isEqualTo(T0);
        assertThat(ex.getEmitTimeMs()).isEqualTo(T0 + 60_000L);
        assertThat(ex.getPosition()).isEqualTo(3);
        assertSampleFeatures(ex.getFeatures());
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
        Prediction p = decodeGolden(Prediction.class);

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
        DeadLetter dl = decodeGolden(DeadLetter.class);

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
        ListExample list = decodeGolden(ListExample.class);

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
        assertSampleFeatures(a.getFeatures());
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
