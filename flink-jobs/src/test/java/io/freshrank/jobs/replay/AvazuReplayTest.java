package io.freshrank.jobs.replay;

import static io.freshrank.jobs.replay.ReplayFixtures.actions;
import static io.freshrank.jobs.replay.ReplayFixtures.assertReplayContract;
import static io.freshrank.jobs.replay.ReplayFixtures.drain;
import static io.freshrank.jobs.replay.ReplayFixtures.fixture;
import static io.freshrank.jobs.replay.ReplayFixtures.impressions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Avazu fixture: three rows in hour 14102100, a bad hour, two rows in hour 14102101. */
class AvazuReplayTest {
    private static final long H0 = Instant.parse("2014-10-21T00:00:00Z").toEpochMilli();
    private static final long H1 = H0 + 3_600_000L;

    @Test
    void parsesTheHour() {
        assertThat(AvazuReplay.parseHour("14102100")).isEqualTo(H0);
        assertThat(AvazuReplay.parseHour("14102123")).isEqualTo(H0 + 23 * 3_600_000L);
    }

    @Test
    void spreadsEachHoursRowsUniformlyInFileOrder() {
        AvazuReplay replay =
                AvazuReplay.open(fixture("avazu/train_head.csv"), ReplayOptions.defaults());
        List<SimEvent> events = drain(replay);
        assertReplayContract(events);

        List<Impression> imps = impressions(events);
        assertThat(imps)
                .extracting(Impression::getImpressionId)
                .containsExactly(
                        "avazu-1000009418151094273-0",
                        "avazu-10000169349117863715-0",
                        "avazu-10000371904215119486-0",
                        "avazu-10000679056417042096-0",
                        "avazu-10000720757801103869-0");
        assertThat(imps)
                .extracting(Impression::getEventTimeMs)
                .containsExactly(H0, H0 + 1_200_000, H0 + 2_400_000, H1, H1 + 1_800_000);

        List<Action> clicks = actions(events);
        assertThat(clicks)
                .extracting(Action::getImpressionId)
                .containsExactly("avazu-10000169349117863715-0", "avazu-10000720757801103869-0");
        assertThat(clicks)
                .extracting(Action::getEventTimeMs)
                .containsExactly(H0 + 1_205_000, H1 + 1_805_000);

        Map<String, String> cat = imps.get(1).getFeatures().getCategorical();
        assertThat(cat)
                .hasSize(23)
                .containsEntry("C1", "1005")
                .containsEntry("banner_pos", "1")
                .containsEntry("device_ip", "96809ac8")
                .containsEntry("C20", "100084")
                .containsEntry("hour_of_day", "00")
                .containsEntry("day_of_week", "TUESDAY")
                .doesNotContainKeys("id", "click", "hour");
        assertThat(imps.get(1).getFeatures().getNumeric()).isEmpty();

        ReplayStats s = replay.expected();
        assertThat(s.impressions()).isEqualTo(5);
        assertThat(s.clicks()).isEqualTo(2);
        assertThat(s.skippedRows()).isEqualTo(Map.of("BAD_TIME", 1L));
        assertThat(s.outOfOrderRequests()).isZero();
    }

    @Test
    void anEarlierHourAfterALaterOneIsMovedForwardAndCounted(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(fixture("avazu/train_head.csv"));
        // header, then hour 01 rows before hour 00 rows
        Path file = dir.resolve("unordered.csv");
        Files.write(
                file,
                List.of(lines.get(0), lines.get(5), lines.get(6), lines.get(1), lines.get(2)));
        AvazuReplay replay = AvazuReplay.open(file, ReplayOptions.defaults());
        List<SimEvent> events = drain(replay);
        assertReplayContract(events);
        assertThat(impressions(events))
                .extracting(Impression::getEventTimeMs)
                .containsExactly(H1, H1 + 1_800_000, H1 + 1_800_000, H1 + 1_800_000);
        assertThat(replay.expected().outOfOrderRequests()).isEqualTo(2);
    }

    @Test
    void aFileWithoutTheClickColumnIsRejectedByName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("test.csv");
        Files.write(file, List.of("id,hour,C1", "1,14102100,1005"));
        AvazuReplay replay = AvazuReplay.open(file, ReplayOptions.defaults());
        assertThatThrownBy(replay::expected).hasMessageContaining("no column 'click'");
    }
}
