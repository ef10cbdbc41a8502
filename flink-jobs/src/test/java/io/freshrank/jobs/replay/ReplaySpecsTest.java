package io.freshrank.jobs.replay;

import static io.freshrank.jobs.replay.ReplayFixtures.drain;
import static io.freshrank.jobs.replay.ReplayFixtures.fixture;
import static io.freshrank.jobs.replay.ReplayFixtures.impressions;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.features.FeatureSpec;
import io.freshrank.features.SlotKind;
import io.freshrank.features.SlotSpec;
import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The dataset specs load and validate, DeepFM can use them (one embedding dim), and the readers'
 * feature names match them in both directions: every name an event uses is a slot of that kind, and
 * every slot is filled by some event of the fixtures.
 */
class ReplaySpecsTest {

    @Test
    void everyDatasetSpecLoadsWithOneEmbeddingDim() {
        for (ReplayDataset d : ReplayDataset.values()) {
            FeatureSpec spec = FeatureSpec.fromResource(d.specResource());
            assertThat(spec.name()).isEqualTo(d.cliName());
            assertThat(spec.uniformDim()).as("embedding dim of %s", d).isEqualTo(8);
            assertThat(spec.embeddedSlots()).as("embedded slots of %s", d).isNotEmpty();
        }
        assertThat(FeatureSpec.fromResource(MindReplay.SPEC).numericSlots()).hasSize(2);
        assertThat(FeatureSpec.fromResource(OpenBanditReplay.SPEC).slot("propensity_score").kind())
                .isEqualTo(SlotKind.NUMERIC);
        assertThat(FeatureSpec.fromResource(CriteoReplay.SPEC).numericSlots()).hasSize(13);
        assertThat(FeatureSpec.fromResource(CriteoReplay.SPEC).embeddedSlots()).hasSize(26);
        assertThat(FeatureSpec.fromResource(AvazuReplay.SPEC).numericSlots()).isEmpty();
    }

    @Test
    void mindEventsMatchTheMindSpec() {
        assertMatches(
                MindReplay.SPEC,
                List.of(MindReplay.open(fixture("mind"), ReplayOptions.defaults())));
    }

    @Test
    void openBanditEventsMatchTheOpenBanditSpec() {
        assertMatches(
                OpenBanditReplay.SPEC,
                List.of(OpenBanditReplay.open(fixture("obd"), ReplayOptions.defaults())));
    }

    @Test
    void criteoEventsMatchTheCriteoSpec() {
        assertMatches(
                CriteoReplay.SPEC,
                List.of(
                        CriteoReplay.open(
                                fixture("criteo/kaggle_head.txt"), ReplayOptions.defaults()),
                        CriteoReplay.open(fixture("criteo/sample.csv"), ReplayOptions.defaults())));
    }

    @Test
    void avazuEventsMatchTheAvazuSpec() {
        assertMatches(
                AvazuReplay.SPEC,
                List.of(
                        AvazuReplay.open(
                                fixture("avazu/train_head.csv"), ReplayOptions.defaults())));
    }

    private static void assertMatches(String resource, List<DatasetReplay> replays) {
        FeatureSpec spec = FeatureSpec.fromResource(resource);
        Set<String> used = new TreeSet<>();
        for (DatasetReplay replay : replays) {
            assertThat(replay.specResource()).isEqualTo(resource);
            List<SimEvent> events = drain(replay);
            for (Impression imp : impressions(events)) {
                Features f = imp.getFeatures();
                check(spec, f.getCategorical().keySet(), SlotKind.CATEGORICAL, imp, used);
                check(spec, f.getSequences().keySet(), SlotKind.SEQUENCE, imp, used);
                check(spec, f.getNumeric().keySet(), SlotKind.NUMERIC, imp, used);
            }
        }
        List<String> slots = new ArrayList<>();
        spec.embeddedSlots().forEach(s -> slots.add(s.name()));
        spec.numericSlots().forEach(s -> slots.add(s.name()));
        assertThat(used)
                .as("slots filled by the fixtures of %s", resource)
                .containsExactlyInAnyOrderElementsOf(slots);
    }

    private static void check(
            FeatureSpec spec, Set<String> names, SlotKind kind, Impression imp, Set<String> used) {
        for (String name : names) {
            SlotSpec slot = spec.slot(name);
            assertThat(slot.kind())
                    .as("kind of slot %s used by %s", name, imp.getImpressionId())
                    .isEqualTo(kind);
            used.add(name);
        }
    }
}
