package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.deploy.local.JoinTraffic.Event;
import io.freshrank.deploy.local.JoinTraffic.Expected;
import io.freshrank.deploy.local.JoinTraffic.Generator;
import io.freshrank.deploy.local.JoinTraffic.Kind;
import io.freshrank.deploy.local.JoinTraffic.Outcome;
import io.freshrank.deploy.local.JoinTraffic.Send;
import io.freshrank.jobs.join.EmissionPolicy;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.EventValidator;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.Impression;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The failure test's traffic has what the test claims (every kind of event and bad input), its bad
 * records are rejected by the real decoders with the reasons the test expects, and its timing keeps
 * every label independent of how partitions interleave (see {@link JoinTraffic}).
 */
class JoinTrafficTest {
    private static final JoinTraffic TRAFFIC = JoinTraffic.generate(42, 400, 12_000, 2);

    @Test
    void everyKindOfEventAndBadInputIsPlanted() {
        assertThat(TRAFFIC.expectedLabels()).hasSize(400);
        assertThat(TRAFFIC.expectedLabels().values())
                .anySatisfy(l -> assertThat(l).containsEntry("click", 1f))
                .anySatisfy(l -> assertThat(l).containsEntry("click", 0f))
                .anySatisfy(l -> assertThat(l).containsKey("dwell"))
                .anySatisfy(l -> assertThat(l).containsKey("like"))
                .anySatisfy(l -> assertThat(l).containsKey("conversion"));
        assertThat(Set.copyOf(TRAFFIC.expectedDeadLetters().values()))
                .containsExactlyInAnyOrder(
                        "UNDECODABLE",
                        "UNKNOWN_SCHEMA",
                        "MISSING_FIELD",
                        "NON_FINITE",
                        "TIME_OUT_OF_RANGE",
                        "ORPHAN_ACTION",
                        "LATE");
        assertThat(TRAFFIC.lateActions).hasSizeGreaterThanOrEqualTo(5);

        Map<String, Integer> copies = new HashMap<>();
        for (Event e : TRAFFIC.events) {
            if (e.kind() == Kind.IMPRESSION || e.kind() == Kind.ACTION) {
                copies.merge(e.kind() + "|" + id(e), 1, Integer::sum);
            }
        }
        for (Kind kind : List.of(Kind.IMPRESSION, Kind.ACTION)) {
            assertThat(copies)
                    .as("%s sent twice", kind)
                    .anySatisfy(
                            (k, n) ->
                                    assertThat(k + "|" + n).startsWith(kind + "|").endsWith("|2"));
        }
    }

    @Test
    void badRecordsAreRejectedByTheRealDecodersWithTheExpectedReason() {
        EventCodec<Impression> impressions = EventCodec.of(Impression.class);
        EventCodec<Action> actions = EventCodec.of(Action.class);
        EventValidator validator = EventValidator.defaults();
        for (Event e : TRAFFIC.events) {
            if (e.kind() != Kind.BAD) {
                continue;
            }
            String reason;
            if (e.send().topic().equals(JoinTraffic.IMPRESSIONS)) {
                DecodeResult<Impression> d = impressions.decode(e.send().value());
                reason =
                        d.isValid()
                                ? validator.check(d.value()).reason().name()
                                : d.reason().name();
            } else {
                DecodeResult<Action> d = actions.decode(e.send().value());
                reason =
                        d.isValid()
                                ? validator.check(d.value()).reason().name()
                                : d.reason().name();
            }
            assertThat(reason).as("reason of a planted %s", e.badReason()).isEqualTo(e.badReason());
        }
    }

    @Test
    void everyEventIsSentNoEarlierThanItsEventTimeAndAttributedOnesWhileTheirWindowIsOpen() {
        Map<String, Long> impressionTime = new HashMap<>();
        Map<String, Long> firstImpressionSend = new HashMap<>();
        for (Event e : TRAFFIC.events) {
            if (e.kind() == Kind.IMPRESSION) {
                String id = e.impression().getImpressionId().toString();
                impressionTime.put(id, e.impression().getEventTimeMs() - JoinTraffic.T0);
                firstImpressionSend.merge(id, e.send().atMs(), Math::min);
                assertThat(e.send().atMs()).isGreaterThanOrEqualTo(impressionTime.get(id));
            }
        }
        Set<String> actionFirst = new HashSet<>();
        for (Event e : TRAFFIC.events) {
            if (e.kind() != Kind.ACTION) {
                continue;
            }
            long t = e.action().getEventTimeMs() - JoinTraffic.T0;
            assertThat(e.send().atMs())
                    .as("%s sent before it happened", id(e))
                    .isGreaterThanOrEqualTo(t);
            Long imp = impressionTime.get(e.action().getImpressionId().toString());
            if (imp == null) {
                continue; // an orphan
            }
            String impressionId = e.action().getImpressionId().toString();
            if (e.send().atMs() < firstImpressionSend.get(impressionId)) {
                actionFirst.add(impressionId);
            }
            // the join's watermark is at most (send offset - bound) when it arrives: window open
            assertThat(e.send().atMs() - JoinTraffic.OUT_OF_ORDERNESS_MS)
                    .as("action %s arrives after its window may have closed", id(e))
                    .isLessThan(imp + JoinTraffic.WINDOW_MS - 1_000);
        }
        for (Map.Entry<String, Long> imp : impressionTime.entrySet()) {
            assertThat(firstImpressionSend.get(imp.getKey()) - JoinTraffic.OUT_OF_ORDERNESS_MS)
                    .isLessThan(imp.getValue() + JoinTraffic.WINDOW_MS - 1_000);
        }
        assertThat(actionFirst).as("impressions whose action is sent first").hasSizeGreaterThan(10);
    }

    @Test
    void windowReferenceIsTheLabelReference() {
        Map<String, List<Expected>> window = TRAFFIC.expectedExamples(EmissionPolicy.WINDOW);
        Map<String, Long> shown = TRAFFIC.impressionTimes();
        assertThat(window.keySet()).isEqualTo(TRAFFIC.expectedLabels().keySet());
        window.forEach(
                (id, x) ->
                        assertThat(x)
                                .containsExactly(
                                        new Expected(
                                                EmissionKind.WINDOW_CLOSE,
                                                Set.of(
                                                        new Outcome(
                                                                shown.get(id)
                                                                        + JoinTraffic.WINDOW_MS,
                                                                TRAFFIC.expectedLabels()
                                                                        .get(id))))));
    }

    @Test
    void clickDrivenReferencesFollowTheContractOnTheGeneratedTraffic() {
        Map<String, Map<String, Float>> fin = TRAFFIC.expectedLabels();
        Map<String, Long> shown = TRAFFIC.impressionTimes();
        Map<String, List<Expected>> early = TRAFFIC.expectedExamples(EmissionPolicy.EARLY_POSITIVE);
        Map<String, List<Expected>> fake = TRAFFIC.expectedExamples(EmissionPolicy.FAKE_NEGATIVE);
        assertThat(early.keySet()).isEqualTo(fin.keySet());
        // the flush impressions' windows never close: under FAKE_NEGATIVE, fake negatives only
        assertThat(fake.keySet())
                .containsAll(fin.keySet())
                .hasSize(fin.size() + 2)
                .contains("flush-0", "flush-1");
        for (String flush : List.of("flush-0", "flush-1")) {
            assertThat(fake.get(flush))
                    .singleElement()
                    .satisfies(x -> assertThat(x.kind()).isEqualTo(EmissionKind.FAKE_NEGATIVE));
        }
        int clicked = 0;
        int orderDependent = 0;
        for (String id : fin.keySet()) {
            boolean click = fin.get(id).get("click") == 1f;
            Outcome atClose = new Outcome(shown.get(id) + JoinTraffic.WINDOW_MS, fin.get(id));
            Outcome zeros =
                    new Outcome(
                            shown.get(id),
                            Map.of("click", 0f, "like", 0f, "conversion", 0f, "dwell", 0f));
            if (!click) {
                assertThat(early.get(id))
                        .containsExactly(new Expected(EmissionKind.WINDOW_CLOSE, Set.of(atClose)));
                assertThat(fake.get(id))
                        .containsExactly(new Expected(EmissionKind.FAKE_NEGATIVE, Set.of(zeros)));
                continue;
            }
            clicked++;
            assertThat(early.get(id)).hasSize(1);
            Expected positive = early.get(id).get(0);
            assertThat(positive.kind()).isEqualTo(EmissionKind.EARLY_POSITIVE);
            assertThat(fake.get(id))
                    .containsExactly(
                            new Expected(EmissionKind.FAKE_NEGATIVE, Set.of(zeros)),
                            new Expected(EmissionKind.CORRECTION, positive.allowed()));
            // the impression arriving after every action: the final labels
            assertThat(positive.allowed())
                    .anySatisfy(o -> assertThat(o.labels()).isEqualTo(fin.get(id)));
            for (Outcome o : positive.allowed()) {
                assertThat(o.labels()).containsEntry("click", 1f);
                assertThat(o.emitTimeMs())
                        .isBetween(shown.get(id), shown.get(id) + JoinTraffic.WINDOW_MS);
                o.labels()
                        .forEach(
                                (task, v) ->
                                        assertThat(v)
                                                .as("%s %s at most its final label", id, task)
                                                .isLessThanOrEqualTo(fin.get(id).get(task)));
            }
            if (positive.allowed().size() > 1) {
                orderDependent++;
            }
        }
        assertThat(clicked).as("clicked impressions").isBetween(100, 300);
        assertThat(orderDependent)
                .as("click examples whose labels depend on where the impression arrives")
                .isPositive();
    }

    @Test
    void aClickExampleCarriesEveryPrefixOfTheActionsThroughTheFirstClick() {
        long t = JoinTraffic.T0;
        List<Event> sent = new ArrayList<>();
        sent.add(impression("a", t, 0));
        sent.add(action("a", "a-like", ActionType.LIKE, t + 100, 1f, 0));
        sent.add(action("a", "a-click", ActionType.CLICK, t + 500, 1f, 0));
        sent.add(action("a", "a-like", ActionType.LIKE, t + 100, 1f, 0)); // a duplicate
        sent.add(action("a", "a-dwell", ActionType.DWELL, t + 600, 2f, 0));
        sent.add(action("a", "a-click2", ActionType.CLICK, t + 300, 1f, 0));
        sent.add(action("a", "a-outside", ActionType.CONVERSION, t + 3_001, 1f, 0));
        sent.add(impression("b", t + 50, 1));
        sent.add(action("b", "b-like", ActionType.LIKE, t + 60, 1f, 1));
        sent.add(action("b", "b-before", ActionType.CLICK, t + 40, 1f, 1));
        sent.add(action("ghost", "ghost-click", ActionType.CLICK, t + 10, 1f, 0));
        // a window the watermark never closes: only a fake negative
        sent.add(impression("c", t + 10_000, 2));
        sent.add(action("c", "c-like", ActionType.LIKE, t + 10_100, 1f, 0));
        long end = t + 5_000;

        Set<Outcome> a =
                Set.of(
                        new Outcome(t + 500, labels(1, 1, 0, 0)),
                        new Outcome(t + 500, labels(1, 1, 0, 2)),
                        new Outcome(t + 300, labels(1, 1, 0, 2)));
        Outcome bAtClose = new Outcome(t + 50 + JoinTraffic.WINDOW_MS, labels(0, 1, 0, 0));
        assertThat(JoinTraffic.expectedExamples(sent, EmissionPolicy.EARLY_POSITIVE, end))
                .isEqualTo(
                        Map.of(
                                "a", List.of(new Expected(EmissionKind.EARLY_POSITIVE, a)),
                                "b",
                                        List.of(
                                                new Expected(
                                                        EmissionKind.WINDOW_CLOSE,
                                                        Set.of(bAtClose)))));
        assertThat(JoinTraffic.expectedExamples(sent, EmissionPolicy.FAKE_NEGATIVE, end))
                .isEqualTo(
                        Map.of(
                                "a",
                                        List.of(
                                                new Expected(
                                                        EmissionKind.FAKE_NEGATIVE,
                                                        Set.of(new Outcome(t, labels(0, 0, 0, 0)))),
                                                new Expected(EmissionKind.CORRECTION, a)),
                                "b",
                                        List.of(
                                                new Expected(
                                                        EmissionKind.FAKE_NEGATIVE,
                                                        Set.of(
                                                                new Outcome(
                                                                        t + 50,
                                                                        labels(0, 0, 0, 0))))),
                                "c",
                                        List.of(
                                                new Expected(
                                                        EmissionKind.FAKE_NEGATIVE,
                                                        Set.of(
                                                                new Outcome(
                                                                        t + 10_000,
                                                                        labels(0, 0, 0, 0)))))));
        assertThat(JoinTraffic.expectedExamples(sent, EmissionPolicy.WINDOW, end))
                .containsOnlyKeys("a", "b");
        assertThat(JoinTraffic.expectedExamples(sent, EmissionPolicy.WINDOW, end).get("a"))
                .containsExactly(
                        new Expected(
                                EmissionKind.WINDOW_CLOSE,
                                Set.of(
                                        new Outcome(
                                                t + JoinTraffic.WINDOW_MS, labels(1, 1, 0, 2)))));
    }

    private static Event impression(String id, long t, int i) {
        Impression imp = Generator.impression(id, t, i);
        return new Event(
                Kind.IMPRESSION,
                imp,
                null,
                null,
                new Send(0, JoinTraffic.IMPRESSIONS, null, id, new byte[0]));
    }

    private static Event action(
            String impressionId, String id, ActionType type, long t, float value, int at) {
        Action a = Generator.action(impressionId, id, type, t);
        a.setValue(value);
        return new Event(
                Kind.ACTION,
                null,
                a,
                null,
                new Send(at, JoinTraffic.ACTIONS, null, impressionId, new byte[0]));
    }

    private static Map<String, Float> labels(
            float click, float like, float conversion, float dwell) {
        Map<String, Float> l = new TreeMap<>();
        l.put("click", click);
        l.put("like", like);
        l.put("conversion", conversion);
        l.put("dwell", dwell);
        return l;
    }

    private static String id(Event e) {
        return e.kind() == Kind.IMPRESSION
                ? e.impression().getImpressionId().toString()
                : e.action().getActionId().toString();
    }
}
