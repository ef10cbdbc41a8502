package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.schema.avro.ActionType;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Parsing and meaning of {@code freshrank.join.windows}. */
class AttributionWindowsTest {
    private static final Duration DEFAULT = Duration.ofSeconds(60);

    @Test
    void listedTypesGetTheirWindowAndTheOthersTheDefault() {
        AttributionWindows w =
                AttributionWindows.parse(" click=15min, LIKE = 1h ,conversion=3d", DEFAULT);
        assertThat(w.windowMs(ActionType.CLICK)).isEqualTo(15 * 60_000L);
        assertThat(w.windowMs(ActionType.LIKE)).isEqualTo(3_600_000L);
        assertThat(w.windowMs(ActionType.CONVERSION)).isEqualTo(3 * 86_400_000L);
        assertThat(w.windowMs(ActionType.DWELL)).isEqualTo(60_000L);
        assertThat(w.longestMs()).isEqualTo(3 * 86_400_000L);
    }

    @Test
    void windowWaitsForTheLongestAndTheClickDrivenPoliciesForTheClickWindow() {
        AttributionWindows w = AttributionWindows.parse("click=10s,conversion=1h", DEFAULT);
        assertThat(w.closeAfterMs(EmissionPolicy.WINDOW)).isEqualTo(3_600_000L);
        assertThat(w.closeAfterMs(EmissionPolicy.EARLY_POSITIVE)).isEqualTo(10_000L);
        assertThat(w.closeAfterMs(EmissionPolicy.FAKE_NEGATIVE)).isEqualTo(10_000L);
    }

    @Test
    void withNothingSetEveryTypeHasTheAttributionWindow() {
        JoinConfig c = JoinConfig.from(new Configuration());
        for (ActionType t : AttributionWindows.labelTypes()) {
            assertThat(c.windows().windowMs(t)).as("%s", t).isEqualTo(60_000L);
        }
        assertThat(c.windows()).isEqualTo(AttributionWindows.uniform(DEFAULT));
        assertThat(AttributionWindows.labelTypes()).doesNotContain(ActionType.UNKNOWN);

        Configuration conf = new Configuration();
        conf.set(FreshrankOptions.ATTRIBUTION_WINDOW, Duration.ofSeconds(5));
        conf.set(FreshrankOptions.JOIN_WINDOWS, "like=20s");
        AttributionWindows w = JoinConfig.from(conf).windows();
        assertThat(w.windowMs(ActionType.CLICK)).isEqualTo(5_000L);
        assertThat(w.windowMs(ActionType.LIKE)).isEqualTo(20_000L);
    }

    @Test
    void theStateTtlIsTheLongestWindowPlusGracePlusMargin() {
        Configuration conf = new Configuration();
        conf.set(FreshrankOptions.JOIN_WINDOWS, "conversion=3d");
        conf.set(FreshrankOptions.ORPHAN_GRACE, Duration.ofMinutes(10));
        conf.set(FreshrankOptions.JOIN_STATE_TTL_MARGIN, Duration.ofHours(2));
        assertThat(JoinConfig.from(conf).stateTtl())
                .isEqualTo(Duration.ofDays(3).plusMinutes(10).plusHours(2));
    }

    @Test
    void badEntriesNameTheKeyAndTheEntry() {
        assertThatThrownBy(() -> AttributionWindows.parse("click", DEFAULT))
                .hasMessageContaining("freshrank.join.windows")
                .hasMessageContaining("'click'");
        assertThatThrownBy(() -> AttributionWindows.parse("share=1h", DEFAULT))
                .hasMessageContaining("freshrank.join.windows")
                .hasMessageContaining("share");
        assertThatThrownBy(() -> AttributionWindows.parse("unknown=1h", DEFAULT))
                .hasMessageContaining("unknown");
        assertThatThrownBy(() -> AttributionWindows.parse("click=soon", DEFAULT))
                .hasMessageContaining("freshrank.join.windows")
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> AttributionWindows.parse("click=0s", DEFAULT))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> AttributionWindows.parse("click=1s,click=2s", DEFAULT))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> AttributionWindows.parse("", Duration.ZERO))
                .hasMessageContaining("freshrank.join.attribution-window");
    }
}
