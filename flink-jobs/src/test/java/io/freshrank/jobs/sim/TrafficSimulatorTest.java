package io.freshrank.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.freshrank.features.FeatureSpec;
import io.freshrank.features.SlotKind;
import io.freshrank.features.SlotSpec;
import io.freshrank.metrics.AucCalculator;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrafficSimulatorTest {
    /** 5,000 requests of 10 candidates: 50k impressions of the default config. */
    private static final int REQUESTS = 5_000;

    private static List<SimEvent> sample;

    @BeforeAll
    static void generateDefaultSample() {
        sample = TrafficSimulator.generate(SimulatorConfig.defaults(), REQUESTS);
    }

    @Test
    void sameSeedGivesTheSameStreamAndAnotherSeedDoesNot() {
        SimulatorConfig config = SimulatorConfig.builder().seed(7).build();
        List<byte[]> a = encodeAll(TrafficSimulator.generate(config, 300));
        List<byte[]> b = encodeAll(TrafficSimulator.generate(config, 300));
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)).as("event %d", i).isEqualTo(a.get(i));
        }
        List<byte[]> c = encodeAll(TrafficSimulator.generate(config.withSeed(8), 300));
        boolean differs = c.size() != a.size();
        for (int i = 0; !differs && i < a.size(); i++) {
            differs = !Arrays.equals(a.get(i), c.get(i));
        }
        assertThat(differs).as("seed 8 differs from seed 7").isTrue();
    }

    @Test
    void eventTimeNeverDecreases() {
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < sample.size(); i++) {
            long t = sample.get(i).eventTimeMs();
            assertThat(t).as("event %d: %s", i, sample.get(i)).isGreaterThanOrEqualTo(previous);
            previous = t;
        }
        assertThat(sample.get(0).eventTimeMs()).isEqualTo(SimulatorConfig.defaults().startTimeMs());
    }

    @Test
    void ctrAndOracleAucAreInTheTargetRanges() {
        SampleStats stats = TrafficSimulator.measure(sample);
        System.out.println("default config, " + REQUESTS + " requests: " + stats);
        assertThat(stats.impressions()).isEqualTo(REQUESTS * 10L);
        assertThat(stats.orphanActions()).isZero();
        assertThat(stats.ctr()).as("%s", stats).isBetween(0.05, 0.15);
        assertThat(stats.oracleAuc()).as("%s", stats).isBetween(0.75, 0.85);
        // the oracle is calibrated: observed CTR matches the mean true probability
        assertThat(stats.ctr())
                .as("%s", stats)
                .isCloseTo(stats.meanOracleProbability(), within(0.01));
        // likes follow about 30% of clicks
        assertThat(stats.likes() / (double) stats.clicks()).as("%s", stats).isBetween(0.25, 0.35);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void otherSeedsStayInTheTargetRanges(long seed) {
        SampleStats stats =
                TrafficSimulator.measure(
                        TrafficSimulator.generate(
                                SimulatorConfig.defaults().withSeed(seed), 3_000));
        System.out.println("seed " + seed + ", 3000 requests: " + stats);
        assertThat(stats.ctr()).as("%s", stats).isBetween(0.05, 0.15);
        assertThat(stats.oracleAuc()).as("%s", stats).isBetween(0.75, 0.85);
    }

    @Test
    void everyActionFollowsItsEmittedImpression() {
        Map<String, Long> shownAt = new HashMap<>();
        Set<String> requestIds = new HashSet<>();
        Set<String> actionIds = new HashSet<>();
        Map<String, Long> clickedAt = new HashMap<>();
        int actions = 0;
        for (SimEvent e : sample) {
            if (e instanceof SimEvent.ImpressionEvent imp) {
                Impression i = imp.impression();
                assertThat(shownAt.put(i.getImpressionId(), i.getEventTimeMs()))
                        .as("duplicate impression id %s", i.getImpressionId())
                        .isNull();
                assertThat(i.getImpressionId()).startsWith(i.getRequestId() + "-");
                requestIds.add(i.getRequestId());
            } else {
                Action a = ((SimEvent.ActionEvent) e).action();
                actions++;
                assertThat(actionIds.add(a.getActionId()))
                        .as("duplicate action id %s", a.getActionId())
                        .isTrue();
                Long t = shownAt.get(a.getImpressionId());
                assertThat(t).as("action %s before/without its impression", a).isNotNull();
                assertThat(a.getEventTimeMs()).as("action %s", a).isGreaterThan(t);
                if (a.getType() == ActionType.CLICK) {
                    clickedAt.put(a.getImpressionId(), a.getEventTimeMs());
                } else {
                    assertThat(a.getType()).isEqualTo(ActionType.LIKE);
                    Long click = clickedAt.get(a.getImpressionId());
                    assertThat(click).as("like %s without an earlier click", a).isNotNull();
                    assertThat(a.getEventTimeMs()).isGreaterThan(click);
                }
            }
        }
        assertThat(requestIds).hasSize(REQUESTS);
        assertThat(actions).isPositive();
    }

    @Test
    void featuresUseTheSimulatorSpecNames() {
        FeatureSpec spec = FeatureSpec.simulator();
        Set<String> categorical = new HashSet<>();
        Set<String> sequences = new HashSet<>();
        Set<String> numeric = new HashSet<>();
        for (SlotSpec s : spec.embeddedSlots()) {
            (s.kind() == SlotKind.SEQUENCE ? sequences : categorical).add(s.name());
        }
        for (SlotSpec s : spec.numericSlots()) {
            numeric.add(s.name());
        }
        boolean sawRecent = false;
        for (SimEvent e : sample) {
            if (e instanceof SimEvent.ImpressionEvent imp) {
                Impression i = imp.impression();
                Features f = i.getFeatures();
                assertThat(f.getCategorical().keySet()).as("%s", i).isEqualTo(categorical);
                assertThat(f.getSequences().keySet()).as("%s", i).isEqualTo(sequences);
                assertThat(f.getNumeric().keySet()).as("%s", i).isEqualTo(numeric);
                assertThat(f.getCategorical().get(TrafficSimulator.POSITION))
                        .isEqualTo(String.valueOf(i.getPosition()));
                assertThat(f.getNumeric().get(TrafficSimulator.ITEM_AGE_HOURS))
                        .isFinite()
                        .isBetween(0f, 10f);
                List<String> recent = f.getSequences().get(TrafficSimulator.RECENT_CATEGORIES);
                assertThat(recent).hasSizeLessThanOrEqualTo(3).doesNotHaveDuplicates();
                sawRecent |= !recent.isEmpty();
                assertThat(i.getOracleProbability()).isNotNull().isBetween(0f, 1f);
            }
        }
        assertThat(sawRecent).as("some user has recent clicked categories").isTrue();
    }

    @Test
    void countBasedModelFindsLearnableSignal() {
        List<Impression> imps = new ArrayList<>();
        Set<String> clicked = new HashSet<>();
        for (SimEvent e : sample) {
            if (e instanceof SimEvent.ImpressionEvent imp) {
                imps.add(imp.impression());
            } else if (((SimEvent.ActionEvent) e).action().getType() == ActionType.CLICK) {
                clicked.add(e.impressionId());
            }
        }
        int split = (int) (imps.size() * 0.8);
        Map<String, long[]> segCat = new HashMap<>();
        Map<String, long[]> item = new HashMap<>();
        long clicks = 0;
        for (int k = 0; k < split; k++) {
            Impression i = imps.get(k);
            int y = clicked.contains(i.getImpressionId()) ? 1 : 0;
            clicks += y;
            count(segCat, segCatKey(i), y);
            count(item, i.getFeatures().getCategorical().get(TrafficSimulator.ITEM_ID), y);
        }
        double prior = clicks / (double) split;
        int n = imps.size() - split;
        double[] scores = new double[n];
        boolean[] labels = new boolean[n];
        for (int k = split; k < imps.size(); k++) {
            Impression i = imps.get(k);
            double lSegCat = logit(smoothed(segCat.get(segCatKey(i)), prior));
            double lItem =
                    logit(
                            smoothed(
                                    item.get(
                                            i.getFeatures()
                                                    .getCategorical()
                                                    .get(TrafficSimulator.ITEM_ID)),
                                    prior));
            scores[k - split] = lSegCat + lItem - logit(prior);
            labels[k - split] = clicked.contains(i.getImpressionId());
        }
        double auc = AucCalculator.auc(scores, labels);
        System.out.printf(
                "count model (segment x category CTR + item CTR, first 80%%) AUC on last 20%%:"
                        + " %.4f%n",
                auc);
        assertThat(auc).isGreaterThan(0.6);
    }

    @Test
    void mostOfTheOracleSignalIsInLearnableTerms() {
        SimulatorConfig config = SimulatorConfig.defaults();
        TrafficSimulator sim = new TrafficSimulator(config, REQUESTS);
        AucCalculator learnable = new AucCalculator();
        AucCalculator oracle = new AucCalculator();
        Map<String, Double> learnableById = new HashMap<>();
        Map<String, Float> oracleById = new HashMap<>();
        Set<String> clicked = new HashSet<>();
        while (sim.hasNext()) {
            SimEvent e = sim.next();
            if (e instanceof SimEvent.ImpressionEvent imp) {
                Impression i = imp.impression();
                Map<String, String> c = i.getFeatures().getCategorical();
                learnableById.put(
                        i.getImpressionId(),
                        sim.learnableLogit(
                                index(c.get(TrafficSimulator.USER_ID)),
                                index(c.get(TrafficSimulator.ITEM_ID)),
                                i.getPosition(),
                                index(c.get(TrafficSimulator.DEVICE)),
                                i.getEventTimeMs()));
                oracleById.put(i.getImpressionId(), i.getOracleProbability());
            } else if (((SimEvent.ActionEvent) e).action().getType() == ActionType.CLICK) {
                clicked.add(e.impressionId());
            }
        }
        for (Map.Entry<String, Double> e : learnableById.entrySet()) {
            boolean y = clicked.contains(e.getKey());
            learnable.add(e.getValue(), y);
            oracle.add(oracleById.get(e.getKey()), y);
        }
        System.out.printf(
                "oracle AUC %.4f, AUC of the learnable terms alone %.4f%n",
                oracle.auc(), learnable.auc());
        assertThat(learnable.auc()).isGreaterThan(oracle.auc() - 0.03);
    }

    @Test
    void onlineLogisticRegressionOnTheSpecFeaturesApproachesTheOracle() {
        // One pass of per-feature Adagrad logistic regression (one-hot ids, segment x category
        // and recent x item category crosses), scored before each update: progressive
        // validation on 100k impressions, as the trainer would run it.
        List<SimEvent> events = TrafficSimulator.generate(SimulatorConfig.defaults(), 10_000);
        Set<String> clicked = new HashSet<>();
        for (SimEvent e : events) {
            if (e instanceof SimEvent.ActionEvent a && a.action().getType() == ActionType.CLICK) {
                clicked.add(e.impressionId());
            }
        }
        Map<String, double[]> weights = new HashMap<>(); // {weight, squared-gradient sum}
        double learningRate = 0.1;
        AucCalculator model = new AucCalculator();
        AucCalculator oracle = new AucCalculator();
        long impressions = 0;
        long tailStart = 80_000;
        List<String> active = new ArrayList<>();
        for (SimEvent e : events) {
            if (!(e instanceof SimEvent.ImpressionEvent imp)) {
                continue;
            }
            Impression i = imp.impression();
            Map<String, String> c = i.getFeatures().getCategorical();
            active.clear();
            active.add("bias");
            c.forEach((k, v) -> active.add(k + "=" + v));
            String category = c.get(TrafficSimulator.ITEM_CATEGORY);
            active.add("segment x category=" + c.get(TrafficSimulator.USER_SEGMENT) + category);
            for (String r :
                    i.getFeatures().getSequences().get(TrafficSimulator.RECENT_CATEGORIES)) {
                active.add("recent x category=" + r + category);
            }
            double z = 0;
            for (String f : active) {
                z += weights.computeIfAbsent(f, k -> new double[] {0, 0.1})[0];
            }
            double p = 1 / (1 + Math.exp(-z));
            boolean y = clicked.contains(i.getImpressionId());
            if (impressions++ >= tailStart) {
                model.add(p, y);
                oracle.add(i.getOracleProbability(), y);
            }
            double g = p - (y ? 1 : 0);
            for (String f : active) {
                double[] w = weights.get(f);
                w[1] += g * g;
                w[0] -= learningRate * g / Math.sqrt(w[1]);
            }
        }
        System.out.printf(
                "online logistic regression, %d impressions: AUC on the last 20%% %.4f,"
                        + " oracle %.4f%n",
                impressions, model.auc(), oracle.auc());
        assertThat(model.auc()).isGreaterThan(oracle.auc() - 0.05);
    }

    @Test
    void boundedStreamEndsAndStopRequestsDrainsPendingActions() {
        TrafficSimulator sim = new TrafficSimulator(SimulatorConfig.defaults());
        for (int i = 0; i < 2_000; i++) {
            sim.next();
        }
        long requests = sim.requests();
        sim.stopRequests();
        long drained = 0;
        while (sim.hasNext()) {
            SimEvent e = sim.next();
            // only events of requests generated before the stop: their impressions and actions
            String id = e.impressionId();
            long request = Long.parseLong(id.substring(4, id.indexOf('-', 4)));
            assertThat(request).as("%s", e).isLessThan(requests);
            drained++;
        }
        assertThat(sim.requests()).isEqualTo(requests);
        assertThat(sim.pendingEvents()).isZero();
        assertThatThrownBy(sim::next).isInstanceOf(NoSuchElementException.class);
        System.out.printf("drained %d pending events after %d requests%n", drained, requests);

        TrafficSimulator empty = new TrafficSimulator(SimulatorConfig.defaults(), 0);
        assertThat(empty.hasNext()).isFalse();
    }

    @Test
    void holdoutMarksWholeRequests() {
        SimulatorConfig config = SimulatorConfig.builder().holdoutFraction(0.5).build();
        Map<String, Boolean> byRequest = new HashMap<>();
        for (SimEvent e : TrafficSimulator.generate(config, 200)) {
            if (e instanceof SimEvent.ImpressionEvent imp) {
                Impression i = imp.impression();
                Boolean prev = byRequest.putIfAbsent(i.getRequestId(), i.getHoldout());
                assertThat(prev == null || prev == i.getHoldout()).as("%s", i).isTrue();
            }
        }
        long held = byRequest.values().stream().filter(b -> b).count();
        assertThat(held).isBetween(70L, 130L);
    }

    @Test
    void smallCatalogStillGivesDistinctCandidates() {
        SimulatorConfig config =
                SimulatorConfig.builder().items(10).listSize(10).itemZipfExponent(3.0).build();
        Map<String, Set<String>> items = new HashMap<>();
        for (SimEvent e : TrafficSimulator.generate(config, 50)) {
            if (e instanceof SimEvent.ImpressionEvent imp) {
                Impression i = imp.impression();
                String item = i.getFeatures().getCategorical().get(TrafficSimulator.ITEM_ID);
                assertThat(items.computeIfAbsent(i.getRequestId(), r -> new HashSet<>()).add(item))
                        .as("item %s twice in %s", item, i.getRequestId())
                        .isTrue();
            }
        }
        assertThat(items).hasSize(50).allSatisfy((r, s) -> assertThat(s).hasSize(10));
    }

    @Test
    void driftMovesItemQualityOverHoursButKeepsItsScale() {
        SimulatorConfig config =
                SimulatorConfig.builder().requestsPerSecond(0.01).driftStdPerHour(1.0).build();
        TrafficSimulator sim = new TrafficSimulator(config, 200);
        Map<Integer, Double> first = new HashMap<>();
        Map<Integer, Double> last = new HashMap<>();
        while (sim.hasNext()) {
            SimEvent e = sim.next();
            if (e instanceof SimEvent.ImpressionEvent imp) {
                Impression i = imp.impression();
                int item = index(i.getFeatures().getCategorical().get(TrafficSimulator.ITEM_ID));
                // position 0, device 0 and user 0 fixed: only quality and age vary over time
                double q = sim.learnableLogit(0, item, 0, 0, i.getEventTimeMs());
                first.putIfAbsent(item, q);
                last.put(item, q);
            }
        }
        // 200 requests at 0.01/s span ~5.5 hours: qualities of re-shown items have moved
        double moved = 0;
        int n = 0;
        for (Map.Entry<Integer, Double> e : first.entrySet()) {
            double d = last.get(e.getKey()) - e.getValue();
            if (d != 0) {
                moved += Math.abs(d);
                n++;
            }
        }
        assertThat(n).isPositive();
        assertThat(moved / n).as("mean |quality change| of %d items", n).isGreaterThan(0.2);
    }

    @Test
    void configValidationNamesTheKey() {
        assertThatThrownBy(() -> SimulatorConfig.builder().users(0).build())
                .hasMessageContaining("freshrank.sim.users");
        assertThatThrownBy(() -> SimulatorConfig.builder().items(5).listSize(10).build())
                .hasMessageContaining("freshrank.sim.items")
                .hasMessageContaining("freshrank.sim.list-size");
        assertThatThrownBy(() -> SimulatorConfig.builder().likeProbability(1.5).build())
                .hasMessageContaining("freshrank.sim.like-probability");
        assertThatThrownBy(() -> SimulatorConfig.builder().requestsPerSecond(0).build())
                .hasMessageContaining("freshrank.sim.requests-per-second");
        assertThatThrownBy(
                        () ->
                                SimulatorConfig.builder()
                                        .itemQualityStd(0)
                                        .driftStdPerHour(0.1)
                                        .build())
                .hasMessageContaining("freshrank.sim.drift-std-per-hour");
        assertThatThrownBy(() -> SimulatorConfig.builder().set("freshrank.sim.nope", "1"))
                .hasMessageContaining("freshrank.sim.nope");
        assertThatThrownBy(() -> SimulatorConfig.builder().set("freshrank.sim.users", "many"))
                .hasMessageContaining("freshrank.sim.users");
    }

    @Test
    void configRoundTripsThroughProperties() {
        SimulatorConfig config =
                SimulatorConfig.builder()
                        .seed(99)
                        .users(123)
                        .itemZipfExponent(0.9)
                        .clickDelaySigma(0.5)
                        .build();
        Map<String, String> props = config.toProperties();
        assertThat(props.keySet()).containsExactlyElementsOf(SimulatorConfig.keys());
        Map<String, String> withForeign = new HashMap<>(props);
        withForeign.put("freshrank.join.attribution-window", "60 s");
        assertThat(SimulatorConfig.fromProperties(withForeign)).isEqualTo(config);
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    private static List<byte[]> encodeAll(List<SimEvent> events) {
        EventCodec<Impression> ic = EventCodec.of(Impression.class);
        EventCodec<Action> ac = EventCodec.of(Action.class);
        List<byte[]> out = new ArrayList<>();
        for (SimEvent e : events) {
            out.add(
                    e instanceof SimEvent.ImpressionEvent imp
                            ? ic.encode(imp.impression())
                            : ac.encode(((SimEvent.ActionEvent) e).action()));
        }
        return out;
    }

    private static int index(String rawId) {
        return Integer.parseInt(rawId.substring(1));
    }

    private static String segCatKey(Impression i) {
        Map<String, String> c = i.getFeatures().getCategorical();
        return c.get(TrafficSimulator.USER_SEGMENT) + "/" + c.get(TrafficSimulator.ITEM_CATEGORY);
    }

    private static void count(Map<String, long[]> m, String key, int y) {
        long[] c = m.computeIfAbsent(key, k -> new long[2]);
        c[0]++;
        c[1] += y;
    }

    /** Empirical CTR shrunk towards the prior with the weight of 20 pseudo-impressions. */
    private static double smoothed(long[] counts, double prior) {
        double shown = counts == null ? 0 : counts[0];
        double clicks = counts == null ? 0 : counts[1];
        return (clicks + 20 * prior) / (shown + 20);
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }
}
