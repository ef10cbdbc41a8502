package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.join.JoinHarness.Dead;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.LabeledExample;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deduplication survives a restore: a scripted sequence with duplicate impressions and actions on
 * both sides of every possible restore point (before the impression, inside the window, in the
 * tombstone after close) emits exactly what the uninterrupted run emits. The ids seen so far live
 * in keyed state, so a duplicate delivered after a restore (as a replay from Kafka delivers it) is
 * still recognised.
 */
class JoinRestoreDeduplicationTest {
    private static final long WINDOW = 10_000;
    private static final long GRACE = 5_000;
    private static final long T0 = 1_767_225_600_000L;

    /** One input step of the script. */
    @FunctionalInterface
    interface Step {
        void apply(JoinHarness h) throws Exception;
    }

    /** The script; watermark steps are recorded so a restored harness can be brought up to date. */
    private static final class Script {
        final List<Step> steps = new ArrayList<>();
        final List<Long> watermarkAfter = new ArrayList<>();
        private long watermark = Long.MIN_VALUE;

        Script add(Step s) {
            steps.add(s);
            watermarkAfter.add(watermark);
            return this;
        }

        Script watermark(long t) {
            watermark = t;
            return add(h -> h.watermark(t));
        }
    }

    private static Script script() {
        return new Script()
                .add(h -> h.click("a", "a-click", T0 + 500)) // before its impression
                .add(h -> h.impression("b", T0 + 100))
                .add(h -> h.click("a", "a-click", T0 + 500)) // duplicate, still no impression
                .add(h -> h.impression("a", T0))
                .add(h -> h.impression("a", T0)) // duplicate impression
                .add(h -> h.action("b", "b-like", ActionType.LIKE, T0 + 1_500, 1f))
                .add(h -> h.click("b", "b-click", T0 + 2_000))
                .watermark(T0 + 3_000)
                .add(h -> h.action("b", "b-like", ActionType.LIKE, T0 + 1_500, 1f))
                .add(h -> h.click("b", "b-click", T0 + 2_000))
                .add(h -> h.impression("b", T0 + 100))
                .add(h -> h.action("a", "a-dwell", ActionType.DWELL, T0 + 4_000, 2.5f))
                .add(h -> h.action("a", "a-dwell", ActionType.DWELL, T0 + 4_000, 2.5f))
                .watermark(T0 + WINDOW + 200) // both windows closed
                .add(h -> h.impression("a", T0)) // duplicate in the tombstone
                .add(h -> h.click("b", "b-click", T0 + 2_000)) // duplicate, not late
                .add(h -> h.click("a", "a-late", T0 + 4_000)) // late
                .add(h -> h.click("a", "a-late", T0 + 4_000)) // a late action's copy: late too
                .watermark(T0 + WINDOW + 3 * GRACE);
    }

    static Stream<Arguments> restorePoints() {
        int n = script().steps.size();
        return Stream.of(EmissionPolicy.values())
                .flatMap(p -> IntStream.range(1, n).mapToObj(k -> Arguments.of(p, k)));
    }

    @ParameterizedTest(name = "{0}, restored after step {1}")
    @MethodSource("restorePoints")
    void aRestoreAnywhereEmitsWhatTheUninterruptedRunEmits(EmissionPolicy policy, int restoreAfter)
            throws Exception {
        Script script = script();
        List<String> expected = new ArrayList<>();
        try (JoinHarness h = JoinHarness.open(WINDOW, GRACE, policy)) {
            for (Step s : script.steps) {
                s.apply(h);
            }
            record(h, expected);
        }
        assertUninterruptedRunIsTheContract(policy, expected);

        List<String> actual = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (JoinHarness first = JoinHarness.open(WINDOW, GRACE, policy)) {
            for (Step s : script.steps.subList(0, restoreAfter)) {
                s.apply(first);
            }
            snapshot = first.snapshot(1L);
            record(first, actual);
        }
        try (JoinHarness second = JoinHarness.restore(WINDOW, GRACE, policy, snapshot)) {
            long watermark = script.watermarkAfter.get(restoreAfter - 1);
            if (watermark != Long.MIN_VALUE) {
                second.watermark(watermark);
            }
            for (Step s : script.steps.subList(restoreAfter, script.steps.size())) {
                s.apply(second);
            }
            record(second, actual);
        }
        assertThat(actual.stream().sorted().toList())
                .as("%s restored after step %d vs uninterrupted", policy, restoreAfter)
                .containsExactlyElementsOf(expected.stream().sorted().toList());
    }

    private static void assertUninterruptedRunIsTheContract(
            EmissionPolicy policy, List<String> out) {
        List<String> dead = out.stream().filter(s -> s.startsWith("dead|")).toList();
        assertThat(dead).containsExactly("dead|LATE|a-late", "dead|LATE|a-late");
        List<String> examples = out.stream().filter(s -> !s.startsWith("dead|")).toList();
        int expectedExamples = policy == EmissionPolicy.FAKE_NEGATIVE ? 4 : 2;
        assertThat(examples).as("%s: %s", policy, examples).hasSize(expectedExamples);
        if (policy == EmissionPolicy.WINDOW) {
            assertThat(examples)
                    .containsExactlyInAnyOrder(
                            "a|WINDOW_CLOSE|{click=1.0, conversion=0.0, dwell=2.5, like=0.0}",
                            "b|WINDOW_CLOSE|{click=1.0, conversion=0.0, dwell=0.0, like=1.0}");
        }
    }

    private static void record(JoinHarness h, List<String> out) {
        for (LabeledExample e : h.emitted()) {
            out.add(e.getExampleId() + "|" + e.getEmission() + "|" + new TreeMap<>(e.getLabels()));
        }
        for (Dead d : h.deadLetters()) {
            out.add("dead|" + d.reason() + "|" + d.actionId());
        }
    }
}
