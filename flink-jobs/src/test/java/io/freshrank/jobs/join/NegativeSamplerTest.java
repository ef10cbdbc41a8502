package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The hash coin of negative down-sampling. */
class NegativeSamplerTest {

    @Test
    void keepsAboutTheRateAndAlwaysTheSameIds() {
        NegativeSampler sampler = new NegativeSampler(0.25);
        NegativeSampler again = new NegativeSampler(0.25);
        int n = 100_000;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            String id = "imp-" + i;
            boolean keep = sampler.keep(id);
            assertThat(again.keep(id)).as(id).isEqualTo(keep);
            kept += keep ? 1 : 0;
        }
        // binomial standard deviation at n = 1e5, p = 0.25: 137; allow 5 of them
        assertThat(kept).isBetween(25_000 - 685, 25_000 + 685);
    }

    @Test
    void theDrawIsPinnedAcrossJvmsAndReleases() {
        // Replays after an upgrade must drop the same examples: the hash is part of the format.
        assertThat(NegativeSampler.uniform("imp-0")).isEqualTo(0.06946612325762214);
        assertThat(NegativeSampler.uniform("")).isBetween(0.0, 1.0);
    }

    @Test
    void rateOneKeepsEverythingAndBadRatesNameTheKey() {
        NegativeSampler all = new NegativeSampler(1.0);
        for (int i = 0; i < 1_000; i++) {
            assertThat(all.keep("x" + i)).isTrue();
        }
        for (double bad : new double[] {0.0, -0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> new NegativeSampler(bad))
                    .as("%s", bad)
                    .hasMessageContaining("freshrank.join.negative-sampling-rate");
        }
    }
}
