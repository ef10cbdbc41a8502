package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.join.JoinHarness.Dead;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-action attribution windows ({@code freshrank.join.windows}) on the keyed operator harness:
 * each action counts only inside its own type's window; WINDOW waits for the longest window, the
 * click-driven policies close with the click window; every example carries every label.
 */
class PerActionWindowsTest {
    private static final long T0 = 1_767_225_600_000L;
    private static final long CLICK = 10_000;
    private static final long LIKE = 4_000;
    private static final long CONVERSION = 30_000;
    private static final long GRACE = 5_000;

    private static JoinConfig config(EmissionPolicy policy) {
        return JoinHarness.config(CLICK, GRACE, policy)
                .withWindows(
                        AttributionWindows.parse(
                                "like=4s,conversion=30s", Duration.ofMillis(CLICK)));
    }

    @Test
    void eachActionCountsOnlyInsideItsOwnWindowAndWindowWaitsForTheLongest() throws Exception {
        try (JoinHarness h = JoinHarness.open(config(EmissionPolicy.WINDOW))) {
            h.impression("in", T0);
            h.action("in", "like-in", ActionType.LIKE, T0 + LIKE, 1f); // last ms inside
            h.click("in", "click-in", T0 + CLICK);
            h.action("in", "conv-in", ActionType.CONVERSION, T0 + CONVERSION, 1f);
            h.action("in", "dwell-in", ActionType.DWELL, T0 + CLICK, 3f);

            h.impression("out", T0);
            h.action("out", "like-out", ActionType.LIKE, T0 + LIKE + 1, 1f); // first ms outside
            h.click("out", "click-out", T0 + CLICK + 1);
            h.action("out", "dwell-out", ActionType.DWELL, T0 + CLICK + 1, 3f);
            h.action("out", "conv-out", ActionType.CONVERSION, T0 + CLICK + 1, 1f); // inside

            h.watermark(T0 + CLICK + 1_000);
            assertThat(h.emitted()).as("nothing before the longest window closes").isEmpty();
            h.watermark(T0 + CONVERSION);

            List<LabeledExample> out = h.emitted();
            assertThat(out).hasSize(2);
            LabeledExample in = JoinLabelsFunctionTest.example(out, "in");
            assertThat(in.getEmission()).isEqualTo(EmissionKind.WINDOW_CLOSE);
            assertThat(in.getEmitTimeMs()).isEqualTo(T0 + CONVERSION);
            assertThat(in.getLabels()).isEqualTo(JoinHarness.labels(1f, 1f, 1f, 3f));
            assertThat(JoinLabelsFunctionTest.example(out, "out").getLabels())
                    .isEqualTo(JoinHarness.labels(0f, 0f, 1f, 0f));
            assertThat(h.deadLetters()).isEmpty();
        }
    }

    @Test
    void earlyPositiveClosesWithTheClickWindowAndCarriesTheLabelsKnownThen() throws Exception {
        try (JoinHarness h = JoinHarness.open(config(EmissionPolicy.EARLY_POSITIVE))) {
            h.impression("a", T0);
            h.action("a", "like-a", ActionType.LIKE, T0 + 1_000, 1f);
            h.click("a", "click-a", T0 + 2_000);
            h.action("a", "conv-a", ActionType.CONVERSION, T0 + 20_000, 1f); // after emission

            h.impression("b", T0);
            h.action("b", "conv-b", ActionType.CONVERSION, T0 + 3_000, 1f);
            h.watermark(T0 + CLICK);
            // the conversion window (30 s) is still open, but b closed with the click window
            h.action("b", "conv-b2", ActionType.CONVERSION, T0 + 20_000, 1f);
            h.watermark(T0 + CONVERSION + 3 * GRACE);

            List<LabeledExample> out = h.emitted();
            assertThat(out)
                    .extracting(LabeledExample::getEmission)
                    .containsExactlyInAnyOrder(
                            EmissionKind.EARLY_POSITIVE, EmissionKind.WINDOW_CLOSE);
            assertThat(JoinLabelsFunctionTest.example(out, "a").getLabels())
                    .isEqualTo(JoinHarness.labels(1f, 1f, 0f, 0f));
            LabeledExample b = JoinLabelsFunctionTest.example(out, "b");
            assertThat(b.getEmitTimeMs()).isEqualTo(T0 + CLICK);
            assertThat(b.getLabels()).containsEntry("click", 0f).containsEntry("conversion", 1f);
            assertThat(h.deadLetters()).containsExactly(new Dead("LATE", "conv-b2"));
        }
    }

    @Test
    void fakeNegativesCarryEveryLabelAtZero() throws Exception {
        try (JoinHarness h = JoinHarness.open(config(EmissionPolicy.FAKE_NEGATIVE))) {
            h.impression("a", T0);
            h.action("a", "like-late", ActionType.LIKE, T0 + LIKE + 500, 1f); // outside like's
            h.click("a", "click-a", T0 + 6_000);
            h.watermark(T0 + CONVERSION + 3 * GRACE);

            List<LabeledExample> out = h.emitted();
            assertThat(out)
                    .extracting(LabeledExample::getEmission)
                    .containsExactly(EmissionKind.FAKE_NEGATIVE, EmissionKind.CORRECTION);
            assertThat(out.get(0).getLabels()).isEqualTo(JoinHarness.labels(0f, 0f, 0f, 0f));
            assertThat(out.get(1).getLabels()).containsEntry("click", 1f).containsEntry("like", 0f);
        }
    }
}
