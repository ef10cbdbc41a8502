package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.join.JoinHarness.Dead;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The join's state TTL (processing time, longest window + grace + margin) drops a waiting
 * impression whose timer never fired, so a lost timer cannot leak state; within the TTL nothing
 * changes.
 */
class JoinStateTtlTest {
    private static final long WINDOW = 10_000;
    private static final long GRACE = 5_000;
    private static final long T0 = 1_767_225_600_000L;

    private static final JoinConfig CONFIG =
            JoinHarness.config(WINDOW, GRACE, EmissionPolicy.WINDOW);
    private static final long TTL = CONFIG.stateTtl().toMillis();

    @Test
    void theTtlIsTheLongestWindowPlusGracePlusTheMargin() {
        assertThat(CONFIG.stateTtl()).isEqualTo(Duration.ofMillis(WINDOW + GRACE).plusDays(1));
    }

    @Test
    void anImpressionUnwrittenForTheTtlIsGone() throws Exception {
        try (JoinHarness h = JoinHarness.open(CONFIG)) {
            h.stateTtlTime(0);
            h.impression("a", T0);
            h.impression("b", T0);
            h.stateTtlTime(TTL - 1);
            h.click("b", "click-b", T0 + 1_000); // b is written again: its TTL restarts
            h.stateTtlTime(TTL + 1);
            // a expired: its click finds no impression and becomes an orphan
            h.click("a", "click-a", T0 + 1_000);
            h.watermark(T0 + WINDOW + 3 * GRACE);

            assertThat(h.emitted())
                    .singleElement()
                    .satisfies(
                            e -> {
                                assertThat(e.getExampleId()).isEqualTo("b");
                                assertThat(e.getLabels()).containsEntry("click", 1f);
                            });
            assertThat(h.deadLetters()).containsExactly(new Dead("ORPHAN_ACTION", "click-a"));
        }
    }
}
