package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.join.JoinHarness.Dead;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random traffic through the join, per policy, against a reference computed offline from the same
 * arrival sequence. Traffic (seeded): impressions, some duplicated; clicks, likes, dwells,
 * conversions and unknown actions from just before the impression to after its window, some
 * duplicated; arrival order shuffled within the watermark's out-of-orderness bound; a few
 * "straggler" actions delivered beyond the bound (late if their window closed meanwhile); actions
 * of impressions that never arrive (orphans). The watermark follows the bounded-out-of-orderness
 * rule (max event time seen - bound - 1) after every arrival.
 *
 * <p>The reference states the package doc's contract directly rather than replaying state: an
 * action counts (is "recorded") at its first arrival unless the watermark had already passed its
 * impression's window close (then it is LATE, and so is every later copy); an action of an
 * impression that never arrives is an orphan. The examples then follow from each impression's
 * arrival and its recorded, attributed actions in arrival order.
 */
class JoinPolicyRandomizedTest {
    private static final long WINDOW = 10_000;

    /**
     * Per-action windows around the default: like shorter than click, conversion longer (so WINDOW
     * waits 16 s while the click-driven policies close at 10 s), dwell at the default.
     */
    private static final AttributionWindows MIXED =
            AttributionWindows.parse("like=4s, conversion=16s", Duration.ofMillis(WINDOW));

    private static final AttributionWindows UNIFORM =
            AttributionWindows.uniform(Duration.ofMillis(WINDOW));

    /** The longest window of any variant: traffic spans it. */
    private static final long LONGEST = Math.max(MIXED.longestMs(), UNIFORM.longestMs());

    private static final long GRACE = 8_000;
    private static final long BOUND = 2_000;
    private static final long T0 = 1_767_225_600_000L;
    private static final int IMPRESSIONS = 300;
    private static final int GHOSTS = 20;

    /** One delivery into the join; {@code actionId} is null for an impression. */
    record Arrival(
            String impressionId, String actionId, ActionType type, long timeMs, float value) {
        boolean isImpression() {
            return actionId == null;
        }
    }

    /** What the join emitted (or must emit): canonical example strings and dead letters. */
    record Outcome(List<String> examples, List<String> deadLetters) {}

    static Stream<Arguments> cases() {
        return Stream.of(UNIFORM, MIXED)
                .flatMap(
                        w ->
                                Stream.of(EmissionPolicy.values())
                                        .flatMap(
                                                p ->
                                                        Stream.of(11L, 23L, 47L)
                                                                .map(
                                                                        seed ->
                                                                                Arguments.of(
                                                                                        p, seed,
                                                                                        w))));
    }

    private static JoinConfig config(EmissionPolicy policy, AttributionWindows windows) {
        return JoinHarness.config(WINDOW, GRACE, policy).withWindows(windows);
    }

    @ParameterizedTest(name = "{0}, seed {1}, windows {2}")
    @MethodSource("cases")
    void emittedExamplesMatchTheOfflineReference(
            EmissionPolicy policy, long seed, AttributionWindows windows) throws Exception {
        List<Arrival> arrivals = generate(seed, windows.closeAfterMs(policy));
        Outcome expected = reference(arrivals, policy, windows);
        assertTrafficIsNotTrivial(expected, arrivals, seed);

        Outcome actual;
        try (JoinHarness h = JoinHarness.open(config(policy, windows))) {
            Driver d = new Driver();
            d.feed(h, arrivals, 0, arrivals.size());
            d.finish(h);
            actual = outcome(h.emitted(), h.deadLetters());
            assertContract(policy, h.emitted(), seed);
        }

        assertThat(actual.examples())
                .as(
                        "examples of %s, seed %d (exampleId|emission|emitTime|impressionTime|labels)",
                        policy, seed)
                .containsExactlyElementsOf(expected.examples());
        assertThat(actual.deadLetters())
                .as("dead letters of %s, seed %d", policy, seed)
                .containsExactlyElementsOf(expected.deadLetters());
    }

    @ParameterizedTest(name = "{0}, seed {1}, windows {2}")
    @MethodSource("cases")
    void aRestoreFromASnapshotMidwayEmitsTheSame(
            EmissionPolicy policy, long seed, AttributionWindows windows) throws Exception {
        List<Arrival> arrivals = generate(seed, windows.closeAfterMs(policy));
        int half = arrivals.size() / 2;
        Driver d = new Driver();
        List<LabeledExample> emitted = new ArrayList<>();
        List<Dead> dead = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (JoinHarness first = JoinHarness.open(config(policy, windows))) {
            d.feed(first, arrivals, 0, half);
            snapshot = first.snapshot(1L);
            emitted.addAll(first.emitted());
            dead.addAll(first.deadLetters());
        }
        try (JoinHarness second = JoinHarness.restore(config(policy, windows), snapshot)) {
            d.resume(second);
            d.feed(second, arrivals, half, arrivals.size());
            d.finish(second);
            emitted.addAll(second.emitted());
            dead.addAll(second.deadLetters());
        }

        Outcome expected = reference(arrivals, policy, windows);
        Outcome actual = outcome(emitted, dead);
        assertThat(actual.examples())
                .as("examples of %s, seed %d, restored after arrival %d", policy, seed, half)
                .containsExactlyElementsOf(expected.examples());
        assertThat(actual.deadLetters())
                .as("dead letters of %s, seed %d, restored after arrival %d", policy, seed, half)
                .containsExactlyElementsOf(expected.deadLetters());
    }

    // ---- traffic -------------------------------------------------------------------------------

    /** Traffic whose actions span {@code [impression - 1 s, impression + span + 3 s)}. */
    static List<Arrival> generate(long seed, long span) {
        Random r = new Random(seed);
        List<Arrival> events = new ArrayList<>();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < IMPRESSIONS; i++) {
            String id = "imp-" + i;
            long t = T0 + r.nextInt(60_000);
            Arrival imp = new Arrival(id, null, null, t, 0f);
            add(events, keys, imp, t + jitter(r));
            if (r.nextDouble() < 0.1) {
                add(events, keys, imp, t + jitter(r));
            }
            int actions = r.nextInt(4);
            for (int a = 0; a < actions; a++) {
                ActionType type = randomType(r);
                long ta = t - 1_000 + r.nextInt((int) span + 4_000);
                float value = type == ActionType.DWELL ? 0.5f * (1 + r.nextInt(10)) : 1f;
                Arrival act = new Arrival(id, id + "-a" + a, type, ta, value);
                if (r.nextDouble() < 0.08) {
                    // a straggler: delivered beyond the out-of-orderness bound, but before the
                    // closed impression is forgotten (close + grace)
                    add(events, keys, act, ta + BOUND + 1 + r.nextInt(5_000));
                } else {
                    add(events, keys, act, ta + jitter(r));
                    if (r.nextDouble() < 0.15) {
                        add(events, keys, act, ta + jitter(r));
                    }
                }
            }
        }
        for (int g = 0; g < GHOSTS; g++) {
            String id = "ghost-" + g;
            long t = T0 + r.nextInt(60_000);
            int actions = 1 + r.nextInt(2);
            for (int a = 0; a < actions; a++) {
                long ta = t + r.nextInt(1_000);
                Arrival act = new Arrival(id, id + "-a" + a, randomType(r), ta, 1f);
                add(events, keys, act, ta + jitter(r));
                if (r.nextDouble() < 0.2) {
                    add(events, keys, act, ta + jitter(r));
                }
            }
        }
        // arrival order: by delivery key; ties in generation order
        return IntStream.range(0, events.size())
                .boxed()
                .sorted(Comparator.comparing(keys::get).thenComparing(i -> i))
                .map(events::get)
                .toList();
    }

    private static void add(List<Arrival> events, List<Long> keys, Arrival a, long key) {
        events.add(a);
        keys.add(key);
    }

    /** A delivery delay within the bound: never behind the watermark. */
    private static long jitter(Random r) {
        return r.nextInt((int) BOUND + 1);
    }

    private static ActionType randomType(Random r) {
        double u = r.nextDouble();
        if (u < 0.45) {
            return ActionType.CLICK;
        } else if (u < 0.65) {
            return ActionType.LIKE;
        } else if (u < 0.85) {
            return ActionType.DWELL;
        } else if (u < 0.95) {
            return ActionType.CONVERSION;
        }
        return ActionType.UNKNOWN;
    }

    /** Feeds arrivals with a bounded-out-of-orderness watermark after each. */
    private static final class Driver {
        private long maxSeen = Long.MIN_VALUE;
        private long watermark = Long.MIN_VALUE;

        void feed(JoinHarness h, List<Arrival> arrivals, int from, int to) throws Exception {
            for (int k = from; k < to; k++) {
                Arrival a = arrivals.get(k);
                if (a.isImpression()) {
                    h.impression(a.impressionId(), a.timeMs());
                } else {
                    h.action(a.impressionId(), a.actionId(), a.type(), a.timeMs(), a.value());
                }
                maxSeen = Math.max(maxSeen, a.timeMs());
                long wm = maxSeen - BOUND - 1;
                if (wm > watermark) {
                    watermark = wm;
                    h.watermark(wm);
                }
            }
        }

        /** After a restore: the new operator has seen no watermark yet. */
        void resume(JoinHarness h) throws Exception {
            if (watermark != Long.MIN_VALUE) {
                h.watermark(watermark);
            }
        }

        /** Ends the input: every window closes, every grace period passes. */
        void finish(JoinHarness h) throws Exception {
            h.watermark(maxSeen + LONGEST + 3 * GRACE);
        }
    }

    // ---- reference -----------------------------------------------------------------------------

    static Outcome reference(
            List<Arrival> arrivals, EmissionPolicy policy, AttributionWindows windows) {
        long closeAfter = windows.closeAfterMs(policy);
        int n = arrivals.size();
        long[] watermarkBefore = new long[n];
        long max = Long.MIN_VALUE;
        long wm = Long.MIN_VALUE;
        for (int k = 0; k < n; k++) {
            watermarkBefore[k] = wm;
            max = Math.max(max, arrivals.get(k).timeMs());
            wm = Math.max(wm, max - BOUND - 1);
        }
        Map<String, Integer> impressionArrival = new LinkedHashMap<>();
        Map<String, Long> impressionTime = new HashMap<>();
        for (int k = 0; k < n; k++) {
            Arrival a = arrivals.get(k);
            if (a.isImpression() && !impressionArrival.containsKey(a.impressionId())) {
                impressionArrival.put(a.impressionId(), k);
                impressionTime.put(a.impressionId(), a.timeMs());
                assertThat(watermarkBefore[k])
                        .as("generator: impression %s behind the watermark", a.impressionId())
                        .isLessThan(a.timeMs());
            }
        }

        Set<String> recordedIds = new HashSet<>();
        Set<String> orphanIds = new HashSet<>();
        Map<String, List<Integer>> recorded = new HashMap<>();
        List<String> dead = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Arrival a = arrivals.get(k);
            if (a.isImpression()) {
                continue;
            }
            Long t = impressionTime.get(a.impressionId());
            if (t == null) {
                if (orphanIds.add(a.actionId())) {
                    dead.add(dead("ORPHAN_ACTION", a.actionId()));
                }
                continue;
            }
            long close = t + closeAfter;
            assertThat(watermarkBefore[k])
                    .as("generator: action %s arrives after its impression is forgotten", a)
                    .isLessThan(close + GRACE);
            if (recordedIds.contains(a.actionId())) {
                continue;
            }
            if (watermarkBefore[k] >= close) {
                assertThat(impressionArrival.get(a.impressionId())).isLessThan(k);
                dead.add(dead("LATE", a.actionId()));
                continue;
            }
            recordedIds.add(a.actionId());
            recorded.computeIfAbsent(a.impressionId(), id -> new ArrayList<>()).add(k);
        }

        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, Integer> e : impressionArrival.entrySet()) {
            String id = e.getKey();
            int arrived = e.getValue();
            long t = impressionTime.get(id);
            long close = t + closeAfter;
            // attributed: inside its own type's window, and never after the close
            List<Integer> attributed =
                    recorded.getOrDefault(id, List.of()).stream()
                            .filter(k -> arrivals.get(k).timeMs() >= t)
                            .filter(k -> arrivals.get(k).timeMs() <= close)
                            .filter(k -> inOwnWindow(arrivals.get(k), t, windows))
                            .toList();
            List<Integer> clicks =
                    attributed.stream()
                            .filter(k -> arrivals.get(k).type() == ActionType.CLICK)
                            .toList();
            String atClose =
                    example(id, EmissionKind.WINDOW_CLOSE, close, t, labels(arrivals, attributed));
            String clickExample = null;
            if (!clicks.isEmpty()) {
                int emittedAt = Math.max(arrived, clicks.get(0));
                List<Integer> known = attributed.stream().filter(k -> k <= emittedAt).toList();
                long clickTime =
                        clicks.stream()
                                .filter(k -> k <= emittedAt)
                                .mapToLong(k -> arrivals.get(k).timeMs())
                                .min()
                                .orElseThrow();
                EmissionKind kind =
                        policy == EmissionPolicy.FAKE_NEGATIVE
                                ? EmissionKind.CORRECTION
                                : EmissionKind.EARLY_POSITIVE;
                clickExample = example(id, kind, clickTime, t, labels(arrivals, known));
            }
            switch (policy) {
                case WINDOW -> examples.add(atClose);
                case EARLY_POSITIVE -> examples.add(clickExample != null ? clickExample : atClose);
                case FAKE_NEGATIVE -> {
                    examples.add(
                            example(
                                    id,
                                    EmissionKind.FAKE_NEGATIVE,
                                    t,
                                    t,
                                    labels(arrivals, List.of())));
                    if (clickExample != null) {
                        examples.add(clickExample);
                    }
                }
            }
        }
        return new Outcome(sorted(examples), sorted(dead));
    }

    private static boolean inOwnWindow(Arrival a, long impressionTime, AttributionWindows w) {
        return a.timeMs() <= impressionTime + w.windowMs(a.type());
    }

    private static TreeMap<String, Float> labels(List<Arrival> arrivals, List<Integer> actions) {
        TreeMap<String, Float> labels = new TreeMap<>();
        for (String task : List.of("click", "like", "conversion", "dwell")) {
            labels.put(task, 0f);
        }
        for (int k : actions) {
            Arrival a = arrivals.get(k);
            switch (a.type()) {
                case UNKNOWN -> {}
                case DWELL -> labels.merge("dwell", a.value(), Float::sum);
                default -> labels.put(JoinState.label(a.type()), 1f);
            }
        }
        return labels;
    }

    // ---- comparison ----------------------------------------------------------------------------

    private static String example(
            String id,
            EmissionKind kind,
            long emitTime,
            long impressionTime,
            Map<String, Float> l) {
        return id + "|" + kind + "|" + emitTime + "|" + impressionTime + "|" + new TreeMap<>(l);
    }

    private static String dead(String reason, String actionId) {
        return reason + "|" + actionId;
    }

    private static Outcome outcome(List<LabeledExample> emitted, List<Dead> deadLetters) {
        List<String> examples = new ArrayList<>();
        for (LabeledExample ex : emitted) {
            examples.add(
                    example(
                            ex.getExampleId(),
                            ex.getEmission(),
                            ex.getEmitTimeMs(),
                            ex.getImpressionTimeMs(),
                            ex.getLabels()));
        }
        List<String> dead = new ArrayList<>();
        for (Dead d : deadLetters) {
            dead.add(dead(d.reason(), d.actionId()));
        }
        return new Outcome(sorted(examples), sorted(dead));
    }

    private static List<String> sorted(List<String> in) {
        return in.stream().sorted().toList();
    }

    /** The package doc's per-impression contract, checked on the emitted examples alone. */
    private static void assertContract(
            EmissionPolicy policy, List<LabeledExample> emitted, long seed) {
        Map<String, List<EmissionKind>> perImpression = new TreeMap<>();
        for (LabeledExample ex : emitted) {
            perImpression
                    .computeIfAbsent(ex.getExampleId(), id -> new ArrayList<>())
                    .add(ex.getEmission());
            float click = ex.getLabels().get("click");
            switch (ex.getEmission()) {
                case EARLY_POSITIVE, CORRECTION -> assertThat(click).isEqualTo(1f);
                case FAKE_NEGATIVE -> assertThat(click).isEqualTo(0f);
                case WINDOW_CLOSE -> {
                    if (policy == EmissionPolicy.EARLY_POSITIVE) {
                        assertThat(click).isEqualTo(0f);
                    }
                }
            }
        }
        assertThat(perImpression).as("seed %d", seed).hasSize(IMPRESSIONS);
        perImpression.forEach(
                (id, kinds) -> {
                    String what = policy + " seed " + seed + " impression " + id;
                    switch (policy) {
                        case WINDOW ->
                                assertThat(kinds)
                                        .as(what)
                                        .containsExactly(EmissionKind.WINDOW_CLOSE);
                        case EARLY_POSITIVE ->
                                assertThat(kinds)
                                        .as(what)
                                        .hasSize(1)
                                        .containsAnyOf(
                                                EmissionKind.WINDOW_CLOSE,
                                                EmissionKind.EARLY_POSITIVE);
                        case FAKE_NEGATIVE ->
                                assertThat(kinds)
                                        .as(what)
                                        .isIn(
                                                List.of(EmissionKind.FAKE_NEGATIVE),
                                                List.of(
                                                        EmissionKind.FAKE_NEGATIVE,
                                                        EmissionKind.CORRECTION));
                    }
                });
    }

    /** Guards against a generator that stopped producing the cases this test is about. */
    private static void assertTrafficIsNotTrivial(
            Outcome expected, List<Arrival> arrivals, long seed) {
        Set<String> seen = new HashSet<>();
        long duplicates = arrivals.stream().filter(a -> !seen.add(String.valueOf(a))).count();
        assertThat(duplicates).as("duplicate deliveries, seed %d", seed).isGreaterThan(10);
        assertThat(expected.deadLetters())
                .as("seed %d", seed)
                .anyMatch(d -> d.startsWith("LATE|"))
                .anyMatch(d -> d.startsWith("ORPHAN_ACTION|"));
        assertThat(expected.examples())
                .as("seed %d", seed)
                .anyMatch(e -> e.contains("click=1.0"))
                .anyMatch(e -> e.contains("click=0.0"));
    }
}
