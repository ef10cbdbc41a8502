package io.freshrank.jobs.join;

import static io.freshrank.jobs.join.ListExamples.GRACE_MS;
import static io.freshrank.jobs.join.ListExamples.T0;
import static io.freshrank.jobs.join.ListExamples.WINDOW_MS;
import static io.freshrank.jobs.join.ListExamples.config;
import static io.freshrank.jobs.join.ListExamples.ids;
import static io.freshrank.jobs.join.ListExamples.input;
import static io.freshrank.jobs.join.ListExamples.positions;
import static io.freshrank.jobs.join.ListExamples.windowClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.join.ListAssembler.Outcome;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.ListCandidate;
import io.freshrank.schema.avro.ListExample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class ListAssemblerTest {
    private final InMemoryHeld held = new InMemoryHeld();
    private final ListProgress progress = new ListProgress();

    private Outcome add(ListAssembler a, LabeledExample ex) {
        return a.add(progress, held, input(ex));
    }

    @Test
    void sortsByPositionWhateverTheArrivalOrder() {
        ListAssembler a = new ListAssembler(config(100));
        List<Integer> order = new ArrayList<>(IntStream.range(0, 20).boxed().toList());
        Collections.shuffle(order, new Random(7));
        for (int pos : order) {
            assertThat(add(a, windowClose("r1", "i" + pos, pos, T0, pos % 3 == 0 ? 1f : 0f)))
                    .isEqualTo(Outcome.ADDED);
        }

        ListExample list = a.assemble("r1", progress, held, T0 + WINDOW_MS + GRACE_MS);

        assertThat(positions(list)).as("arrival order %s", order).isSorted().hasSize(20);
        assertThat(positions(list))
                .containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
        assertThat(list.getRequestId()).isEqualTo("r1");
        assertThat(list.getListSize()).isEqualTo(20);
        assertThat(list.getOverflowCount()).isZero();
        assertThat(list.getEmitTimeMs()).isEqualTo(T0 + WINDOW_MS + GRACE_MS);
        for (ListCandidate c : list.getCandidates()) {
            assertThat(c.getLabels())
                    .as("labels of %s", c.getExampleId())
                    .containsOnly(entry("click", c.getPosition() % 3 == 0 ? 1f : 0f));
        }
    }

    @Test
    void tiesInPositionAreOrderedByExampleId() {
        ListAssembler a = new ListAssembler(config(100));
        add(a, windowClose("r1", "b", 1, T0, 0f));
        add(a, windowClose("r1", "c", 0, T0, 0f));
        add(a, windowClose("r1", "a", 1, T0, 0f));

        assertThat(ids(a.assemble("r1", progress, held, T0))).containsExactly("c", "a", "b");
    }

    @Test
    void aCandidateCarriesEveryFieldOfItsExample() {
        ListAssembler a = new ListAssembler(config(100));
        LabeledExample ex =
                ListExamples.example(
                        "r1", "i1", 4, T0, T0 + 5_000L, 1f, EmissionKind.EARLY_POSITIVE);
        ex.setHoldout(true);
        ex.setSamplingRate(0.5f);
        add(a, ex);

        ListCandidate c = a.assemble("r1", progress, held, T0).getCandidates().get(0);

        assertThat(c.getExampleId()).isEqualTo("i1");
        assertThat(c.getImpressionTimeMs()).isEqualTo(T0);
        assertThat(c.getEmitTimeMs()).isEqualTo(T0 + 5_000L);
        assertThat(c.getPosition()).isEqualTo(4);
        assertThat(c.getFeatures()).isEqualTo(ex.getFeatures());
        assertThat(c.getLabels()).containsOnly(entry("click", 1f));
        assertThat(c.getOracleProbability()).isEqualTo(0.25f);
        assertThat(c.getHoldout()).isTrue();
        assertThat(c.getSamplingRate()).isEqualTo(0.5f);
        assertThat(c.getEmission()).isEqualTo(EmissionKind.EARLY_POSITIVE);
    }

    @Test
    void anExampleIdSeenTwiceIsKeptOnceWithItsFirstLabels() {
        ListAssembler a = new ListAssembler(config(100));
        assertThat(add(a, windowClose("r1", "i0", 0, T0, 1f))).isEqualTo(Outcome.ADDED);
        assertThat(add(a, windowClose("r1", "i1", 1, T0, 0f))).isEqualTo(Outcome.ADDED);
        assertThat(add(a, windowClose("r1", "i0", 0, T0, 0f))).isEqualTo(Outcome.DUPLICATE);

        ListExample list = a.assemble("r1", progress, held, T0);

        assertThat(ids(list)).containsExactly("i0", "i1");
        assertThat(list.getCandidates().get(0).getLabels()).containsOnly(entry("click", 1f));
        assertThat(progress.held).isEqualTo(2);
    }

    @Test
    void theDeadlineIsTheLatestWindowClosePlusGrace() {
        ListAssembler a = new ListAssembler(config(100));
        add(a, windowClose("r1", "i0", 0, T0 + 300L, 0f));
        assertThat(progress.deadlineMs).isEqualTo(T0 + 300L + WINDOW_MS + GRACE_MS);

        add(a, windowClose("r1", "i1", 1, T0, 0f));
        assertThat(progress.deadlineMs)
                .as("an earlier impression does not move the deadline back")
                .isEqualTo(T0 + 300L + WINDOW_MS + GRACE_MS);

        add(a, windowClose("r1", "i2", 2, T0 + 900L, 0f));
        assertThat(progress.deadlineMs).isEqualTo(T0 + 900L + WINDOW_MS + GRACE_MS);
    }

    @Test
    void anEarlyPositiveWaitsForItsWindowCloseLikeItsSiblings() {
        ListAssembler a = new ListAssembler(config(100));
        LabeledExample early =
                ListExamples.example(
                        "r1", "i0", 0, T0, T0 + 3_000L, 1f, EmissionKind.EARLY_POSITIVE);

        assertThat(a.deadlineOf(input(early))).isEqualTo(T0 + WINDOW_MS + GRACE_MS);
    }

    @Test
    void aPartialListHoldsWhatArrivedByItsDeadline() {
        ListAssembler a = new ListAssembler(config(100));
        add(a, windowClose("r1", "i3", 3, T0, 0f));
        add(a, windowClose("r1", "i1", 1, T0, 1f));

        ListExample list = a.assemble("r1", progress, held, progress.deadlineMs);

        assertThat(ids(list)).containsExactly("i1", "i3");
        assertThat(list.getListSize()).isEqualTo(2);
        assertThat(list.getOverflowCount()).isZero();
    }

    @Test
    void aFullListKeepsTheLowestPositionsAndCountsTheRest() {
        ListAssembler a = new ListAssembler(config(3));
        List<Outcome> outcomes = new ArrayList<>();
        for (int pos : new int[] {5, 1, 4, 0, 9, 2, 3}) {
            outcomes.add(add(a, windowClose("r1", "i" + pos, pos, T0, 0f)));
        }

        assertThat(outcomes)
                .containsExactly(
                        Outcome.ADDED,
                        Outcome.ADDED,
                        Outcome.ADDED,
                        Outcome.REPLACED_HIGHEST, // 0 replaces 5
                        Outcome.OVERFLOW, // 9
                        Outcome.REPLACED_HIGHEST, // 2 replaces 4
                        Outcome.OVERFLOW); // 3
        assertThat(held.size()).as("held examples never exceed the maximum").isEqualTo(3);
        ListExample list = a.assemble("r1", progress, held, T0);
        assertThat(positions(list)).containsExactly(0, 1, 2);
        assertThat(list.getListSize()).isEqualTo(3);
        assertThat(list.getOverflowCount()).isEqualTo(4);
    }

    @Test
    void aBigListIsBoundedWhateverTheArrivalOrder() {
        ListAssembler a = new ListAssembler(config(50));
        List<Integer> order = new ArrayList<>(IntStream.range(0, 1_000).boxed().toList());
        Collections.shuffle(order, new Random(11));
        int maxHeld = 0;
        for (int pos : order) {
            add(a, windowClose("r1", "i" + pos, pos, T0, 0f));
            maxHeld = Math.max(maxHeld, held.size());
        }

        ListExample list = a.assemble("r1", progress, held, T0);
        assertThat(maxHeld).isEqualTo(50);
        assertThat(positions(list))
                .containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
        assertThat(list.getOverflowCount()).isEqualTo(950);
    }

    @Test
    void listsAreRejectedUnderFakeNegative() {
        Configuration conf = new Configuration();
        Duration window = Duration.ofMinutes(1);

        assertThatThrownBy(
                        () -> ListAssemblyConfig.from(conf, EmissionPolicy.FAKE_NEGATIVE, window))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FreshrankOptions.JOIN_LISTS.key())
                .hasMessageContaining(FreshrankOptions.EMISSION_POLICY.key());
        for (EmissionPolicy supported :
                new EmissionPolicy[] {EmissionPolicy.WINDOW, EmissionPolicy.EARLY_POSITIVE}) {
            assertThat(ListAssemblyConfig.from(conf, supported, window))
                    .isEqualTo(
                            new ListAssemblyConfig(
                                    window,
                                    FreshrankOptions.JOIN_LISTS_GRACE.defaultValue(),
                                    FreshrankOptions.JOIN_LISTS_MAX_SIZE.defaultValue(),
                                    FreshrankOptions.JOIN_LISTS_STATE_TTL.defaultValue()));
        }
    }

    @Test
    void badSettingsNameTheirKey() {
        assertThatThrownBy(
                        () ->
                                new ListAssemblyConfig(
                                        Duration.ofMinutes(1),
                                        Duration.ofSeconds(1),
                                        0,
                                        Duration.ofHours(1)))
                .hasMessageContaining(FreshrankOptions.JOIN_LISTS_MAX_SIZE.key());
        assertThatThrownBy(
                        () ->
                                new ListAssemblyConfig(
                                        Duration.ofMinutes(1),
                                        Duration.ofSeconds(-1),
                                        5,
                                        Duration.ofHours(1)))
                .hasMessageContaining(FreshrankOptions.JOIN_LISTS_GRACE.key());
        assertThatThrownBy(
                        () ->
                                new ListAssemblyConfig(
                                        Duration.ofMinutes(1),
                                        Duration.ofSeconds(1),
                                        5,
                                        Duration.ZERO))
                .hasMessageContaining(FreshrankOptions.JOIN_LISTS_STATE_TTL.key());
    }
}
