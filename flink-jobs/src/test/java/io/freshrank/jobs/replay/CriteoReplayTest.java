package io.freshrank.jobs.replay;

import static io.freshrank.jobs.replay.ReplayFixtures.actions;
import static io.freshrank.jobs.replay.ReplayFixtures.assertReplayContract;
import static io.freshrank.jobs.replay.ReplayFixtures.drain;
import static io.freshrank.jobs.replay.ReplayFixtures.fixture;
import static io.freshrank.jobs.replay.ReplayFixtures.impression;
import static io.freshrank.jobs.replay.ReplayFixtures.impressions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Criteo fixtures: a Kaggle TSV head (rows of 40, 38 and 37 columns, a bad label, a bad
 * integer, a negative I2; no newline at the end) and a CSV with a header.
 */
class CriteoReplayTest {
    private static final long START = ReplayOptions.DEFAULT_SYNTHETIC_START_MS;

    @Test
    void kaggleTsvPadsShortRowsAndSynthesizesAUniformRate() {
        CriteoReplay replay =
                CriteoReplay.open(
                        fixture("criteo/kaggle_head.txt"),
                        ReplayOptions.defaults().withSyntheticRowsPerSecond(4));
        List<SimEvent> events = drain(replay);
        assertReplayContract(events);

        List<Impression> imps = impressions(events);
        assertThat(imps)
                .extracting(Impression::getImpressionId)
                .containsExactly("criteo-0-0", "criteo-1-0", "criteo-2-0", "criteo-3-0");
        assertThat(imps)
                .extracting(Impression::getEventTimeMs)
                .containsExactly(START, START + 250, START + 500, START + 750);
        assertThat(imps).extracting(Impression::getPosition).containsOnly(0);

        List<Action> clicks = actions(events);
        assertThat(clicks).extracting(Action::getImpressionId).containsExactly("criteo-0-0");
        assertThat(clicks.get(0).getEventTimeMs()).isEqualTo(START + 5000);

        Impression full = imps.get(0);
        Map<String, Float> num = full.getFeatures().getNumeric();
        assertThat(num).hasSize(12).doesNotContainKey("I12"); // I12 is empty in that row
        assertThat(num.get("I5")).isCloseTo((float) Math.log1p(1382), within(1e-5f));
        assertThat(num.get("I4")).isEqualTo(0f);
        Map<String, String> cat = full.getFeatures().getCategorical();
        assertThat(cat).hasSize(25).doesNotContainKey("C22"); // C22 is empty
        assertThat(cat).containsEntry("C1", "68fd1e64").containsEntry("C26", "9727dd16");

        // 38 columns: C25, C26 missing -> absent, not shifted
        Map<String, String> shortCat = imps.get(1).getFeatures().getCategorical();
        assertThat(shortCat)
                .containsEntry("C1", "68fd1e64")
                .containsEntry("C24", "c5c50484")
                .doesNotContainKeys("C22", "C25", "C26");
        assertThat(imps.get(1).getFeatures().getNumeric().get("I13"))
                .isCloseTo((float) Math.log1p(4), within(1e-6f));
        // 37 columns
        assertThat(imps.get(2).getFeatures().getCategorical())
                .hasSize(22)
                .doesNotContainKeys("C22", "C24", "C25", "C26");
        assertThat(imps.get(2).getFeatures().getNumeric()).containsOnlyKeys("I2", "I3");

        // the negative I2 keeps its sign
        assertThat(impression(events, "criteo-3-0").getFeatures().getNumeric().get("I2"))
                .isCloseTo((float) -Math.log1p(1), within(1e-6f));

        ReplayStats s = replay.expected();
        assertThat(s.requests()).isEqualTo(4);
        assertThat(s.impressions()).isEqualTo(4);
        assertThat(s.clicks()).isEqualTo(1);
        assertThat(s.skippedRows()).isEqualTo(Map.of("BAD_LABEL", 1L, "BAD_NUMBER", 1L));
    }

    @Test
    void csvWithHeaderIsReadByColumnName() {
        CriteoReplay replay =
                CriteoReplay.open(fixture("criteo/sample.csv"), ReplayOptions.defaults());
        List<SimEvent> events = drain(replay);
        assertReplayContract(events);
        List<Impression> imps = impressions(events);
        assertThat(imps).hasSize(2);
        Map<String, Float> n0 = imps.get(0).getFeatures().getNumeric();
        assertThat(n0).containsOnlyKeys("I2", "I3", "I5", "I8", "I12");
        assertThat(n0.get("I3")).isCloseTo((float) Math.log1p(260), within(1e-5f));
        assertThat(imps.get(1).getFeatures().getNumeric().get("I2"))
                .isCloseTo((float) -Math.log1p(1), within(1e-6f));
        assertThat(imps.get(0).getFeatures().getCategorical()).containsEntry("C26", "9727dd16");
        assertThat(imps.get(1).getFeatures().getCategorical()).doesNotContainKeys("C25", "C26");
        // 75 rows per second by default
        assertThat(imps.get(1).getEventTimeMs() - imps.get(0).getEventTimeMs()).isEqualTo(13);
        assertThat(actions(events))
                .extracting(Action::getImpressionId)
                .containsExactly("criteo-1-0");
        assertThat(replay.expected().clicks()).isEqualTo(1);
        assertThat(replay.expected().skippedRows()).isEmpty();
    }

    @Test
    void signedLog1pIsLog1pForCountsAndOddForNegatives() {
        assertThat(CriteoReplay.signedLog1p(0)).isZero();
        assertThat(CriteoReplay.signedLog1p(9)).isCloseTo(Math.log(10), within(1e-12));
        assertThat(CriteoReplay.signedLog1p(-3)).isCloseTo(-Math.log(4), within(1e-12));
    }
}
