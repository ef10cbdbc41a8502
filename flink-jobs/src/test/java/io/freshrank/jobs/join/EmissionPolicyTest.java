package io.freshrank.jobs.join;

import static io.freshrank.jobs.join.JoinLabelsFunctionTest.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.join.JoinHarness.Dead;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract of each {@link EmissionPolicy} (see the package doc) on Flink's keyed operator
 * harness: what is emitted when, with which labels and emit time; duplicates, actions before their
 * impression, late actions and orphans.
 */
class EmissionPolicyTest {
    private static final long WINDOW = 10_000;
    private static final long GRACE = 5_000;
    private static final long T0 = 1_767_225_600_000L;

    // ---- EARLY_POSITIVE ------------------------------------------------------------------------

    @Test
    void earlyPositiveIsEmittedAtTheFirstClickAndNothingFollows() throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, EmissionPolicy.EARLY_POSITIVE)) {
            h.impression("a", T0);
            h.action("a", "like-a", ActionType.LIKE, T0 + 1_000, 1f);
            assertThat(h.emitted()).isEmpty();

            h.click("a", "click-a", T0 + 3_000); // no watermark needed
            List<LabeledExample> out = h.emitted();
            assertThat(out).hasSize(1);
            LabeledExample a = out.get(0);
            assertThat(a.getExampleId()).isEqualTo("a");
            assertThat(a.getEmission()).isEqualTo(EmissionKind.EARLY_POSITIVE);
            assertThat(a.getEmitTimeMs()).isEqualTo(T0 + 3_000);
            assertThat(a.getImpressionTimeMs()).isEqualTo(T0);
            assertThat(a.getRequestId()).isEqualTo("r-a");
            assertThat(a.getLabels()).isEqualTo(JoinHarness.labels(1.0f, 1.0f, 0.0f, 0.0f));

            // later actions inside the window are not re-emitted (their labels are lost)
            h.action("a", "dwell-a", ActionType.DWELL, T0 + 4_000, 7f);
            h.click("a", "click-a2", T0 + 5_000);
            h.watermark(T0 + WINDOW + GRACE + 1);
            assertThat(h.emitted()).hasSize(1);
            assertThat(h.deadLetters()).isEmpty();
        }
    }

    @Test
    void earlyPositiveWithoutAClickIsANegativeAtWindowCloseWithItsOtherLabels() throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, EmissionPolicy.EARLY_POSITIVE)) {
            h.impression("b", T0);
            h.action("b", "dwell-b", ActionType.DWELL, T0 + 2_000, 2.5f);
            h.watermark(T0 + WINDOW - 1);
            assertThat(h.emitted()).isEmpty();

            h.watermark(T0 + WINDOW);
            LabeledExample b = example(h.emitted(), "b");
            assertThat(b.getEmission()).isEqualTo(EmissionKind.WINDOW_CLOSE);
            assertThat(b.getEmitTimeMs()).isEqualTo(T0 + WINDOW);
            assertThat(b.getLabels()).isEqualTo(JoinHarness.labels(0.0f, 0.0f, 0.0f, 2.5f));
            assertThat(h.emitted()).hasSize(1);
        }
    }

    @Test
    void earlyPositiveOfAClickBeforeItsImpressionIsEmittedWhenTheImpressionArrives()
            throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, EmissionPolicy.EARLY_POSITIVE)) {
            h.click("a", "click-late-2", T0 + 900); // arrival order differs from event order
            h.click("a", "click-early", T0 + 500);
            assertThat(h.emitted()).isEmpty();

            h.impression("a", T0);
            List<LabeledExample> out = h.emitted();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getEmission()).isEqualTo(EmissionKind.EARLY_POSITIVE);
            assertThat(out.get(0).getEmitTimeMs())
                    .as("the earliest attributed click")
                    .isEqualTo(T0 + 500);
            h.watermark(T0 + WINDOW + GRACE + 1);
            assertThat(h.emitted()).hasSize(1);
            assertThat(h.deadLetters()).isEmpty();
        }
    }

    @Test
    void clicksOutsideTheWindowTriggerNoEarlyEmission() throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, EmissionPolicy.EARLY_POSITIVE)) {
            h.impression("a", T0);
            h.click("a", "before", T0 - 1); // happened before the impression
            h.click("a", "after", T0 + WINDOW + 1); // arrives in time, happened after the window
            assertThat(h.emitted()).isEmpty();

            h.watermark(T0 + WINDOW);
            LabeledExample a = example(h.emitted(), "a");
            assertThat(a.getEmission()).isEqualTo(EmissionKind.WINDOW_CLOSE);
            assertThat(a.getLabels()).isEqualTo(JoinHarness.labels(0.0f, 0.0f, 0.0f, 0.0f));
        }
    }

    // ---- FAKE_NEGATIVE -------------------------------------------------------------------------

    @Test
    void fakeNegativeIsEmittedOnArrivalAndAClickAddsExactlyOneCorrection() throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, EmissionPolicy.FAKE_NEGATIVE)) {
            h.impression("a", T0);
            h.impression("b", T0 + 100);
            List<LabeledExample> out = h.emitted();
            assertThat(out)
                    .extracting(LabeledExample::getExampleId, LabeledExample::getEmission)
                    .containsExactly(
                            tuple("a", EmissionKind.FAKE_NEGATIVE),
                            tuple("b", EmissionKind.FAKE_NEGATIVE));
            assertThat(out.get(0).getEmitTimeMs()).isEqualTo(T0);
            assertThat(out.get(0).getLabels())
                    .isEqualTo(JoinHarness.labels(0.0f, 0.0f, 0.0f, 0.0f));
            assertThat(out.get(1).getEmitTimeMs()).isEqualTo(T0 + 100);

            h.action("a", "like-a", ActionType.LIKE, T0 + 1_000, 1f);
            h.action("b", "like-b", ActionType.LIKE, T0 + 1_000, 1f);
            assertThat(h.emitted()).hasSize(2);

            h.click("a", "click-a", T0 + 3_000);
            out = h.emitted();
            assertThat(out).hasSize(3);
            LabeledExample correction = out.get(2);
            assertThat(correction.getExampleId()).isEqualTo("a");
            assertThat(correction.getEmission()).isEqualTo(EmissionKind.CORRECTION);
            assertThat(correction.getEmitTimeMs()).isEqualTo(T0 + 3_000);
            assertThat(correction.getImpressionTimeMs()).isEqualTo(T0);
            assertThat(correction.getFeatures()).isEqualTo(out.get(0).getFeatures());
            assertThat(correction.getLabels())
                    .isEqualTo(JoinHarness.labels(1.0f, 1.0f, 0.0f, 0.0f));

            h.click("a", "click-a2", T0 + 4_000); // a second click: no second correction
            h.watermark(T0 + 100 + WINDOW + GRACE + 1); // nothing at window close
            assertThat(h.emitted()).hasSize(3);
            assertThat(h.deadLetters()).isEmpty();
        }
    }

    @Test
    void fakeNegativeOfAClickBeforeItsImpressionIsCorrectedAtOnce() throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, EmissionPolicy.FAKE_NEGATIVE)) {
            h.click("a", "early", T0 + 500);
            assertThat(h.emitted()).isEmpty();

            h.impression("a", T0);
            assertThat(h.emitted())
                    .extracting(LabeledExample::getEmission, LabeledExample::getEmitTimeMs)
                    .containsExactly(
                            tuple(EmissionKind.FAKE_NEGATIVE, T0),
                            tuple(EmissionKind.CORRECTION, T0 + 500));
        }
    }

    @Test
    void fakeNegativeClickAfterWindowCloseIsLateNotACorrection() throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, EmissionPolicy.FAKE_NEGATIVE)) {
            h.impression("a", T0);
            h.watermark(T0 + WINDOW);
            h.click("a", "late", T0 + WINDOW - 1); // happened inside, arrived after close
            assertThat(h.emitted())
                    .extracting(LabeledExample::getEmission)
                    .containsExactly(EmissionKind.FAKE_NEGATIVE);
            assertThat(h.deadLetters()).containsExactly(new Dead("LATE", "late"));
        }
    }

    // ---- every policy --------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(EmissionPolicy.class)
    void duplicatesAreIgnoredAndTheContractHolds(EmissionPolicy policy) throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, policy)) {
            h.impression("a", T0);
            h.impression("a", T0);
            h.click("a", "c1", T0 + 1_000);
            h.click("a", "c1", T0 + 1_000);
            h.impression("a", T0);
            h.watermark(T0 + WINDOW);
            h.impression("a", T0); // after close, inside the grace period
            h.click("a", "c1", T0 + 1_000); // a duplicate after close is not late
            h.watermark(T0 + WINDOW + 2 * GRACE);

            List<EmissionKind> kinds =
                    h.emitted().stream().map(LabeledExample::getEmission).toList();
            switch (policy) {
                case WINDOW -> assertThat(kinds).containsExactly(EmissionKind.WINDOW_CLOSE);
                case EARLY_POSITIVE ->
                        assertThat(kinds).containsExactly(EmissionKind.EARLY_POSITIVE);
                case FAKE_NEGATIVE ->
                        assertThat(kinds)
                                .containsExactly(
                                        EmissionKind.FAKE_NEGATIVE, EmissionKind.CORRECTION);
            }
            assertThat(h.emitted())
                    .filteredOn(e -> e.getEmission() != EmissionKind.FAKE_NEGATIVE)
                    .allSatisfy(e -> assertThat(e.getLabels()).containsEntry("click", 1f));
            assertThat(h.deadLetters()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(EmissionPolicy.class)
    void actionsAfterCloseAreLateAndOrphansAreDeadLettered(EmissionPolicy policy) throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, policy)) {
            h.impression("a", T0);
            h.click("ghost", "orphan-1", T0 + 600);
            h.action("ghost", "orphan-2", ActionType.LIKE, T0 + 700, 1f);
            h.action("ghost", "orphan-2", ActionType.LIKE, T0 + 700, 1f); // duplicate
            h.watermark(T0 + WINDOW);
            int emittedAtClose = h.emitted().size();
            h.click("a", "late-click", T0 + 2_000);
            h.action("a", "late-like", ActionType.LIKE, T0 + WINDOW + 1_000, 1f);
            h.watermark(T0 + WINDOW + 2 * GRACE);

            assertThat(h.emitted()).hasSize(emittedAtClose).hasSize(1);
            assertThat(h.emitted().get(0).getLabels()).containsEntry("click", 0f);
            assertThat(h.deadLetters())
                    .containsExactlyInAnyOrder(
                            new Dead("LATE", "late-click"),
                            new Dead("LATE", "late-like"),
                            new Dead("ORPHAN_ACTION", "orphan-1"),
                            new Dead("ORPHAN_ACTION", "orphan-2"));
        }
    }

    @ParameterizedTest
    @EnumSource(EmissionPolicy.class)
    void anActionAfterTheTombstoneExpiredIsAnOrphan(EmissionPolicy policy) throws Exception {
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, policy)) {
            h.impression("a", T0);
            h.watermark(T0 + WINDOW + GRACE); // closed and forgotten
            h.click("a", "very-late", T0 + 1_000);
            h.watermark(T0 + WINDOW + 3 * GRACE);
            assertThat(h.emitted()).hasSize(1);
            assertThat(h.deadLetters()).containsExactly(new Dead("ORPHAN_ACTION", "very-late"));
        }
    }

    // ---- configuration -------------------------------------------------------------------------

    @Test
    void theOptionDefaultsToWindowAndIsParsedIntoTheConfig() {
        Configuration conf = new Configuration();
        assertThat(JoinConfig.from(conf).emissionPolicy()).isEqualTo(EmissionPolicy.WINDOW);

        conf.set(FreshrankOptions.EMISSION_POLICY, "fake-negative");
        assertThat(JoinConfig.from(conf).emissionPolicy()).isEqualTo(EmissionPolicy.FAKE_NEGATIVE);
        conf.set(FreshrankOptions.EMISSION_POLICY, " Early_Positive ");
        assertThat(JoinConfig.from(conf).emissionPolicy()).isEqualTo(EmissionPolicy.EARLY_POSITIVE);
    }

    @Test
    void anUnknownPolicyNamesTheKeyAndTheAllowedValues() {
        Configuration conf = new Configuration();
        conf.set(FreshrankOptions.EMISSION_POLICY, "EAGER");
        assertThatThrownBy(() -> JoinConfig.from(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("freshrank.join.emission-policy")
                .hasMessageContaining("[WINDOW, EARLY_POSITIVE, FAKE_NEGATIVE]")
                .hasMessageContaining("EAGER");
        assertThatThrownBy(() -> JoinConfig.of(Duration.ofSeconds(1), Duration.ZERO, null))
                .hasMessageContaining("freshrank.join.emission-policy");
    }
}
