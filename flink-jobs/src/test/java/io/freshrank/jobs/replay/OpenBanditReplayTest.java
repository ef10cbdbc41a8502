package io.freshrank.jobs.replay;

import static io.freshrank.jobs.replay.ReplayFixtures.actions;
import static io.freshrank.jobs.replay.ReplayFixtures.assertReplayContract;
import static io.freshrank.jobs.replay.ReplayFixtures.drain;
import static io.freshrank.jobs.replay.ReplayFixtures.fixture;
import static io.freshrank.jobs.replay.ReplayFixtures.impression;
import static io.freshrank.jobs.replay.ReplayFixtures.impressions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Impression;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Bandit fixture: random/men (3 good rows, one bad time, with item_context.csv) and
 * bts/women (2 rows, no item_context.csv).
 */
class OpenBanditReplayTest {
    private static final long T0 = Instant.parse("2019-11-24T00:03:13.442Z").toEpochMilli();
    private static final long T_W0 = Instant.parse("2019-11-24T00:04:00Z").toEpochMilli();
    private static final long T_M1 = Instant.parse("2019-11-24T00:05:00Z").toEpochMilli();
    private static final long T_W1 = Instant.parse("2019-11-24T00:06:00Z").toEpochMilli();
    private static final long T_M3 = Instant.parse("2019-11-24T00:07:00.500Z").toEpochMilli();

    @Test
    void oneCampaignFileIsOneRequestPerRowAtZeroBasedPositions() {
        OpenBanditReplay replay =
                OpenBanditReplay.open(fixture("obd/random/men/men.csv"), ReplayOptions.defaults());
        List<SimEvent> events = drain(replay);
        assertReplayContract(events);

        List<Impression> imps = impressions(events);
        assertThat(imps)
                .extracting(Impression::getImpressionId)
                .containsExactly("obd-random-men-0-2", "obd-random-men-1-0", "obd-random-men-3-1");
        assertThat(imps)
                .extracting(Impression::getRequestId)
                .containsExactly("obd-random-men-0", "obd-random-men-1", "obd-random-men-3");
        assertThat(imps).extracting(Impression::getPosition).containsExactly(2, 0, 1);
        assertThat(imps).extracting(Impression::getEventTimeMs).containsExactly(T0, T_M1, T_M3);

        List<Action> clicks = actions(events);
        assertThat(clicks).hasSize(1);
        assertThat(clicks.get(0).getImpressionId()).isEqualTo("obd-random-men-1-0");
        assertThat(clicks.get(0).getType()).isEqualTo(ActionType.CLICK);
        assertThat(clicks.get(0).getEventTimeMs()).isEqualTo(T_M1 + 5000);

        ReplayStats s = replay.expected();
        assertThat(s.requests()).isEqualTo(3);
        assertThat(s.impressions()).isEqualTo(3);
        assertThat(s.clicks()).isEqualTo(1);
        assertThat(s.skippedRows()).isEqualTo(Map.of("BAD_TIME", 1L));
    }

    @Test
    void featuresIncludeItemContextAffinityAndPropensity() {
        List<SimEvent> events =
                drain(OpenBanditReplay.open(fixture("obd"), ReplayOptions.defaults()));

        Impression m0 = impression(events, "obd-random-men-0-2");
        assertThat(m0.getFeatures().getCategorical())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "item_id", "men:1",
                                "campaign", "men",
                                "position", "3",
                                "user_feature_0", "ua",
                                "user_feature_1", "ub",
                                "user_feature_2", "uc",
                                "user_feature_3", "ud",
                                "item_feature_1", "h4",
                                "item_feature_2", "h2",
                                "item_feature_3", "h3"));
        assertThat(m0.getFeatures().getSequences())
                .containsEntry("affinity_items", List.of("men:1"));
        Map<String, Float> num = m0.getFeatures().getNumeric();
        assertThat(num.get("propensity_score")).isCloseTo(1f / 3, within(1e-6f));
        assertThat(num.get("item_feature_0")).isEqualTo(0.25f);
        assertThat(num.get("user_item_affinity")).isCloseTo((float) Math.log1p(1), within(1e-6f));

        Impression m1 = impression(events, "obd-random-men-1-0");
        assertThat(m1.getFeatures().getSequences())
                .containsEntry("affinity_items", List.of("men:0"));
        assertThat(m1.getFeatures().getNumeric())
                .containsEntry("user_item_affinity", 0f)
                .containsEntry("item_feature_0", 1.5f)
                .containsEntry("propensity_score", 0.25f);

        // women has no item_context.csv: item features are absent, the rest is there
        Impression w0 = impression(events, "obd-bts-women-0-0");
        assertThat(w0.getFeatures().getCategorical())
                .containsEntry("item_id", "women:1")
                .containsEntry("campaign", "women")
                .doesNotContainKeys("item_feature_1", "item_feature_2", "item_feature_3");
        assertThat(w0.getFeatures().getNumeric())
                .doesNotContainKey("item_feature_0")
                .containsEntry("propensity_score", 0.125f);
        assertThat(w0.getFeatures().getNumeric().get("user_item_affinity"))
                .isCloseTo((float) Math.log1p(3), within(1e-6f));
    }

    @Test
    void aDirectoryMergesEveryCampaignFileByTime() {
        OpenBanditReplay replay = OpenBanditReplay.open(fixture("obd"), ReplayOptions.defaults());
        assertThat(replay.files()).hasSize(2);
        List<SimEvent> events = drain(replay);
        assertReplayContract(events);
        assertThat(events)
                .extracting(
                        e ->
                                (e instanceof SimEvent.ImpressionEvent ? "imp " : "click ")
                                        + e.impressionId()
                                        + " @"
                                        + e.eventTimeMs())
                .containsExactly(
                        "imp obd-random-men-0-2 @" + T0,
                        "imp obd-bts-women-0-0 @" + T_W0,
                        "click obd-bts-women-0-0 @" + (T_W0 + 5000),
                        "imp obd-random-men-1-0 @" + T_M1,
                        "click obd-random-men-1-0 @" + (T_M1 + 5000),
                        "imp obd-bts-women-1-1 @" + T_W1,
                        "imp obd-random-men-3-1 @" + T_M3);

        ReplayStats s = replay.expected();
        assertThat(s.requests()).isEqualTo(5);
        assertThat(s.impressions()).isEqualTo(5);
        assertThat(s.clicks()).isEqualTo(2);
        assertThat(s.clickedImpressions()).isEqualTo(2);
        assertThat(s.skippedRows()).isEqualTo(Map.of("BAD_TIME", 1L));
    }

    @Test
    void clickDelayAndCompressionAreConfigurable() {
        ReplayOptions options =
                ReplayOptions.defaults()
                        .withClickDelayMs(1000)
                        .withCompression(10)
                        .withStartTimeMs(1_000_000_000_000L);
        List<SimEvent> events = drain(OpenBanditReplay.open(fixture("obd"), options));
        assertReplayContract(events);
        assertThat(impression(events, "obd-random-men-0-2").getEventTimeMs())
                .isEqualTo(1_000_000_000_000L);
        long w0 = impression(events, "obd-bts-women-0-0").getEventTimeMs();
        assertThat(w0).isEqualTo(1_000_000_000_000L + (T_W0 - T0) / 10);
        Action click = actions(events).get(0);
        assertThat(click.getEventTimeMs() - w0).isBetween(99L, 100L);
    }

    @Test
    void rejectsAPathWithoutCampaignFiles(@TempDir Path dir) {
        assertThatThrownBy(() -> OpenBanditReplay.open(dir, ReplayOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no Open Bandit campaign file");
    }
}
