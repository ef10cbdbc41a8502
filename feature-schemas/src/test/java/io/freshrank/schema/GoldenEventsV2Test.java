package io.freshrank.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.freshrank.schema.SampleEvents.Sample;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.LabeledExample;
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
 * Payloads written with the v2 schemas stay readable: {@code
 * src/test/resources/golden/v2/<Record>.bin} hold single-object bytes of {@link SampleEvents}
 * written once, while v2 was the current schema of that record, and are never regenerated. Only
 * records that have a v2 have a file here (today {@link LabeledExample}, v2 added {@code
 * emission}). Each test decodes one file with today's codec and checks every field against literals
 * (not against {@link SampleEvents}, which may change).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GoldenEventsV2Test {
    private static final Path GOLDEN_DIR =
            Path.of(System.getProperty("basedir", "")).resolve("src/test/resources/golden/v2");
    private static final long T0 = 1_700_000_000_000L;

    private static Path goldenFile(String recordName) {
        return GOLDEN_DIR.resolve(recordName + ".bin");
    }

    /** The samples of the records that have a released v2. */
    static List<Sample<?>> samplesWithV2() {
        return SampleEvents.all().stream()
                .filter(s -> SchemaHistory.versions(s.recordName()).size() >= 2)
                .toList();
    }

    static boolean allGoldenFilesExist() {
        return samplesWithV2().stream().allMatch(s -> Files.exists(goldenFile(s.recordName())));
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
        for (Sample<?> sample : samplesWithV2()) {
            Path file = goldenFile(sample.recordName());
            if (Files.exists(file)) {
                continue;
            }
            long v2 = SchemaHistory.fingerprint(SchemaHistory.versions(sample.recordName()).get(1));
            assertThat(SchemaHistory.fingerprint(sample.value().getSchema()))
                    .as(
                            "%s is missing but the current %s schema is no longer v2; restore the"
                                    + " file from version control instead of regenerating it",
                            file, sample)
                    .isEqualTo(v2);
            Files.write(file, encode(sample), StandardOpenOption.CREATE_NEW);
        }
    }

    private static <T extends SpecificRecord> byte[] encode(Sample<T> sample) {
        return EventCodec.of(sample.type()).encode(sample.value());
    }

    /** Reads a golden file, checks it was written with the v2 schema, decodes it. */
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
                .as("%s must carry the fingerprint of history %s/v2.avsc", file, name)
                .isEqualTo(SchemaHistory.fingerprint(SchemaHistory.versions(name).get(1)));

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
    void onlyLabeledExampleHasAV2() {
        assertThat(samplesWithV2())
                .extracting(Sample::recordName)
                .containsExactly("LabeledExample");
    }

    @Test
    @Order(2)
    void labeledExampleV2() throws IOException {
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
        assertThat(ex.getEmission()).isEqualTo(EmissionKind.CORRECTION);
    }
}
