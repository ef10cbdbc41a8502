package io.freshrank.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.freshrank.schema.SampleEvents.Sample;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import java.io.IOException;
import java.util.List;
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
    private static final GoldenEvents GOLDEN = new GoldenEvents(2);
    private static final long T0 = 1_700_000_000_000L;

    /** The samples of the records that have a released v2. */
    static List<Sample<?>> samplesWithV2() {
        return SampleEvents.all().stream()
                .filter(s -> SchemaHistory.versions(s.recordName()).size() >= 2)
                .toList();
    }

    static boolean allGoldenFilesExist() {
        return GOLDEN.allExist(samplesWithV2());
    }

    /**
     * Writes the golden files that are missing (first run only). Skipped once all exist; a golden
     * file is a released artifact and must never be rewritten.
     */
    @Test
    @Order(1)
    @DisabledIf("allGoldenFilesExist")
    void writeMissingGoldenFiles() throws IOException {
        GOLDEN.writeMissing(samplesWithV2());
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
        assertThat(ex.getEmission()).isEqualTo(EmissionKind.CORRECTION);
    }
}
