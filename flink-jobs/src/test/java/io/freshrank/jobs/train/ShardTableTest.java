package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import io.freshrank.features.FeatureHasher;
import io.freshrank.features.FeatureSpec;
import io.freshrank.model.RowInitializer;
import io.freshrank.model.RowOptimizer;
import io.freshrank.model.RowOptimizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ShardTable} against an {@link InMemoryRowStore}, without a cache and with a cache small
 * enough that rows keep moving between cache and store.
 */
class ShardTableTest {
    static final int DIM = 4;
    static final int ROW_WIDTH = DIM + 1;
    static final float INIT_STDDEV = 0.1f;

    static final int ADAGRAD_SLOT = 1;
    static final int FTRL_SLOT = 2;
    static final int ADAM_SLOT = 3;
    static final int RARE_SLOT = 4; // admissionThreshold 3
    static final int SAMPLED_SLOT = 5; // admissionProbability 0.5
    static final int CLIPPED_SLOT = 6; // clipNorm 1
    static final int SHORT_LIVED_SLOT = 7; // idleExpiry 10 minutes
    static final int NUMERIC_SLOT = 8;
    static final int RARE_SAMPLED_SLOT = 9; // admissionThreshold 2, admissionProbability 0.5
    static final int UNKNOWN_SLOT = 10;

    static final long HOUR_MS = 3_600_000L;
    static final long SHORT_EXPIRY_MS = 600_000L;

    /** Every field the optimizers read is spelled out, so the hand-built optimizers match. */
    static final String SPEC_JSON =
            """
            {"name": "shard-table-test", "slots": [
              {"id": 1, "name": "adagrad", "dim": 4, "initStddev": 0.1, "idleExpiry": "PT1H",
               "optimizer": {"type": "ADAGRAD", "learningRate": 0.1, "initialAccumulator": 0.1,
                             "l2": 0.01}},
              {"id": 2, "name": "ftrl", "dim": 4, "initStddev": 0.1, "idleExpiry": "PT1H",
               "optimizer": {"type": "FTRL", "learningRate": 0.2, "beta": 1.0, "l1": 0.001,
                             "l2": 0.01}},
              {"id": 3, "name": "adam", "dim": 4, "initStddev": 0.1, "idleExpiry": "PT1H",
               "optimizer": {"type": "ADAM", "learningRate": 0.01, "beta1": 0.9, "beta2": 0.999,
                             "epsilon": 1e-8, "l2": 0.001}},
              {"id": 4, "name": "rare", "dim": 4, "initStddev": 0.1, "idleExpiry": "PT1H",
               "admissionThreshold": 3,
               "optimizer": {"type": "ADAGRAD", "learningRate": 0.1, "initialAccumulator": 0.1}},
              {"id": 5, "name": "sampled", "dim": 4, "initStddev": 0.1, "idleExpiry": "PT1H",
               "admissionProbability": 0.5,
               "optimizer": {"type": "ADAM", "learningRate": 0.01}},
              {"id": 6, "name": "clipped", "dim": 4, "initStddev": 0.1, "idleExpiry": "PT1H",
               "clipNorm": 1.0,
               "optimizer": {"type": "ADAGRAD", "learningRate": 0.1, "initialAccumulator": 0.1}},
              {"id": 7, "name": "short_lived", "dim": 4, "initStddev": 0.1, "idleExpiry": "PT10M",
               "optimizer": {"type": "ADAGRAD", "learningRate": 0.1, "initialAccumulator": 0.1}},
              {"id": 8, "name": "price", "kind": "NUMERIC"},
              {"id": 9, "name": "rare_sampled", "dim": 4, "initStddev": 0.1, "idleExpiry": "PT1H",
               "admissionThreshold": 2, "admissionProbability": 0.5, "clipNorm": 2.0,
               "optimizer": {"type": "FTRL", "learningRate": 0.1, "beta": 1.0, "l1": 0.01}}
            ]}
            """;

    static final FeatureSpec SPEC = FeatureSpec.fromJson(SPEC_JSON);

    /** The optimizers of slots 1, 2, 3 and 6, built by hand from the constants of the spec. */
    static RowOptimizer handOptimizer(int slot) {
        return switch (slot) {
            case ADAGRAD_SLOT ->
                    RowOptimizers.create("ADAGRAD", 0.1f, 0.1f, 0f, 0.01f, 0f, 0f, 0f, 1f);
            case FTRL_SLOT -> RowOptimizers.create("FTRL", 0.2f, 1f, 0.001f, 0.01f, 1f, 0f, 0f, 1f);
            case ADAM_SLOT ->
                    RowOptimizers.create("ADAM", 0.01f, 1f, 0f, 0.001f, 0f, 0.9f, 0.999f, 1e-8f);
            case CLIPPED_SLOT, SHORT_LIVED_SLOT, RARE_SLOT ->
                    RowOptimizers.create("ADAGRAD", 0.1f, 0.1f, 0f, 0f, 0f, 0f, 0f, 1f);
            default -> throw new IllegalArgumentException("no hand optimizer for slot " + slot);
        };
    }

    enum Mode {
        NO_CACHE,
        /** Four rows: every {@link #churn} evicts everything the test is looking at. */
        SMALL_CACHE
    }

    record Event(long id, boolean removed) {}

    /** A table, its store and what its change listener reported. */
    static final class Fixture {
        final InMemoryRowStore store = new InMemoryRowStore();
        final ShardTable table;
        final List<Event> events = new ArrayList<>();
        private int churned;

        Fixture(int cacheRows, long seed) {
            RowCache cache =
                    cacheRows > 0 ? new RowCache(cacheRows, ShardTable.entryWidth(SPEC)) : null;
            table = new ShardTable(SPEC, store, cache, CountMinSketch.withMaxBytes(4096, 4, 42L));
            table.setChangeListener((id, removed) -> events.add(new Event(id, removed)));
        }

        static Fixture of(Mode mode) {
            return new Fixture(mode == Mode.SMALL_CACHE ? 4 : 0, 7L);
        }

        /**
         * Admits 8 fresh ids of the Adagrad slot, so a small cache evicts (and writes back)
         * whatever it held.
         */
        List<Long> churn(long nowMs) throws Exception {
            List<Long> ids = new ArrayList<>();
            float[] out = new float[ROW_WIDTH];
            for (int i = 0; i < 8; i++) {
                long id = FeatureHasher.featureId(ADAGRAD_SLOT, "churn-" + churned++);
                assertThat(table.lookup(id, 1, nowMs, out, 0)).as("churn id %s", id).isTrue();
                ids.add(id);
            }
            return ids;
        }

        /** The row of {@code id} as a lookup without occurrences returns it, or null. */
        float[] read(long id, long nowMs) throws Exception {
            float[] out = new float[ROW_WIDTH];
            return table.lookup(id, 0, nowMs, out, 0) ? out : null;
        }

        /** The stored entry of {@code id} after a flush, or null. */
        EmbeddingRow stored(long id) throws Exception {
            table.flush();
            return store.peek(id);
        }

        /** Expires idle rows the way the operator's sweep does: cache first, then the store. */
        Set<Long> expire(long nowMs) throws Exception {
            Set<Long> out = new TreeSet<>();
            for (long id : table.expireCached(nowMs)) {
                out.add(id);
            }
            for (long id : store.ids()) {
                if (table.isCached(id)) {
                    continue;
                }
                EmbeddingRow row = store.get(id);
                if (row != null && table.isExpired(id, row, nowMs)) {
                    table.expireStored(id);
                    out.add(id);
                }
            }
            return out;
        }

        /**
         * What the listener reported plus what a flush now reports (changed entries the cache still
         * held): every id changed since the previous take, at least once.
         */
        List<Event> takeEvents() throws Exception {
            table.flush((id, data, offset) -> events.add(new Event(id, false)));
            List<Event> out = new ArrayList<>(events);
            events.clear();
            return out;
        }
    }

    static long id(int slot, String raw) {
        return FeatureHasher.featureId(slot, raw);
    }

    static int[] bits(float[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Float.floatToRawIntBits(a[i]);
        }
        return out;
    }

    static void assertBitwise(float[] actual, float[] expected, String what) {
        if (actual == null || !Arrays.equals(bits(actual), bits(expected))) {
            fail(
                    "%s: expected %s but was %s",
                    what,
                    Arrays.toString(expected),
                    actual == null ? "null" : Arrays.toString(actual));
        }
    }

    static void assertSameEntry(EmbeddingRow actual, EmbeddingRow expected, String what) {
        assertThat(actual).as("%s: entry", what).isNotNull();
        assertBitwise(actual.vector, expected.vector, what + ": vector");
        assertBitwise(actual.optimizerState, expected.optimizerState, what + ": optimizer state");
        assertThat(actual.count).as("%s: count", what).isEqualTo(expected.count);
        assertThat(actual.lastUpdateMs)
                .as("%s: lastUpdateMs", what)
                .isEqualTo(expected.lastUpdateMs);
    }

    /** A new entry as the table must create it: initial row, fresh optimizer state. */
    static EmbeddingRow initialEntry(long id, int slot, long nowMs) {
        float[] vector = RowInitializer.initialRow(id, DIM, INIT_STDDEV);
        RowOptimizer opt = handOptimizer(slot);
        float[] state = new float[opt.stateWidth(ROW_WIDTH)];
        opt.initState(vector, 0, state, 0, ROW_WIDTH);
        return new EmbeddingRow(vector, state, 0, nowMs);
    }

    static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller on the seeded stream.
            double u = 1.0 - rnd.nextDouble();
            double v = rnd.nextDouble();
            g[i] = (float) (scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return g;
    }

    // ---------------------------------------------------------------------------------------------
    // Admission

    @ParameterizedTest
    @EnumSource(Mode.class)
    void newIdWithThresholdOneIsAdmittedWithItsInitialRow(Mode mode) throws Exception {
        Fixture f = Fixture.of(mode);
        long now = 1_000L;
        int[] slots = {ADAGRAD_SLOT, FTRL_SLOT, ADAM_SLOT, CLIPPED_SLOT, SHORT_LIVED_SLOT};
        List<Long> ids = new ArrayList<>();
        for (int slot : slots) {
            long id = id(slot, "new-" + slot);
            ids.add(id);
            // Write at an offset, between two guard rows that must stay untouched.
            float[] out = new float[3 * ROW_WIDTH];
            Arrays.fill(out, -7f);
            assertThat(f.table.lookup(id, 1, now, out, ROW_WIDTH))
                    .as("first occurrence of %s in slot %s", id, slot)
                    .isTrue();
            float[] expected = RowInitializer.initialRow(id, DIM, INIT_STDDEV);
            assertBitwise(
                    Arrays.copyOfRange(out, ROW_WIDTH, 2 * ROW_WIDTH),
                    expected,
                    "row of new id " + id + " (slot " + slot + ")");
            assertThat(expected[0]).as("first-order weight of a new row").isZero();
            for (int i = 0; i < ROW_WIDTH; i++) {
                assertThat(out[i]).as("guard before the row, index %s", i).isEqualTo(-7f);
                assertThat(out[2 * ROW_WIDTH + i]).as("guard after, index %s", i).isEqualTo(-7f);
            }
        }
        assertThat(f.takeEvents())
                .as("change events of admissions")
                .containsExactlyInAnyOrderElementsOf(
                        ids.stream().map(id -> new Event(id, false)).toList());
        f.churn(now + 1);
        for (int k = 0; k < slots.length; k++) {
            long id = ids.get(k);
            assertBitwise(
                    f.read(id, now + 2),
                    RowInitializer.initialRow(id, DIM, INIT_STDDEV),
                    "re-read row of " + id);
            assertSameEntry(f.stored(id), initialEntry(id, slots[k], now), "stored entry of " + id);
        }
        assertThat(f.table.admitted()).isEqualTo(slots.length + 8);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void thresholdThreeAdmitsAtTheThirdTrainingOccurrence(Mode mode) throws Exception {
        Fixture f = Fixture.of(mode);
        long now = 5_000L;
        long id = id(RARE_SLOT, "rare-a");
        float[] out = new float[ROW_WIDTH];
        for (int i = 0; i < 10; i++) {
            assertThat(f.table.lookup(id, 0, now, out, 0))
                    .as("holdout-only occurrence %s", i)
                    .isFalse();
        }
        assertThat(f.table.sketch().estimate(id)).as("holdout occurrences counted").isZero();
        assertThat(f.table.lookup(id, 1, now, out, 0)).as("1st occurrence").isFalse();
        f.churn(now);
        assertThat(f.table.lookup(id, 0, now, out, 0)).as("holdout after the 1st").isFalse();
        assertThat(f.table.lookup(id, 1, now, out, 0)).as("2nd occurrence").isFalse();
        assertThat(f.stored(id)).as("entry before admission").isNull();
        f.churn(now);
        assertThat(f.table.lookup(id, 1, now, out, 0)).as("3rd occurrence").isTrue();
        assertBitwise(out, RowInitializer.initialRow(id, DIM, INIT_STDDEV), "admitted row");
        assertSameEntry(f.stored(id), initialEntry(id, RARE_SLOT, now), "admitted entry");

        // Occurrences of one batch count together.
        long twoThenOne = id(RARE_SLOT, "rare-b");
        assertThat(f.table.lookup(twoThenOne, 2, now, out, 0)).as("2 occurrences").isFalse();
        assertThat(f.table.lookup(twoThenOne, 1, now, out, 0)).as("2 + 1 occurrences").isTrue();
        long threeAtOnce = id(RARE_SLOT, "rare-c");
        assertThat(f.table.lookup(threeAtOnce, 3, now, out, 0)).as("3 occurrences").isTrue();
        assertBitwise(
                out, RowInitializer.initialRow(threeAtOnce, DIM, INIT_STDDEV), "row of rare-c");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void admissionProbabilityHalfAdmitsAboutHalfOfTheIds(Mode mode) throws Exception {
        Fixture f = Fixture.of(mode);
        Fixture twin = Fixture.of(mode);
        float[] out = new float[ROW_WIDTH];
        int n = 4000;
        Set<Long> admitted = new HashSet<>();
        Set<Long> twinAdmitted = new HashSet<>();
        for (int i = 0; i < n; i++) {
            long id = id(SAMPLED_SLOT, "once-" + i);
            if (f.table.lookup(id, 1, 10L, out, 0)) {
                admitted.add(id);
                assertBitwise(out, RowInitializer.initialRow(id, DIM, INIT_STDDEV), "row " + id);
            }
            if (twin.table.lookup(id, 1, 10L, out, 0)) {
                twinAdmitted.add(id);
            }
        }
        // Binomial(4000, 0.5): sd ~32, so +-300 is ~9.5 sd.
        assertThat(admitted.size())
                .as("ids admitted of %s single occurrences at p=0.5", n)
                .isBetween(1700, 2300);
        assertThat(twinAdmitted).as("same seed, same admissions").isEqualTo(admitted);
        f.table.flush();
        assertThat(f.store.ids()).as("stored ids").isEqualTo(new TreeSet<>(admitted));

        // Three occurrences in one batch are three chances: 1 - 0.5^3 = 0.875.
        int threeTimes = 0;
        for (int i = 0; i < n; i++) {
            if (f.table.lookup(id(SAMPLED_SLOT, "thrice-" + i), 3, 10L, out, 0)) {
                threeTimes++;
            }
        }
        assertThat(threeTimes)
                .as("ids admitted of %s triple occurrences at p=0.5 (expect ~3500)", n)
                .isBetween(3300, 3700);

        // A rejected id gets another chance at its next occurrence.
        int second = 0;
        int rejected = 0;
        for (int i = 0; i < n; i++) {
            long id = id(SAMPLED_SLOT, "once-" + i);
            if (!admitted.contains(id)) {
                rejected++;
                if (f.table.lookup(id, 1, 10L, out, 0)) {
                    second++;
                }
            }
        }
        assertThat((double) second / rejected)
                .as("second-chance admissions %s of %s", second, rejected)
                .isBetween(0.4, 0.6);
    }

    // ---------------------------------------------------------------------------------------------
    // Gradients

    static Stream<Arguments> modesAndOptimizerSlots() {
        List<Arguments> out = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            for (int slot : new int[] {ADAGRAD_SLOT, FTRL_SLOT, ADAM_SLOT}) {
                out.add(Arguments.of(mode, slot));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, slot {1}")
    @MethodSource("modesAndOptimizerSlots")
    void gradientsChangeTheRowExactlyLikeTheOptimizerByHand(Mode mode, int slot) throws Exception {
        Fixture f = Fixture.of(mode);
        SplittableRandom rnd = new SplittableRandom(100 + slot);
        long id = id(slot, "trained");
        long now = 20_000L;
        assertThat(f.table.lookup(id, 1, now, new float[ROW_WIDTH], 0)).isTrue();
        EmbeddingRow expected = initialEntry(id, slot, now);
        RowOptimizer opt = handOptimizer(slot);
        f.takeEvents();
        for (int step = 0; step < 12; step++) {
            now += 1_000;
            float[] grad = gaussian(rnd, ROW_WIDTH, 0.3);
            // Put the gradient at an offset in a bigger array, as in a GradientUpdate.
            float[] grads = new float[3 * ROW_WIDTH];
            System.arraycopy(grad, 0, grads, 2 * ROW_WIDTH, ROW_WIDTH);
            float[] before = grads.clone();
            assertThat(f.table.applyGradient(id, grads, 2 * ROW_WIDTH, now))
                    .as("outcome of step %s", step)
                    .isEqualTo(ShardTable.GradientOutcome.APPLIED);
            assertBitwise(grads, before, "caller's gradient array after step " + step);
            opt.apply(expected.vector, 0, expected.optimizerState, 0, grad, 0, ROW_WIDTH);
            expected.count++;
            expected.lastUpdateMs = now;
            if (step % 3 == 1) {
                f.churn(now);
            }
            assertBitwise(f.read(id, now), expected.vector, "row after step " + step);
        }
        assertSameEntry(f.stored(id), expected, "entry after 12 steps");
        List<Event> events = f.takeEvents().stream().filter(e -> e.id() == id).toList();
        // Without a cache every update is reported; with one, at least once per dirty period (the
        // churn writes the row back every third step, so it turns dirty again 4 times).
        assertThat(events)
                .as("change events of the trained id")
                .hasSize(mode == Mode.NO_CACHE ? 12 : 4)
                .allMatch(e -> !e.removed());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void nonFiniteGradientIsDroppedAndLeavesTheEntryUnchanged(Mode mode) throws Exception {
        Fixture f = Fixture.of(mode);
        long id = id(ADAM_SLOT, "guarded");
        long now = 1_000L;
        f.table.lookup(id, 1, now, new float[ROW_WIDTH], 0);
        float[] ok = {0.1f, -0.2f, 0.3f, 0.05f, -0.1f};
        assertThat(f.table.applyGradient(id, ok, 0, now + 1))
                .isEqualTo(ShardTable.GradientOutcome.APPLIED);
        EmbeddingRow before = f.stored(id);
        f.takeEvents();
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (float b : bad) {
            for (int pos = 0; pos < ROW_WIDTH; pos++) {
                float[] g = ok.clone();
                g[pos] = b;
                assertThat(f.table.applyGradient(id, g, 0, now + 100))
                        .as("outcome with %s at %s", b, pos)
                        .isEqualTo(ShardTable.GradientOutcome.NON_FINITE);
                f.churn(now + 100);
            }
        }
        assertSameEntry(f.stored(id), before, "entry after non-finite gradients");
        assertThat(f.takeEvents()).as("events").noneMatch(e -> e.id() == id);
        // A finite value next to a non-finite one elsewhere in the array is fine.
        float[] wide = new float[2 * ROW_WIDTH];
        Arrays.fill(wide, Float.NaN);
        System.arraycopy(ok, 0, wide, ROW_WIDTH, ROW_WIDTH);
        assertThat(f.table.applyGradient(id, wide, ROW_WIDTH, now + 200))
                .as("finite slice of an array with NaN elsewhere")
                .isEqualTo(ShardTable.GradientOutcome.APPLIED);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void clipNormClipsAndAppliesTheClippedGradient(Mode mode) throws Exception {
        Fixture f = Fixture.of(mode);
        long id = id(CLIPPED_SLOT, "clipped");
        long now = 1_000L;
        f.table.lookup(id, 1, now, new float[ROW_WIDTH], 0);
        EmbeddingRow expected = initialEntry(id, CLIPPED_SLOT, now);
        RowOptimizer opt = handOptimizer(CLIPPED_SLOT);

        float[] big = {3f, -4f, 0f, 12f, 0f}; // norm 13
        float[] input = big.clone();
        assertThat(f.table.applyGradient(id, input, 0, now + 1))
                .isEqualTo(ShardTable.GradientOutcome.CLIPPED);
        assertBitwise(input, big, "caller's gradient after clipping");
        float[] clipped = new float[ROW_WIDTH];
        double scale = 1.0 / 13.0;
        double norm2 = 0;
        for (int i = 0; i < ROW_WIDTH; i++) {
            clipped[i] = (float) (big[i] * scale);
            norm2 += (double) clipped[i] * clipped[i];
        }
        assertThat(Math.sqrt(norm2)).as("clipped norm").isCloseTo(1.0, within(1e-6));
        opt.apply(expected.vector, 0, expected.optimizerState, 0, clipped, 0, ROW_WIDTH);
        expected.count = 1;
        expected.lastUpdateMs = now + 1;
        f.churn(now + 1);
        assertSameEntry(f.stored(id), expected, "entry after a clipped gradient");

        float[] small = {0.3f, 0f, -0.4f, 0f, 0f}; // norm 0.5: not clipped
        assertThat(f.table.applyGradient(id, small, 0, now + 2))
                .isEqualTo(ShardTable.GradientOutcome.APPLIED);
        opt.apply(expected.vector, 0, expected.optimizerState, 0, small, 0, ROW_WIDTH);
        expected.count = 2;
        expected.lastUpdateMs = now + 2;
        assertSameEntry(f.stored(id), expected, "entry after an unclipped gradient");

        // clipNorm 0 (the Adagrad slot) never clips.
        long unclippedId = id(ADAGRAD_SLOT, "never-clipped");
        f.table.lookup(unclippedId, 1, now, new float[ROW_WIDTH], 0);
        assertThat(f.table.applyGradient(unclippedId, big.clone(), 0, now + 3))
                .isEqualTo(ShardTable.GradientOutcome.APPLIED);
        EmbeddingRow unclipped = initialEntry(unclippedId, ADAGRAD_SLOT, now);
        handOptimizer(ADAGRAD_SLOT)
                .apply(unclipped.vector, 0, unclipped.optimizerState, 0, big, 0, ROW_WIDTH);
        unclipped.count = 1;
        unclipped.lastUpdateMs = now + 3;
        assertSameEntry(f.stored(unclippedId), unclipped, "slot without clipNorm");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void gradientForAnIdWithoutRowIsNoRowAndCreatesNothing(Mode mode) throws Exception {
        Fixture f = Fixture.of(mode);
        long now = 1_000L;
        long rare = id(RARE_SLOT, "seen-once");
        f.table.lookup(rare, 1, now, new float[ROW_WIDTH], 0);
        long[] ids = {
            id(ADAGRAD_SLOT, "never-looked-up"),
            rare,
            id(UNKNOWN_SLOT, "no-such-slot"),
            id(NUMERIC_SLOT, "numeric"),
            FeatureHasher.missingId(ADAGRAD_SLOT),
            0L
        };
        float[] g = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
        for (long id : ids) {
            assertThat(f.table.applyGradient(id, g, 0, now))
                    .as("gradient for %s", id)
                    .isEqualTo(ShardTable.GradientOutcome.NO_ROW);
            f.churn(now);
        }
        f.table.flush();
        for (long id : ids) {
            assertThat(f.store.peek(id)).as("entry of %s", id).isNull();
            assertThat(f.read(id, now)).as("row of %s", id).isNull();
        }
        assertThat(f.events)
                .as("events")
                .noneMatch(e -> Arrays.stream(ids).anyMatch(i -> i == e.id()));
        // The gradient did not count toward admission: two more occurrences are needed.
        float[] out = new float[ROW_WIDTH];
        assertThat(f.table.lookup(rare, 1, now, out, 0)).as("2nd occurrence").isFalse();
        assertThat(f.table.lookup(rare, 1, now, out, 0)).as("3rd occurrence").isTrue();
        // Ids of unknown or numeric slots are never admitted, whatever their count.
        assertThat(f.table.lookup(id(UNKNOWN_SLOT, "x"), 100, now, out, 0)).isFalse();
        assertThat(f.table.lookup(id(NUMERIC_SLOT, "x"), 100, now, out, 0)).isFalse();
    }

    // ---------------------------------------------------------------------------------------------
    // Cache equivalence

    /**
     * The same random sequence of lookups and gradients through an uncached table and a cached one
     * (capacity 1: every insert evicts; 64: constant churn; 4096: never evicts) gives the same
     * result for every operation and, after a flush, bitwise the same store. With write-behind,
     * entries idle for 200 ms are written back every 500 operations; that changes when rows reach
     * the store, never what they hold, nor the set of ids reported changed.
     */
    @ParameterizedTest(name = "cacheRows={0}, writeBehind={1}")
    @CsvSource({"1, false", "64, false", "4096, false", "64, true", "4096, true"})
    void cachedTableFlushesToExactlyTheRowsOfAnUncachedTable(int cacheRows, boolean writeBehind)
            throws Exception {
        Fixture plain = new Fixture(0, 99L);
        Fixture cached = new Fixture(cacheRows, 99L);
        SplittableRandom rnd = new SplittableRandom(2024);
        int[] slots = {
            ADAGRAD_SLOT,
            FTRL_SLOT,
            ADAM_SLOT,
            RARE_SLOT,
            SAMPLED_SLOT,
            CLIPPED_SLOT,
            RARE_SAMPLED_SLOT,
            UNKNOWN_SLOT
        };
        long[] universe = new long[2000];
        for (int i = 0; i < universe.length; i++) {
            universe[i] = id(slots[i % slots.length], "u-" + i);
        }
        long now = 1_000_000L;
        float[] outPlain = new float[ROW_WIDTH];
        float[] outCached = new float[ROW_WIDTH];
        int lookups = 0;
        int applied = 0;
        int writtenBehind = 0;
        for (int op = 0; op < 20_000; op++) {
            if (writeBehind && op % 500 == 499) {
                writtenBehind += cached.table.writeBehind(now - 200, 1 + rnd.nextInt(cacheRows));
            }
            // Skewed: low indices are hot.
            double u = rnd.nextDouble();
            long id = universe[(int) (universe.length * u * u * u)];
            now += rnd.nextInt(5);
            if (rnd.nextDouble() < 0.55) {
                int occurrences = rnd.nextDouble() < 0.2 ? 0 : 1 + rnd.nextInt(3);
                Arrays.fill(outPlain, 0f);
                Arrays.fill(outCached, 0f);
                boolean a = plain.table.lookup(id, occurrences, now, outPlain, 0);
                boolean b = cached.table.lookup(id, occurrences, now, outCached, 0);
                assertThat(b).as("op %s: lookup(%s, %s) present", op, id, occurrences).isEqualTo(a);
                if (a) {
                    assertBitwise(outCached, outPlain, "op " + op + ": row of " + id);
                }
                lookups++;
            } else {
                double scale = new double[] {0.01, 0.3, 5.0}[rnd.nextInt(3)];
                float[] g = gaussian(rnd, ROW_WIDTH, scale);
                if (rnd.nextDouble() < 0.01) {
                    g[rnd.nextInt(ROW_WIDTH)] = Float.NaN;
                }
                var a = plain.table.applyGradient(id, g, 0, now);
                var b = cached.table.applyGradient(id, g, 0, now);
                assertThat(b).as("op %s: gradient outcome of %s", op, id).isEqualTo(a);
                if (a == ShardTable.GradientOutcome.APPLIED
                        || a == ShardTable.GradientOutcome.CLIPPED) {
                    applied++;
                }
            }
        }
        assertThat(lookups).isGreaterThan(5_000);
        assertThat(applied).as("gradients applied").isGreaterThan(3_000);
        assertThat(cached.table.admitted()).isEqualTo(plain.table.admitted());
        if (writeBehind) {
            assertThat(writtenBehind).as("entries written behind").isGreaterThan(100);
        }
        assertThat(new HashSet<>(cached.takeEvents()))
                .as("ids reported changed (cached rows by eviction or flush)")
                .isEqualTo(new HashSet<>(plain.takeEvents()));
        if (cacheRows < 4096) {
            assertThat(cached.table.cache().dirtyEvictions())
                    .as("dirty evictions with %s cache rows", cacheRows)
                    .isGreaterThan(100);
        } else {
            assertThat(cached.table.cache().evictions()).as("evictions").isZero();
        }

        cached.table.flush();
        Map<Long, EmbeddingRow> expected = plain.store.snapshot();
        Map<Long, EmbeddingRow> actual = cached.store.snapshot();
        assertThat(expected.size()).as("rows admitted").isGreaterThan(500);
        assertThat(new TreeSet<>(actual.keySet()))
                .as("stored ids")
                .isEqualTo(new TreeSet<>(expected.keySet()));
        for (Map.Entry<Long, EmbeddingRow> e : expected.entrySet()) {
            assertSameEntry(actual.get(e.getKey()), e.getValue(), "entry of " + e.getKey());
        }
        // A flush writes only what changed since the last one.
        long puts = cached.store.puts();
        cached.table.flush();
        assertThat(cached.store.puts()).as("puts of a second flush").isEqualTo(puts);
    }

    // ---------------------------------------------------------------------------------------------
    // Stored-id filter

    @ParameterizedTest
    @EnumSource(Mode.class)
    void idsNeverWrittenCostNoStoreReadAndWrittenOnesAreStillRead(Mode mode) throws Exception {
        Fixture f = Fixture.of(mode);
        long now = 1_000L;
        float[] out = new float[ROW_WIDTH];
        // Below the admission threshold: every occurrence used to read the store.
        long rare = id(RARE_SLOT, "below-threshold");
        for (int i = 0; i < 2; i++) {
            assertThat(f.table.lookup(rare, 1, now, out, 0)).isFalse();
        }
        long fresh = id(ADAGRAD_SLOT, "fresh");
        assertThat(f.table.lookup(fresh, 1, now, out, 0)).isTrue();
        assertThat(f.store.gets()).as("store reads for never-written ids").isZero();
        assertThat(f.table.storeReadsSkipped()).isEqualTo(3);

        // Once written (at admission without a cache, on eviction with one), it is read back.
        f.churn(now);
        f.table.flush();
        float[] grad = new float[ROW_WIDTH];
        Arrays.fill(grad, 0.5f);
        assertThat(f.table.applyGradient(fresh, grad, 0, now + 1))
                .isEqualTo(ShardTable.GradientOutcome.APPLIED);
        assertThat(f.store.gets()).as("store reads of the written id").isPositive();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aTableOverAFilledStoreFindsItsRowsAfterRebuildingTheStoredIds(Mode mode) throws Exception {
        Fixture a = Fixture.of(Mode.NO_CACHE);
        long now = 1_000L;
        float[] out = new float[ROW_WIDTH];
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            long id = id(ADAGRAD_SLOT, "restored-" + i);
            assertThat(a.table.lookup(id, 1, now, out, 0)).isTrue();
            ids.add(id);
        }
        // A second table over a copy of the store, as after a restore.
        Fixture b = Fixture.of(mode);
        a.store.snapshot().forEach(b.store::put);
        ShardTable.LongList keys = new ShardTable.LongList();
        b.store.ids().forEach(keys::add);
        b.table.rebuildStoredIds(keys);
        for (long id : ids) {
            assertThat(b.table.lookup(id, 0, now, out, 0)).as("restored row of %s", id).isTrue();
            assertThat(out).as("row of %s", id).containsExactly(a.store.peek(id).vector);
        }
        assertThat(b.table.admitted()).as("rows admitted again").isZero();
        assertThat(b.table.storedIds().bytes()).isPositive();
    }

    // ---------------------------------------------------------------------------------------------
    // Expiry

    @ParameterizedTest
    @EnumSource(Mode.class)
    void idleRowsExpireAndOthersAreKept(Mode mode) throws Exception {
        Fixture f = Fixture.of(mode);
        long t0 = 10_000_000L;
        long idle = id(SHORT_LIVED_SLOT, "idle");
        long updated = id(SHORT_LIVED_SLOT, "updated");
        long longLived = id(ADAGRAD_SLOT, "long-lived");
        float[] out = new float[ROW_WIDTH];
        for (long id : new long[] {idle, updated, longLived}) {
            assertThat(f.table.lookup(id, 1, t0, out, 0)).isTrue();
        }
        List<Long> churnAtT0 = f.churn(t0);
        long[] hot = new long[3];
        for (int i = 0; i < hot.length; i++) {
            hot[i] = id(SHORT_LIVED_SLOT, "hot-" + i);
            f.table.lookup(hot[i], 1, t0, out, 0);
        }
        float[] g = {0.1f, 0.1f, 0.1f, 0.1f, 0.1f};
        assertThat(f.table.applyGradient(updated, g, 0, t0 + 300_000))
                .isEqualTo(ShardTable.GradientOutcome.APPLIED);
        // Lookups are not updates: they do not keep a row alive.
        f.read(idle, t0 + 300_000);
        f.table.lookup(idle, 5, t0 + 300_000, out, 0);
        f.churn(t0 + 300_000);
        f.takeEvents();

        // Exactly idleExpiry idle: kept.
        assertThat(f.expire(t0 + SHORT_EXPIRY_MS)).as("expired at exactly idleExpiry").isEmpty();
        // The hot rows are updated in the cache just before the sweep.
        for (long h : hot) {
            f.table.applyGradient(h, g, 0, t0 + SHORT_EXPIRY_MS);
        }
        f.takeEvents();

        long sweep1 = t0 + SHORT_EXPIRY_MS + 1;
        Set<Long> expired1 = f.expire(sweep1);
        assertThat(expired1).as("expired at %s", sweep1).containsExactly(idle);
        assertThat(f.takeEvents()).as("events of sweep 1").containsExactly(new Event(idle, true));
        assertThat(f.read(idle, sweep1)).as("row of the idle id").isNull();
        assertThat(f.stored(idle)).as("entry of the idle id").isNull();
        for (long id : new long[] {updated, longLived, hot[0], hot[1], hot[2]}) {
            assertThat(f.read(id, sweep1)).as("row of %s after sweep 1", id).isNotNull();
        }
        assertThat(f.table.expired()).isEqualTo(1);

        // An expired id starts over: a fresh initial row and optimizer state.
        long readmitAt = sweep1 + 5;
        assertThat(f.table.lookup(idle, 1, readmitAt, out, 0)).as("re-admission").isTrue();
        assertSameEntry(
                f.stored(idle), initialEntry(idle, SHORT_LIVED_SLOT, readmitAt), "re-admitted");
        f.takeEvents();

        long sweep2 = t0 + HOUR_MS + 1;
        Set<Long> expected2 = new TreeSet<>(churnAtT0);
        expected2.addAll(List.of(idle, updated, longLived, hot[0], hot[1], hot[2]));
        Set<Long> expired2 = f.expire(sweep2);
        assertThat(expired2)
                .as("expired at %s (churn rows of t0+5min are kept)", sweep2)
                .isEqualTo(expected2);
        assertThat(new HashSet<>(f.takeEvents()))
                .as("events of sweep 2")
                .isEqualTo(
                        expected2.stream()
                                .map(id -> new Event(id, true))
                                .collect(Collectors.toSet()));
        f.table.flush();
        assertThat(f.store.ids())
                .as("stored ids after sweep 2")
                .doesNotContainAnyElementsOf(expected2);
        assertThat(f.store.size()).as("churn rows of t0+5min").isEqualTo(8);
        for (long id : expected2) {
            assertThat(f.read(id, sweep2)).as("row of %s after sweep 2", id).isNull();
        }
        assertThat(f.table.expired()).isEqualTo(1 + expected2.size());
    }

    @Test
    void isExpiredComparesIdleTimeWithTheSlotsExpiry() {
        ShardTable table = Fixture.of(Mode.NO_CACHE).table;
        long shortId = id(SHORT_LIVED_SLOT, "a");
        long longId = id(ADAGRAD_SLOT, "a");
        EmbeddingRow row = new EmbeddingRow(new float[ROW_WIDTH], new float[ROW_WIDTH], 3, 1_000);
        assertThat(table.isExpired(shortId, row, 1_000 + SHORT_EXPIRY_MS)).isFalse();
        assertThat(table.isExpired(shortId, row, 1_001 + SHORT_EXPIRY_MS)).isTrue();
        assertThat(table.isExpired(longId, row, 1_001 + SHORT_EXPIRY_MS)).isFalse();
        assertThat(table.isExpired(longId, row, 1_001 + HOUR_MS)).isTrue();
        assertThat(table.isExpired(id(UNKNOWN_SLOT, "a"), row, 1_000))
                .as("entry of a slot no longer in the spec")
                .isTrue();
    }

    @Test
    void cacheOfTheWrongWidthIsRejected() {
        int width = ShardTable.entryWidth(SPEC);
        // Row (5) plus the widest state: Adam's 2 * 5 + 1.
        assertThat(width).isEqualTo(ROW_WIDTH + 2 * ROW_WIDTH + 1);
        assertThatThrownBy(
                        () ->
                                new ShardTable(
                                        SPEC,
                                        new InMemoryRowStore(),
                                        new RowCache(4, width - 1),
                                        new CountMinSketch(64, 2, 1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cache width");
    }
}
