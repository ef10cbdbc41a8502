package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Negative down-sampling at window close ({@code freshrank.join.negative-sampling-rate}) on the
 * keyed operator harness: which negatives are kept (those the id hash keeps), what they carry
 * ({@code samplingRate}), that drops are counted, and that a replay after a restore keeps and drops
 * exactly the same examples as the attempt it replaces (the pattern of {@link
 * JoinRestoreDeduplicationTest}, with the replayed input delivered again).
 */
class NegativeSamplingTest {
    private static final long WINDOW = 10_000;
    private static final long GRACE = 5_000;
    private static final long T0 = 1_767_225_600_000L;
    private static final double RATE = 0.25;
    private static final int IMPRESSIONS = 400;

    private static JoinConfig config(EmissionPolicy policy) {
        return JoinHarness.config(WINDOW, GRACE, policy).withNegativeSamplingRate(RATE);
    }

    private static boolean clicked(int i) {
        return i % 5 == 0;
    }

    /** Feeds impressions {@code [from, to)}: one every 100 ms, every fifth clicked after 1 s. */
    private static void feed(JoinHarness h, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            long t = T0 + 100L * i;
            h.impression("imp-" + i, t);
            if (clicked(i)) {
                h.click("imp-" + i, "click-" + i, t + 1_000);
            }
            h.watermark(watermarkAfter(i));
        }
    }

    /** The watermark after impression {@code i}: its time (every earlier action is in). */
    private static long watermarkAfter(int i) {
        return T0 + 100L * i;
    }

    private static void finish(JoinHarness h) throws Exception {
        h.watermark(T0 + 100L * IMPRESSIONS + WINDOW + 3 * GRACE);
    }

    @ParameterizedTest
    @EnumSource(
            value = EmissionPolicy.class,
            names = {"WINDOW", "EARLY_POSITIVE"})
    void negativesAtCloseAreKeptByTheHashWithTheirRateAndDropsAreCounted(EmissionPolicy policy)
            throws Exception {
        NegativeSampler sampler = new NegativeSampler(RATE);
        try (JoinHarness h = JoinHarness.open(config(policy))) {
            feed(h, 0, IMPRESSIONS);
            finish(h);

            Set<String> expectedNegatives = new HashSet<>();
            int negatives = 0;
            for (int i = 0; i < IMPRESSIONS; i++) {
                if (!clicked(i)) {
                    negatives++;
                    if (sampler.keep("imp-" + i)) {
                        expectedNegatives.add("imp-" + i);
                    }
                }
            }
            List<LabeledExample> out = h.emitted();
            Set<String> keptNegatives = new HashSet<>();
            int positives = 0;
            for (LabeledExample e : out) {
                if (e.getLabels().get("click") > 0f) {
                    positives++;
                    assertThat(e.getSamplingRate()).as(e.getExampleId()).isEqualTo(1f);
                } else {
                    keptNegatives.add(e.getExampleId());
                    assertThat(e.getEmission()).isEqualTo(EmissionKind.WINDOW_CLOSE);
                    assertThat(e.getSamplingRate()).as(e.getExampleId()).isEqualTo((float) RATE);
                }
            }
            assertThat(positives).isEqualTo(IMPRESSIONS / 5);
            assertThat(keptNegatives).isEqualTo(expectedNegatives);
            assertThat(keptNegatives.size())
                    .as("kept of %d negatives at rate %.2f", negatives, RATE)
                    .isBetween(50, 110);
            assertThat(h.counter("negativesDroppedBySampling"))
                    .isEqualTo(negatives - keptNegatives.size());
            assertThat(h.counter("examplesEmitted")).isEqualTo(out.size());
        }
    }

    @ParameterizedTest
    @EnumSource(EmissionPolicy.class)
    void rateOneKeepsEveryNegativeAndFakeNegativesAreNeverSampled(EmissionPolicy policy)
            throws Exception {
        for (JoinConfig c : List.of(config(policy).withNegativeSamplingRate(1.0), config(policy))) {
            if (policy != EmissionPolicy.FAKE_NEGATIVE && c.negativeSamplingRate() < 1.0) {
                continue; // sampled above
            }
            try (JoinHarness h = JoinHarness.open(c)) {
                feed(h, 0, IMPRESSIONS);
                finish(h);
                assertThat(h.counter("negativesDroppedBySampling")).isZero();
                assertThat(h.emitted())
                        .allSatisfy(e -> assertThat(e.getSamplingRate()).isEqualTo(1f))
                        .extracting(LabeledExample::getExampleId)
                        .containsAll(
                                IntStream.range(0, IMPRESSIONS).mapToObj(i -> "imp-" + i).toList());
            }
        }
    }

    static Stream<Arguments> restorePoints() {
        return Stream.of(EmissionPolicy.WINDOW, EmissionPolicy.EARLY_POSITIVE)
                .flatMap(p -> Stream.of(1, 97, 150, 233, 399).map(k -> Arguments.of(p, k)));
    }

    @ParameterizedTest(name = "{0}, restored after impression {1}")
    @MethodSource("restorePoints")
    void aReplayAfterARestoreDropsTheSameNegatives(EmissionPolicy policy, int restoreAfter)
            throws Exception {
        List<String> uninterrupted = new ArrayList<>();
        try (JoinHarness h = JoinHarness.open(config(policy))) {
            feed(h, 0, IMPRESSIONS);
            finish(h);
            record(h.emitted(), uninterrupted);
        }

        List<String> committed = new ArrayList<>();
        List<String> abortedAttempt = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (JoinHarness first = JoinHarness.open(config(policy))) {
            feed(first, 0, restoreAfter);
            snapshot = first.snapshot(1L);
            record(first.emitted(), committed);
            // the failed attempt goes on past the checkpoint; its output is aborted
            feed(first, restoreAfter, Math.min(IMPRESSIONS, restoreAfter + 150));
            List<String> all = new ArrayList<>();
            record(first.emitted(), all);
            abortedAttempt.addAll(all.subList(committed.size(), all.size()));
        }
        List<String> replayed = new ArrayList<>();
        try (JoinHarness second = JoinHarness.restore(config(policy), snapshot)) {
            second.watermark(watermarkAfter(restoreAfter - 1));
            feed(second, restoreAfter, IMPRESSIONS);
            finish(second);
            record(second.emitted(), replayed);
        }

        List<String> actual = new ArrayList<>(committed);
        actual.addAll(replayed);
        assertThat(sorted(actual))
                .as("%s restored after %d vs uninterrupted", policy, restoreAfter)
                .containsExactlyElementsOf(sorted(uninterrupted));
        assertThat(replayed.subList(0, Math.min(replayed.size(), abortedAttempt.size())))
                .as("the replay re-emits exactly what the aborted attempt emitted, in order")
                .containsExactlyElementsOf(abortedAttempt);
    }

    private static void record(List<LabeledExample> emitted, List<String> out) {
        for (LabeledExample e : emitted) {
            out.add(
                    e.getExampleId()
                            + "|"
                            + e.getEmission()
                            + "|"
                            + e.getSamplingRate()
                            + "|"
                            + new TreeMap<>(e.getLabels()));
        }
    }

    private static List<String> sorted(List<String> in) {
        return in.stream().sorted().toList();
    }
}
