package io.freshrank.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimeCompressionTest {

    @Test
    void keepsOrderAndDividesGapsByTheFactor() {
        SplittableRandom random = new SplittableRandom(11);
        for (double factor : new double[] {1, 1.5, 7, 60, 3600, 1e6}) {
            long[] t = new long[2000];
            t[0] = 1_573_000_000_000L;
            for (int i = 1; i < t.length; i++) {
                t[i] = t[i - 1] + (random.nextInt(10) == 0 ? 0 : random.nextLong(1, 600_000));
            }
            TimeCompression c = new TimeCompression(t[0], 1_700_000_000_000L, factor);
            long[] r = Arrays.stream(t).map(c::apply).toArray();
            assertThat(r[0]).isEqualTo(1_700_000_000_000L);
            for (int i = 1; i < t.length; i++) {
                assertThat(r[i])
                        .as("order at %d, factor %s", i, factor)
                        .isGreaterThanOrEqualTo(r[i - 1]);
                double expectedGap = (t[i] - t[i - 1]) / factor;
                assertThat((double) (r[i] - r[i - 1]))
                        .as("gap %d at factor %s", t[i] - t[i - 1], factor)
                        .isBetween(expectedGap - 1, expectedGap + 1);
            }
            // over the whole span the ratio is exact to a millisecond
            assertThat((double) (r[r.length - 1] - r[0]))
                    .isBetween(
                            (t[t.length - 1] - t[0]) / factor - 1,
                            (t[t.length - 1] - t[0]) / factor);
        }
    }

    @Test
    void factorOneOnlyShiftsAndOriginalStartKeepsTimes() {
        TimeCompression shift = new TimeCompression(1000, 5000, 1);
        assertThat(shift.apply(1234)).isEqualTo(5234);
        assertThat(ReplayOptions.defaults().compressionFrom(777).apply(1234)).isEqualTo(1234);
    }

    @Test
    void optionsAreValidatedWithTheOptionName() {
        assertThatThrownBy(() -> ReplayOptions.defaults().withCompression(0))
                .hasMessageContaining("compression");
        assertThatThrownBy(() -> ReplayOptions.defaults().withCompression(Double.NaN))
                .hasMessageContaining("compression");
        assertThatThrownBy(() -> ReplayOptions.defaults().withLimit(0))
                .hasMessageContaining("limit");
        assertThatThrownBy(() -> ReplayOptions.defaults().withClickDelayMs(-1))
                .hasMessageContaining("clickDelayMs");
        assertThatThrownBy(() -> ReplayOptions.defaults().withSyntheticRowsPerSecond(0))
                .hasMessageContaining("syntheticRowsPerSecond");
        assertThatThrownBy(() -> new TimeCompression(0, 0, -2)).hasMessageContaining("factor");
    }
}
