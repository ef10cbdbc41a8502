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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MIND fixture: six lines, not in time order, AM/PM times including 12 AM and 12 PM, one empty
 * history, one history longer than 50, one bad time and one unlabelled candidate.
 */
class MindReplayTest {
    private static final long NOV12_0005 = Instant.parse("2019-11-12T00:05:01Z").toEpochMilli();
    private static final long NOV12_1205 = Instant.parse("2019-11-12T12:05:01Z").toEpochMilli();
    private static final long NOV13_0836 = Instant.parse("2019-11-13T08:36:57Z").toEpochMilli();

    @Test
    void parsesTwelveHourTimesAsUtc() {
        assertThat(MindReplay.parseTime("11/12/2019 12:05:01 AM")).isEqualTo(NOV12_0005);
        assertThat(MindReplay.parseTime("11/12/2019 12:05:01 PM")).isEqualTo(NOV12_1205);
        assertThat(MindReplay.parseTime("11/13/2019 8:36:57 am")).isEqualTo(NOV13_0836);
    }

    @Test
    void replaysRequestsSortedByTimeWithOneImpressionPerCandidate() {
        MindReplay replay = MindReplay.open(fixture("mind"), ReplayOptions.defaults());
        List<SimEvent> events = drain(replay);
        assertReplayContract(events);

        List<Impression> imps = impressions(events);
        assertThat(imps)
                .extracting(Impression::getImpressionId)
                .containsExactly(
                        "mind-3-0",
                        "mind-3-1",
                        "mind-3-2",
                        "mind-3-3", // 12:05:01 AM
                        "mind-2-0",
                        "mind-2-1", // 12:05:01 PM, same day
                        "mind-1-0",
                        "mind-1-1",
                        "mind-1-2", // 11/13 8:36:57 AM
                        "mind-4-0"); // the same second: file order
        assertThat(imps)
                .extracting(Impression::getRequestId)
                .containsExactly(
                        "mind-3", "mind-3", "mind-3", "mind-3", "mind-2", "mind-2", "mind-1",
                        "mind-1", "mind-1", "mind-4");
        assertThat(imps)
                .extracting(Impression::getPosition)
                .containsExactly(0, 1, 2, 3, 0, 1, 0, 1, 2, 0);
        assertThat(imps)
                .extracting(Impression::getEventTimeMs)
                .containsExactly(
                        NOV12_0005,
                        NOV12_0005,
                        NOV12_0005,
                        NOV12_0005,
                        NOV12_1205,
                        NOV12_1205,
                        NOV13_0836,
                        NOV13_0836,
                        NOV13_0836,
                        NOV13_0836);

        List<Action> clicks = actions(events);
        assertThat(clicks)
                .extracting(Action::getImpressionId)
                .containsExactly("mind-3-2", "mind-2-1", "mind-1-0", "mind-4-0");
        assertThat(clicks).allMatch(a -> a.getType() == ActionType.CLICK && a.getValue() == 1f);
        assertThat(clicks)
                .extracting(Action::getEventTimeMs)
                .containsExactly(
                        NOV12_0005 + 5000, NOV12_1205 + 5000, NOV13_0836 + 5000, NOV13_0836 + 5000);
        assertThat(clicks.get(0).getActionId()).isEqualTo("mind-3-2-click");
    }

    @Test
    void featuresUseTheSpecSlotsAndNewsCategoriesWhenKnown() {
        List<SimEvent> events = drain(MindReplay.open(fixture("mind"), ReplayOptions.defaults()));

        Impression n10 = impression(events, "mind-1-0");
        assertThat(n10.getFeatures().getCategorical())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "user_id", "U1",
                                "news_id", "N10",
                                "position", "0",
                                "category", "sports",
                                "subcategory", "soccer"));
        assertThat(n10.getFeatures().getSequences())
                .containsEntry("history", List.of("N1", "N2", "N3"));
        assertThat(n10.getFeatures().getNumeric().get("history_length"))
                .isCloseTo((float) Math.log1p(3), within(1e-6f));
        assertThat(n10.getFeatures().getNumeric().get("list_size"))
                .isCloseTo((float) Math.log1p(3), within(1e-6f));

        Impression n13 = impression(events, "mind-2-1");
        assertThat(n13.getFeatures().getCategorical())
                .containsEntry("category", "news")
                .containsEntry("subcategory", "newsus")
                .containsEntry("position", "1");
        // empty history: no sequence at all, length log1p(0) = 0
        assertThat(n13.getFeatures().getSequences()).doesNotContainKey("history");
        assertThat(n13.getFeatures().getNumeric()).containsEntry("history_length", 0f);

        Impression unknownNews = impression(events, "mind-3-2");
        assertThat(unknownNews.getFeatures().getCategorical())
                .containsEntry("news_id", "N15")
                .doesNotContainKeys("category", "subcategory");

        Impression longHistory = impression(events, "mind-4-0");
        List<String> expected = new ArrayList<>();
        for (int i = 6; i <= 55; i++) {
            expected.add("H" + i);
        }
        assertThat(longHistory.getFeatures().getSequences().get("history"))
                .as("the last %d of 55 history ids", MindReplay.HISTORY_LENGTH)
                .isEqualTo(expected);
        assertThat(longHistory.getFeatures().getNumeric().get("history_length"))
                .isCloseTo((float) Math.log1p(55), within(1e-6f));
        assertThat(longHistory.getOracleProbability()).isNull();
        assertThat(longHistory.getHoldout()).isFalse();
    }

    @Test
    void expectedCountsComeFromTheFile() {
        ReplayStats s = MindReplay.open(fixture("mind"), ReplayOptions.defaults()).expected();
        System.out.println("MIND fixture: " + s);
        assertThat(s.dataset()).isEqualTo("mind");
        assertThat(s.requests()).isEqualTo(4);
        assertThat(s.impressions()).isEqualTo(10);
        assertThat(s.clicks()).isEqualTo(4);
        assertThat(s.clickedImpressions()).isEqualTo(4);
        assertThat(s.actions()).isEqualTo(Map.of("click", 4L));
        assertThat(s.skippedRows()).isEqualTo(Map.of("BAD_TIME", 1L, "BAD_CANDIDATE", 1L));
        assertThat(s.outOfOrderRequests()).isZero();
        assertThat(s.firstEventTimeMs()).isEqualTo(NOV12_0005);
        assertThat(s.lastEventTimeMs()).isEqualTo(NOV13_0836 + 5000);
        assertThat(s.maxActionDelayMs()).isEqualTo(5000);
    }

    @Test
    void compressionDividesGapsAndKeepsOrder() {
        long start = 1_700_000_000_000L;
        ReplayOptions options = ReplayOptions.defaults().withCompression(60).withStartTimeMs(start);
        List<SimEvent> events = drain(MindReplay.open(fixture("mind"), options));
        assertReplayContract(events);

        assertThat(impression(events, "mind-3-0").getEventTimeMs()).isEqualTo(start);
        assertThat(impression(events, "mind-2-0").getEventTimeMs())
                .isEqualTo(start + (NOV12_1205 - NOV12_0005) / 60);
        assertThat(impression(events, "mind-1-0").getEventTimeMs())
                .isEqualTo(start + (long) Math.floor((NOV13_0836 - NOV12_0005) / 60.0));
        Action first = actions(events).get(0);
        assertThat(first.getEventTimeMs()).as("5 s / 60").isEqualTo(start + 83);
        assertThat(MindReplay.open(fixture("mind"), options).expected().maxActionDelayMs())
                .isEqualTo(83);
    }

    @Test
    void limitTakesTheEarliestRequests() {
        MindReplay replay = MindReplay.open(fixture("mind"), ReplayOptions.defaults().withLimit(2));
        List<SimEvent> events = drain(replay);
        assertThat(impressions(events))
                .extracting(Impression::getRequestId)
                .containsOnly("mind-3", "mind-2");
        ReplayStats s = replay.expected();
        assertThat(s.requests()).isEqualTo(2);
        assertThat(s.impressions()).isEqualTo(6);
        assertThat(s.clicks()).isEqualTo(2);
    }

    @Test
    void worksWithoutNewsFileAndOnTheBehaviorsFileItself(@TempDir Path dir) throws Exception {
        Path behaviors = dir.resolve("behaviors.tsv");
        Files.copy(fixture("mind/behaviors.tsv"), behaviors);
        MindReplay replay = MindReplay.open(behaviors, ReplayOptions.defaults());
        assertThat(replay.newsFile()).isNull();
        List<SimEvent> events = drain(replay);
        assertThat(impression(events, "mind-1-0").getFeatures().getCategorical())
                .doesNotContainKeys("category", "subcategory");
        assertThat(replay.expected().impressions()).isEqualTo(10);

        assertThat(
                        MindReplay.open(fixture("mind/behaviors.tsv"), ReplayOptions.defaults())
                                .newsFile())
                .isNotNull();
        assertThatThrownBy(() -> MindReplay.open(dir.resolve("nope"), ReplayOptions.defaults()))
                .hasMessageContaining("no MIND behaviors file");
    }

    @Test
    void eachPassGivesTheSameEvents() {
        MindReplay replay = MindReplay.open(fixture("mind"), ReplayOptions.defaults());
        assertThat(drain(replay)).isEqualTo(drain(replay));
        assertThat(replay.expected()).isSameAs(replay.expected());
    }
}
