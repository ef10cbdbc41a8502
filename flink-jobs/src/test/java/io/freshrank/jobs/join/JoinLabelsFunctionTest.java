package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The join's contract under the default {@link EmissionPolicy#WINDOW} policy on Flink's keyed
 * operator harness (event time driven by explicit watermarks).
 */
class JoinLabelsFunctionTest {
    private static final long WINDOW = 10_000;
    private static final long GRACE = 5_000;
    private static final long T0 = 1_767_225_600_000L;

    private JoinHarness harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = JoinHarness.open(WINDOW, GRACE, EmissionPolicy.WINDOW);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void clickInsideWindowGivesPositiveAndNoClickGivesNegativeAtWindowClose() throws Exception {
        harness.impression("a", T0);
        harness.impression("b", T0 + 100);
        harness.click("a", "click-a", T0 + 3_000);
        harness.watermark(T0 + WINDOW - 1);
        assertThat(harness.emitted()).isEmpty();

        harness.watermark(T0 + WINDOW + 100);
        List<LabeledExample> out = harness.emitted();
        assertThat(out).extracting(e -> e.getExampleId()).containsExactlyInAnyOrder("a", "b");
        assertThat(label(out, "a")).isEqualTo(1f);
        assertThat(label(out, "b")).isEqualTo(0f);
        assertThat(out)
                .extracting(LabeledExample::getEmission)
                .containsOnly(EmissionKind.WINDOW_CLOSE);
        assertThat(example(out, "a").getEmitTimeMs()).isEqualTo(T0 + WINDOW);
        assertThat(example(out, "b").getEmitTimeMs()).isEqualTo(T0 + 100 + WINDOW);
    }

    @Test
    void duplicatesAreIgnored() throws Exception {
        harness.impression("a", T0);
        harness.impression("a", T0);
        harness.click("a", "c1", T0 + 1_000);
        harness.click("a", "c1", T0 + 1_000);
        harness.watermark(T0 + WINDOW + 1);
        harness.impression("a", T0); // duplicate after emission, inside the grace period: ignored
        harness.click("a", "c1", T0 + 1_000); // duplicate after emission: ignored, not late
        harness.watermark(T0 + WINDOW + 2 * GRACE + 10);
        assertThat(harness.emitted()).hasSize(1);
        assertThat(harness.deadLetterReasons()).isEmpty();
    }

    @Test
    void clickAfterWindowIsNotAttributed() throws Exception {
        harness.impression("a", T0);
        // arrives before the window closes, happened after it
        harness.click("a", "late", T0 + WINDOW + 2_000);
        harness.watermark(T0 + WINDOW + 1);
        assertThat(label(harness.emitted(), "a")).isEqualTo(0f);
    }

    @Test
    void actionAfterEmissionIsDeadLetteredAsLate() throws Exception {
        harness.impression("a", T0);
        harness.watermark(T0 + WINDOW + 1);
        harness.click("a", "late", T0 + WINDOW + 2_000);
        assertThat(harness.emitted()).hasSize(1);
        assertThat(harness.deadLetterReasons()).containsExactly("LATE");
    }

    @Test
    void actionBeforeItsImpressionIsJoinedAndOrphansAreDeadLettered() throws Exception {
        harness.click("a", "early", T0 + 500); // arrives first, happened after the impression
        harness.impression("a", T0);
        harness.click("ghost", "orphan", T0 + 600);
        harness.watermark(T0 + WINDOW + GRACE + 1);
        assertThat(label(harness.emitted(), "a")).isEqualTo(1f);
        assertThat(harness.deadLetters())
                .containsExactly(new JoinHarness.Dead("ORPHAN_ACTION", "orphan"));
    }

    static LabeledExample example(List<LabeledExample> out, String id) {
        return out.stream()
                .filter(e -> e.getExampleId().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no example " + id + " in " + out));
    }

    static float label(List<LabeledExample> out, String id) {
        return example(out, id).getLabels().get("click");
    }
}
