package io.freshrank.jobs.train;

import static io.freshrank.jobs.train.ShardTableTest.ADAGRAD_SLOT;
import static io.freshrank.jobs.train.ShardTableTest.ADAM_SLOT;
import static io.freshrank.jobs.train.ShardTableTest.CLIPPED_SLOT;
import static io.freshrank.jobs.train.ShardTableTest.DIM;
import static io.freshrank.jobs.train.ShardTableTest.FTRL_SLOT;
import static io.freshrank.jobs.train.ShardTableTest.INIT_STDDEV;
import static io.freshrank.jobs.train.ShardTableTest.RARE_SAMPLED_SLOT;
import static io.freshrank.jobs.train.ShardTableTest.RARE_SLOT;
import static io.freshrank.jobs.train.ShardTableTest.ROW_WIDTH;
import static io.freshrank.jobs.train.ShardTableTest.SAMPLED_SLOT;
import static io.freshrank.jobs.train.ShardTableTest.SHORT_EXPIRY_MS;
import static io.freshrank.jobs.train.ShardTableTest.SHORT_LIVED_SLOT;
import static io.freshrank.jobs.train.ShardTableTest.SPEC;
import static io.freshrank.jobs.train.ShardTableTest.assertBitwise;
import static io.freshrank.jobs.train.ShardTableTest.assertSameEntry;
import static io.freshrank.jobs.train.ShardTableTest.gaussian;
import static io.freshrank.jobs.train.ShardTableTest.id;
import static io.freshrank.jobs.train.ShardTableTest.initialEntry;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.model.RowInitializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EmbeddingShardOperator} in Flink's keyed two-input harness (heap state backend; restore
 * and expiry also on RocksDB): restore equals an uninterrupted run, rescaling keeps rows and
 * admission counts, processing-time expiry, and gradient guardrails. Rows are read back with
 * lookups of zero occurrences (no admission side effects), and whole entries (row, optimizer state,
 * count, last update) straight from keyed state after a cache flush.
 */
class EmbeddingShardOperatorTest {
    static final int MAX_PARALLELISM = 128;
    static final long T0 = 1_000_000L;
    static final long DAY_MS = 86_400_000L;

    /** Cache bytes that hold a handful of rows, so the tests' few hundred ids keep evicting. */
    static final long SMALL_CACHE_BYTES = 2_000;

    static ShardConfig config(long cacheBytes, long sweepIntervalMs) {
        return config(cacheBytes, sweepIntervalMs, 0);
    }

    static ShardConfig config(long cacheBytes, long sweepIntervalMs, long writeBehindIdleMs) {
        return new ShardConfig(
                cacheBytes, 4096, sweepIntervalMs, 7 * DAY_MS, null, 10, writeBehindIdleMs);
    }

    /** A cache that holds every row of the tests' universes: write-behind, not eviction. */
    static final long LARGE_CACHE_BYTES = 1 << 20;

    /**
     * One shard subtask in a keyed harness. Wraps the harness rather than extending it: the harness
     * is AutoCloseable with a close() that throws Exception, which -Xlint:try flags on subclasses.
     */
    static final class Shard {
        final KeyedTwoInputStreamOperatorTestHarness<
                        Long, LookupRequest, GradientUpdate, TrainerInput>
                h;
        final int parallelism;
        final int subtask;
        private long readBatch = -1;

        Shard(ShardConfig config, int parallelism, int subtask) throws Exception {
            this.h =
                    new KeyedTwoInputStreamOperatorTestHarness<>(
                            new EmbeddingShardOperator(SPEC, config),
                            r -> r.ids[0],
                            g -> g.ids[0],
                            Types.LONG,
                            MAX_PARALLELISM,
                            parallelism,
                            subtask);
            this.parallelism = parallelism;
            this.subtask = subtask;
        }

        void setProcessingTime(long ms) throws Exception {
            h.setProcessingTime(ms);
        }

        void processElement1(StreamRecord<LookupRequest> r) throws Exception {
            h.processElement1(r);
        }

        void processElement2(StreamRecord<GradientUpdate> r) throws Exception {
            h.processElement2(r);
        }

        List<TrainerInput> extractOutputValues() {
            return h.extractOutputValues();
        }

        Collection<Object> getOutput() {
            return h.getOutput();
        }

        /** Timestamps of the timers registered with the processing-time service (the sweep). */
        Set<Long> activeTimers() {
            return h.getProcessingTimeService().getActiveTimerTimestamps();
        }

        void close() throws Exception {
            h.close();
        }

        /** A harness opened at processing time {@code nowMs}, from {@code state} unless null. */
        static Shard open(
                ShardConfig config,
                int parallelism,
                int subtask,
                OperatorSubtaskState state,
                long nowMs)
                throws Exception {
            return open(Backend.HEAP, config, parallelism, subtask, state, nowMs);
        }

        static Shard open(
                Backend backend,
                ShardConfig config,
                int parallelism,
                int subtask,
                OperatorSubtaskState state,
                long nowMs)
                throws Exception {
            Shard s = new Shard(config, parallelism, subtask);
            if (backend == Backend.ROCKSDB) {
                s.h.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            s.h.setProcessingTime(nowMs);
            if (state != null) {
                s.h.initializeState(state);
            }
            s.h.open();
            return s;
        }

        boolean owns(long id) {
            return new ShardRouter(MAX_PARALLELISM, parallelism).shardOf(id) == subtask;
        }

        LookupResponse lookup(long[] ids, int[] counts) throws Exception {
            getOutput().clear();
            processElement1(
                    new StreamRecord<>(new LookupRequest(readBatch--, subtask, ids, counts)));
            List<TrainerInput> out = extractOutputValues();
            assertThat(out).as("outputs of one lookup request").hasSize(1);
            getOutput().clear();
            return out.get(0).lookup;
        }

        /** The rows of the given ids (all owned by this subtask) that are present, by id. */
        Map<Long, float[]> read(Iterable<Long> ids) throws Exception {
            List<Long> list = new ArrayList<>();
            ids.forEach(list::add);
            Map<Long, float[]> out = new TreeMap<>();
            if (list.isEmpty()) {
                return out;
            }
            long[] a = list.stream().mapToLong(Long::longValue).toArray();
            LookupResponse resp = lookup(a, new int[a.length]);
            assertThat(resp.ids).containsExactly(a);
            assertThat(resp.rowWidth).isEqualTo(ROW_WIDTH);
            for (int k = 0; k < a.length; k++) {
                if (resp.present[k]) {
                    out.put(
                            a[k],
                            Arrays.copyOfRange(resp.rows, k * ROW_WIDTH, (k + 1) * ROW_WIDTH));
                }
            }
            return out;
        }

        float[] read(long id) throws Exception {
            return read(List.of(id)).get(id);
        }

        /**
         * Every entry in keyed state after flushing the cache (as before a checkpoint barrier),
         * copied.
         */
        Map<Long, EmbeddingRow> dump() throws Exception {
            h.prepareSnapshotPreBarrier(Long.MAX_VALUE);
            AbstractStreamOperator<TrainerInput> op = h.getOperator();
            ValueState<EmbeddingRow> state =
                    op.getPartitionedState(
                            VoidNamespace.INSTANCE,
                            VoidNamespaceSerializer.INSTANCE,
                            new ValueStateDescriptor<>(
                                    EmbeddingShardOperator.ROW_STATE,
                                    EmbeddingRowSerializer.INSTANCE));
            List<Long> keys;
            try (Stream<Long> s =
                    op.<Long>getKeyedStateBackend()
                            .getKeys(EmbeddingShardOperator.ROW_STATE, VoidNamespace.INSTANCE)) {
                keys = s.toList();
            }
            Map<Long, EmbeddingRow> out = new TreeMap<>();
            for (Long k : keys) {
                op.setCurrentKey(k);
                EmbeddingRow row = state.value();
                if (row != null) {
                    out.put(k, InMemoryRowStore.copy(row));
                }
            }
            return out;
        }

        /** Ids in keyed state now, without flushing the cache first. */
        long storedIds() throws Exception {
            try (Stream<Long> s =
                    h.getOperator()
                            .<Long>getKeyedStateBackend()
                            .getKeys(EmbeddingShardOperator.ROW_STATE, VoidNamespace.INSTANCE)) {
                return s.count();
            }
        }

        /** Flushes and snapshots, as a checkpoint does. */
        OperatorSubtaskState checkpoint(long checkpointId) throws Exception {
            h.prepareSnapshotPreBarrier(checkpointId);
            return h.snapshot(checkpointId, h.getProcessingTime());
        }

        /** Processes {@code ops} and returns the lookup responses they produced. */
        List<LookupResponse> run(List<Op> ops) throws Exception {
            getOutput().clear();
            for (Op op : ops) {
                setProcessingTime(op.timeMs());
                if (op.lookup() != null) {
                    processElement1(new StreamRecord<>(op.lookup()));
                } else {
                    processElement2(new StreamRecord<>(op.gradient()));
                }
            }
            List<LookupResponse> out = new ArrayList<>();
            for (TrainerInput in : extractOutputValues()) {
                out.add(in.lookup);
            }
            getOutput().clear();
            return out;
        }

        void gradient(long nowMs, long[] ids, float[] grads) throws Exception {
            setProcessingTime(nowMs);
            processElement2(new StreamRecord<>(new GradientUpdate(0L, 0, ROW_WIDTH, ids, grads)));
        }

        void admit(long nowMs, long... ids) throws Exception {
            setProcessingTime(nowMs);
            int[] counts = new int[ids.length];
            Arrays.fill(counts, 1);
            LookupResponse resp = lookup(ids, counts);
            for (int k = 0; k < ids.length; k++) {
                assertThat(resp.present[k]).as("admission of %s", ids[k]).isTrue();
            }
        }
    }

    /** One input record and the processing time it arrives at. */
    record Op(long timeMs, LookupRequest lookup, GradientUpdate gradient) {}

    /**
     * A seeded random workload over {@code universe}: lookups of up to 8 distinct ids with 0..3
     * occurrences, and gradients (occasionally non-finite, occasionally for ids without a row).
     */
    static List<Op> workload(long seed, long[] universe, int n, long startMs) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Op> ops = new ArrayList<>();
        long now = startMs;
        for (int i = 0; i < n; i++) {
            now += rnd.nextInt(50);
            Set<Long> ids = new LinkedHashSet<>();
            int size = 1 + rnd.nextInt(8);
            while (ids.size() < size) {
                double u = rnd.nextDouble();
                ids.add(universe[(int) (universe.length * u * u)]);
            }
            long[] a = ids.stream().mapToLong(Long::longValue).toArray();
            if (rnd.nextDouble() < 0.5) {
                int[] counts = new int[a.length];
                for (int k = 0; k < a.length; k++) {
                    counts[k] = rnd.nextDouble() < 0.25 ? 0 : 1 + rnd.nextInt(3);
                }
                ops.add(new Op(now, new LookupRequest(i, 0, a, counts), null));
            } else {
                float[] grads = new float[a.length * ROW_WIDTH];
                for (int k = 0; k < a.length; k++) {
                    float[] g = gaussian(rnd, ROW_WIDTH, rnd.nextDouble() < 0.1 ? 10.0 : 0.2);
                    if (rnd.nextDouble() < 0.02) {
                        g[rnd.nextInt(ROW_WIDTH)] = Float.NaN;
                    }
                    System.arraycopy(g, 0, grads, k * ROW_WIDTH, ROW_WIDTH);
                }
                ops.add(new Op(now, null, new GradientUpdate(i, 0, ROW_WIDTH, a, grads)));
            }
        }
        return ops;
    }

    static long[] universe(String prefix, int n, int... slots) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = id(slots[i % slots.length], prefix + i);
        }
        return out;
    }

    static List<Long> list(long[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }

    static void assertSameRows(
            Map<Long, float[]> actual, Map<Long, float[]> expected, String what) {
        assertThat(actual.keySet()).as("%s: ids with a row", what).isEqualTo(expected.keySet());
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            assertBitwise(actual.get(e.getKey()), e.getValue(), what + ": row of " + e.getKey());
        }
    }

    static void assertSameResponses(
            List<LookupResponse> actual, List<LookupResponse> expected, String what) {
        assertThat(actual).as("%s: responses", what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            LookupResponse a = actual.get(i);
            LookupResponse e = expected.get(i);
            String at = what + ": response " + i + " (batch " + e.batchId + ")";
            assertThat(a.batchId).as(at).isEqualTo(e.batchId);
            assertThat(a.ids).as(at).containsExactly(e.ids);
            assertThat(a.present).as(at).containsExactly(e.present);
            assertBitwise(a.rows, e.rows, at + " rows");
        }
    }

    static void assertSameEntries(
            Map<Long, EmbeddingRow> actual, Map<Long, EmbeddingRow> expected, String what) {
        assertThat(actual.keySet()).as("%s: ids in keyed state", what).isEqualTo(expected.keySet());
        for (Map.Entry<Long, EmbeddingRow> e : expected.entrySet()) {
            assertSameEntry(actual.get(e.getKey()), e.getValue(), what + ": entry " + e.getKey());
        }
    }

    static void assertCacheEvicts(long cacheBytes, int distinctRows) {
        if (cacheBytes > 0) {
            int capacity =
                    RowCache.withMaxBytes(cacheBytes, ShardTable.entryWidth(SPEC)).capacity();
            assertThat(distinctRows)
                    .as("rows admitted vs. cache capacity %s", capacity)
                    .isGreaterThan(4 * capacity);
        }
    }

    static void close(Shard... hs) throws Exception {
        Exception first = null;
        for (Shard h : hs) {
            if (h == null) {
                continue;
            }
            try {
                h.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void lookupAnswersOneRowPerIdAndGradientsProduceNoOutput() throws Exception {
        Shard h = Shard.open(config(0, DAY_MS), 1, 0, null, T0);
        try {
            long a = id(ADAGRAD_SLOT, "a");
            long rare = id(RARE_SLOT, "r");
            long unknown = id(ShardTableTest.UNKNOWN_SLOT, "u");
            h.getOutput().clear();
            h.processElement1(
                    new StreamRecord<>(
                            new LookupRequest(
                                    42L, 0, new long[] {a, rare, unknown}, new int[] {1, 1, 1})));
            List<TrainerInput> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            TrainerInput in = out.get(0);
            assertThat(in.batchId).isEqualTo(42L);
            assertThat(in.batch).isNull();
            LookupResponse resp = in.lookup;
            assertThat(resp.batchId).isEqualTo(42L);
            assertThat(resp.rowWidth).isEqualTo(ROW_WIDTH);
            assertThat(resp.ids).containsExactly(a, rare, unknown);
            assertThat(resp.present).containsExactly(true, false, false);
            assertThat(resp.rows).hasSize(3 * ROW_WIDTH);
            assertBitwise(
                    Arrays.copyOfRange(resp.rows, 0, ROW_WIDTH),
                    RowInitializer.initialRow(a, DIM, INIT_STDDEV),
                    "row of a");
            h.getOutput().clear();
            h.gradient(T0 + 1, new long[] {a}, new float[ROW_WIDTH]);
            assertThat(h.extractOutputValues()).as("outputs of a gradient").isEmpty();
        } finally {
            close(h);
        }
    }

    /** Keyed state backends: heap keeps objects, RocksDB serializes every access. */
    enum Backend {
        HEAP,
        ROCKSDB
    }

    static Stream<Arguments> cacheBytesAndBackends() {
        List<Arguments> out = new ArrayList<>();
        for (Backend backend : Backend.values()) {
            out.add(Arguments.of(0L, backend));
            out.add(Arguments.of(SMALL_CACHE_BYTES, backend));
        }
        return out.stream();
    }

    static Stream<Arguments> cacheBytesBackendsAndWriteBehind() {
        List<Arguments> out = new ArrayList<>();
        for (Backend backend : Backend.values()) {
            out.add(Arguments.of(0L, backend, 0L));
            out.add(Arguments.of(SMALL_CACHE_BYTES, backend, 0L));
            out.add(Arguments.of(SMALL_CACHE_BYTES, backend, 200L));
            out.add(Arguments.of(LARGE_CACHE_BYTES, backend, 200L));
        }
        return out.stream();
    }

    /**
     * A: ops1, checkpoint; B: restore, ops2; C: ops1 + ops2 uninterrupted. B (and A, continued past
     * its checkpoint) must hold bitwise C's rows. With write-behind (rows idle 200 ms written to
     * keyed state on the operator's timer), the three runs write behind at different moments; the
     * rows must not differ.
     */
    @ParameterizedTest(name = "cacheBytes={0}, {1}, writeBehindIdleMs={2}")
    @MethodSource("cacheBytesBackendsAndWriteBehind")
    void restoreThenReplayEqualsAnUninterruptedRun(
            long cacheBytes, Backend backend, long writeBehindIdleMs) throws Exception {
        ShardConfig cfg = config(cacheBytes, DAY_MS, writeBehindIdleMs);
        long[] universe =
                universe(
                        "restore-",
                        400,
                        ADAGRAD_SLOT,
                        FTRL_SLOT,
                        ADAM_SLOT,
                        RARE_SLOT,
                        CLIPPED_SLOT);
        List<Op> ops1 = workload(11, universe, 1500, T0);
        long mid = ops1.get(ops1.size() - 1).timeMs();
        List<Op> ops2 = workload(12, universe, 1500, mid + 1);
        Shard a = null;
        Shard b = null;
        Shard c = null;
        try {
            a = Shard.open(backend, cfg, 1, 0, null, T0);
            a.run(ops1);
            if (cacheBytes == LARGE_CACHE_BYTES) {
                // Nothing is evicted: rows reach keyed state before a flush only by write-behind.
                assertThat(a.storedIds()).as("rows written behind").isGreaterThan(100);
            }
            OperatorSubtaskState snapshot = a.checkpoint(1L);
            List<LookupResponse> continued = a.run(ops2);

            b = Shard.open(backend, cfg, 1, 0, snapshot, mid);
            List<LookupResponse> replayed = b.run(ops2);

            c = Shard.open(backend, cfg, 1, 0, null, T0);
            c.run(ops1);
            List<LookupResponse> uninterrupted = c.run(ops2);

            // What the trainer saw of ops2 is the same in all three runs.
            assertSameResponses(replayed, uninterrupted, "restored run");
            assertSameResponses(continued, uninterrupted, "run continued after checkpoint");

            Map<Long, float[]> expected = c.read(list(universe));
            assertThat(expected.size()).as("rows admitted").isGreaterThan(200);
            if (cacheBytes < LARGE_CACHE_BYTES) {
                assertCacheEvicts(cacheBytes, expected.size());
            }
            assertSameRows(b.read(list(universe)), expected, "restored run");
            assertSameRows(a.read(list(universe)), expected, "run continued after checkpoint");
            Map<Long, EmbeddingRow> entries = c.dump();
            assertThat(entries.values().stream().filter(r -> r.count > 0).count())
                    .as("rows with updates")
                    .isGreaterThan(100);
            assertSameEntries(b.dump(), entries, "restored run");
            assertSameEntries(a.dump(), entries, "run continued after checkpoint");
        } finally {
            close(a, b, c);
        }
    }

    /**
     * The same with slots that admit with probability 0.5: the admission coin must not depend on
     * whether the shard was restored in between.
     */
    @ParameterizedTest(name = "cacheBytes={0}")
    @ValueSource(longs = {0, SMALL_CACHE_BYTES})
    void restoreThenReplayEqualsAnUninterruptedRunWithProbabilisticAdmission(long cacheBytes)
            throws Exception {
        ShardConfig cfg = config(cacheBytes, DAY_MS);
        long[] universe = universe("sampled-", 400, SAMPLED_SLOT, RARE_SAMPLED_SLOT, ADAGRAD_SLOT);
        List<Op> ops1 = workload(21, universe, 800, T0);
        long mid = ops1.get(ops1.size() - 1).timeMs();
        List<Op> ops2 = workload(22, universe, 800, mid + 1);
        Shard b = null;
        Shard c = null;
        try {
            Shard a = Shard.open(cfg, 1, 0, null, T0);
            OperatorSubtaskState snapshot;
            try {
                a.run(ops1);
                snapshot = a.checkpoint(1L);
            } finally {
                close(a);
            }
            b = Shard.open(cfg, 1, 0, snapshot, mid);
            b.run(ops2);
            c = Shard.open(cfg, 1, 0, null, T0);
            c.run(ops1);
            c.run(ops2);
            assertSameRows(b.read(list(universe)), c.read(list(universe)), "restored run");
        } finally {
            close(b, c);
        }
    }

    @ParameterizedTest(name = "cacheBytes={0}")
    @ValueSource(longs = {0, SMALL_CACHE_BYTES})
    void rescalingTwoToOneToTwoKeepsEveryRowAndTheAdmissionCounts(long cacheBytes)
            throws Exception {
        ShardConfig cfg = config(cacheBytes, DAY_MS);
        ShardRouter router = new ShardRouter(MAX_PARALLELISM, 2);
        long[] universe = universe("rescale-", 300, ADAGRAD_SLOT, FTRL_SLOT, ADAM_SLOT);
        // Rare ids (threshold 3): counted twice before the first rescale, or once.
        long[] twice = universe("twice-", 6, RARE_SLOT);
        long[] once = universe("once-", 6, RARE_SLOT);
        long[] twiceLater = universe("twice-later-", 6, RARE_SLOT);
        Shard[] two = new Shard[2];
        Shard one = null;
        Shard[] again = new Shard[2];
        try {
            Map<Long, float[]> before = new TreeMap<>();
            Map<Long, EmbeddingRow> beforeEntries = new TreeMap<>();
            OperatorSubtaskState[] states = new OperatorSubtaskState[2];
            for (int s = 0; s < 2; s++) {
                two[s] = Shard.open(cfg, 2, s, null, T0);
                Shard h = two[s];
                long[] owned = Arrays.stream(universe).filter(h::owns).toArray();
                assertThat(owned.length).as("ids of subtask %s", s).isBetween(100, 200);
                // As ShardRouter routes them, records carry only ids this subtask owns.
                h.run(workload(30 + s, owned, 600, T0));
                for (long id : concat(twice, twiceLater)) {
                    if (h.owns(id)) {
                        for (int i = 0; i < 2; i++) {
                            LookupResponse r = h.lookup(new long[] {id}, new int[] {1});
                            assertThat(r.present[0]).as("rare %s occurrence %s", id, i).isFalse();
                        }
                    }
                }
                for (long id : once) {
                    if (h.owns(id)) {
                        assertThat(h.lookup(new long[] {id}, new int[] {1}).present[0]).isFalse();
                    }
                }
                before.putAll(h.read(list(owned)));
                beforeEntries.putAll(h.dump());
                states[s] = h.checkpoint(1L);
            }
            assertThat(before.size()).as("rows admitted").isGreaterThan(150);
            assertCacheEvicts(cacheBytes, before.size() / 2);
            close(two);
            two = new Shard[2];

            // 2 -> 1
            OperatorSubtaskState packed = AbstractStreamOperatorTestHarness.repackageState(states);
            OperatorSubtaskState merged =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            packed, MAX_PARALLELISM, 2, 1, 0);
            one = Shard.open(cfg, 1, 0, merged, T0 + DAY_MS / 2);
            assertSameRows(one.read(list(universe)), before, "rows after 2 -> 1");
            assertSameEntries(one.dump(), beforeEntries, "entries after 2 -> 1");
            for (long id : twice) {
                LookupResponse r = one.lookup(new long[] {id}, new int[] {1});
                assertThat(r.present[0]).as("3rd occurrence of %s after 2 -> 1", id).isTrue();
                assertBitwise(
                        Arrays.copyOf(r.rows, ROW_WIDTH),
                        RowInitializer.initialRow(id, DIM, INIT_STDDEV),
                        "row of " + id);
                before.put(id, RowInitializer.initialRow(id, DIM, INIT_STDDEV));
            }
            for (long id : once) {
                assertThat(one.lookup(new long[] {id}, new int[] {1}).present[0])
                        .as("2nd occurrence of %s after 2 -> 1", id)
                        .isFalse();
            }
            Map<Long, EmbeddingRow> oneEntries = one.dump();
            assertThat(oneEntries.keySet()).isEqualTo(before.keySet());
            OperatorSubtaskState single = one.checkpoint(2L);
            close(one);
            one = null;

            // 1 -> 2
            Map<Long, float[]> after = new TreeMap<>();
            for (int s = 0; s < 2; s++) {
                OperatorSubtaskState part =
                        AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                single, MAX_PARALLELISM, 1, 2, s);
                again[s] = Shard.open(cfg, 2, s, part, T0 + DAY_MS / 2 + 1);
                Shard h = again[s];
                Map<Long, EmbeddingRow> owned = new TreeMap<>();
                for (Map.Entry<Long, EmbeddingRow> e : oneEntries.entrySet()) {
                    if (router.shardOf(e.getKey()) == s) {
                        owned.put(e.getKey(), e.getValue());
                    }
                }
                assertThat(owned).as("entries of subtask %s", s).isNotEmpty();
                assertSameEntries(h.dump(), owned, "entries of subtask " + s + " after 1 -> 2");
                Map<Long, float[]> rows =
                        h.read(Arrays.stream(universe).filter(h::owns).boxed().toList());
                rows.putAll(h.read(Arrays.stream(twice).filter(h::owns).boxed().toList()));
                after.putAll(rows);
                for (long id : twiceLater) {
                    if (h.owns(id)) {
                        assertThat(h.lookup(new long[] {id}, new int[] {1}).present[0])
                                .as("3rd occurrence of %s after 2 -> 1 -> 2", id)
                                .isTrue();
                    }
                }
                for (long id : once) {
                    if (h.owns(id)) {
                        assertThat(h.lookup(new long[] {id}, new int[] {1}).present[0])
                                .as("3rd occurrence of %s after 2 -> 1 -> 2", id)
                                .isTrue();
                    }
                }
            }
            assertSameRows(after, before, "rows after 2 -> 1 -> 2");
        } finally {
            close(two);
            close(one);
            close(again);
        }
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Restoring at unchanged parallelism must not inflate admission counts: the union sketch state
     * hands every subtask every subtask's sketch, and summing them on each restore multiplies
     * counts by the parallelism from the second restore on.
     */
    @Test
    void restoresAtUnchangedParallelismDoNotInflateAdmissionCounts() throws Exception {
        ShardConfig cfg = config(0, DAY_MS);
        int restores = 3;
        // Group r is checked after restore r; every id occurs once before the first checkpoint.
        long[][] rare = new long[restores + 1][];
        for (int r = 1; r <= restores; r++) {
            rare[r] = universe("inflated-" + r + "-", 8, RARE_SLOT);
        }
        Shard[] hs = new Shard[2];
        try {
            for (int s = 0; s < 2; s++) {
                hs[s] = Shard.open(cfg, 2, s, null, T0);
                for (int r = 1; r <= restores; r++) {
                    for (long id : rare[r]) {
                        if (hs[s].owns(id)) {
                            assertThat(hs[s].lookup(new long[] {id}, new int[] {1}).present[0])
                                    .as("1st occurrence of %s", id)
                                    .isFalse();
                        }
                    }
                }
            }
            for (int r = 1; r <= restores; r++) {
                OperatorSubtaskState[] states = {hs[0].checkpoint(r), hs[1].checkpoint(r)};
                close(hs);
                OperatorSubtaskState packed =
                        AbstractStreamOperatorTestHarness.repackageState(states);
                for (int s = 0; s < 2; s++) {
                    hs[s] =
                            Shard.open(
                                    cfg,
                                    2,
                                    s,
                                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                            packed, MAX_PARALLELISM, 2, 2, s),
                                    T0 + r);
                }
                for (int s = 0; s < 2; s++) {
                    for (long id : rare[r]) {
                        if (hs[s].owns(id)) {
                            assertThat(hs[s].lookup(new long[] {id}, new int[] {1}).present[0])
                                    .as(
                                            "2nd occurrence of %s (threshold 3) on subtask %s"
                                                    + " after restore %s",
                                            id, s, r)
                                    .isFalse();
                        }
                    }
                }
            }
        } finally {
            close(hs);
        }
    }

    @ParameterizedTest(name = "cacheBytes={0}, {1}")
    @MethodSource("cacheBytesAndBackends")
    void sweepsOnProcessingTimeRemoveIdleRowsAndKeepUpdatedOnes(long cacheBytes, Backend backend)
            throws Exception {
        long sweep = 60_000L;
        Shard h = Shard.open(backend, config(cacheBytes, sweep), 1, 0, null, T0);
        try {
            assertThat(h.activeTimers()).as("sweep timer after open").containsExactly(T0 + sweep);
            long idle = id(SHORT_LIVED_SLOT, "idle");
            long updated = id(SHORT_LIVED_SLOT, "updated");
            long longLived = id(ADAGRAD_SLOT, "long-lived");
            long[] fillers = universe("filler-", 100, SHORT_LIVED_SLOT);
            long[] updatedFillers = Arrays.copyOf(fillers, 50);
            long[] idleFillers = Arrays.copyOfRange(fillers, 50, 100);
            h.admit(T0, idle, updated, longLived);
            for (int i = 0; i < fillers.length; i += 10) {
                h.admit(T0, Arrays.copyOfRange(fillers, i, i + 10));
            }
            assertCacheEvicts(cacheBytes, fillers.length + 3);
            long t5 = T0 + 5 * 60_000L;
            h.setProcessingTime(t5);
            float[] g = new float[ROW_WIDTH];
            Arrays.fill(g, 0.1f);
            h.gradient(t5, new long[] {updated}, g);
            for (long id : updatedFillers) {
                h.gradient(t5, new long[] {id}, g);
            }
            List<Long> all = new ArrayList<>(list(fillers));
            all.addAll(List.of(idle, updated, longLived));
            assertThat(h.read(all)).as("rows before expiry").hasSize(all.size());

            // Idle for exactly idleExpiry at the sweep of T0 + 10 min: kept.
            h.setProcessingTime(T0 + SHORT_EXPIRY_MS);
            assertThat(h.read(all)).as("rows idle for exactly idleExpiry").hasSize(all.size());

            h.setProcessingTime(T0 + SHORT_EXPIRY_MS + sweep);
            Map<Long, float[]> rows = h.read(all);
            assertThat(rows).as("idle row").doesNotContainKey(idle);
            assertThat(rows.keySet())
                    .as("idle fillers")
                    .doesNotContainAnyElementsOf(list(idleFillers));
            assertThat(rows.keySet())
                    .as("rows after the first expiring sweep")
                    .containsExactlyInAnyOrderElementsOf(
                            concatList(list(updatedFillers), List.of(updated, longLived)));
            assertThat(h.dump().keySet())
                    .as("keyed state after the first expiring sweep")
                    .isEqualTo(rows.keySet());
            assertThat(h.activeTimers())
                    .as("sweep timer re-registered")
                    .containsExactly(T0 + SHORT_EXPIRY_MS + 2 * sweep);

            // An expired id starts over when it occurs again.
            long readmit = T0 + SHORT_EXPIRY_MS + sweep + 1;
            h.admit(readmit, idle);
            assertSameEntry(
                    h.dump().get(idle),
                    initialEntry(idle, SHORT_LIVED_SLOT, readmit),
                    "re-admitted entry");

            h.setProcessingTime(t5 + SHORT_EXPIRY_MS + sweep);
            rows = h.read(all);
            assertThat(rows.keySet())
                    .as("rows after the second sweep (idle was re-admitted)")
                    .containsExactlyInAnyOrder(idle, longLived);
            h.setProcessingTime(T0 + ShardTableTest.HOUR_MS + sweep);
            assertThat(h.read(all)).as("rows after an hour").isEmpty();
            assertThat(h.dump()).as("keyed state after an hour").isEmpty();
        } finally {
            close(h);
        }
    }

    static List<Long> concatList(List<Long> a, List<Long> b) {
        List<Long> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @ParameterizedTest(name = "cacheBytes={0}")
    @ValueSource(longs = {0, SMALL_CACHE_BYTES})
    void theFirstSweepRunsSweepIntervalAfterOpen(long cacheBytes) throws Exception {
        // Sweep interval (20 min) longer than the slot's idle expiry (10 min).
        long sweep = 2 * SHORT_EXPIRY_MS;
        Shard h = Shard.open(config(cacheBytes, sweep), 1, 0, null, T0);
        try {
            long id = id(SHORT_LIVED_SLOT, "x");
            assertThat(h.activeTimers()).as("sweep timer after open").containsExactly(T0 + sweep);
            h.admit(T0, id);
            h.setProcessingTime(T0 + sweep - 1);
            assertThat(h.read(id))
                    .as("row idle past its expiry, before the first sweep")
                    .isNotNull();
            h.setProcessingTime(T0 + sweep);
            assertThat(h.read(id)).as("row after the first sweep").isNull();
            assertThat(h.activeTimers()).as("next sweep").containsExactly(T0 + 2 * sweep);
        } finally {
            close(h);
        }
    }

    @Test
    void sweepsHalveTheAdmissionSketchEveryHalveInterval() throws Exception {
        long sweep = 60_000L;
        Shard h = Shard.open(new ShardConfig(0, 4096, sweep, sweep, null, 10), 1, 0, null, T0);
        try {
            long aged = id(RARE_SLOT, "aged");
            long fresh = id(RARE_SLOT, "fresh");
            assertThat(h.lookup(new long[] {aged}, new int[] {2}).present[0]).isFalse();
            h.setProcessingTime(T0 + sweep); // halves: aged's count 2 -> 1
            assertThat(h.lookup(new long[] {aged}, new int[] {1}).present[0])
                    .as("3rd occurrence of an id whose count was halved")
                    .isFalse();
            assertThat(h.lookup(new long[] {aged}, new int[] {1}).present[0])
                    .as("4th occurrence (count 3 after halving)")
                    .isTrue();
            assertThat(h.lookup(new long[] {fresh}, new int[] {2}).present[0]).isFalse();
            assertThat(h.lookup(new long[] {fresh}, new int[] {1}).present[0])
                    .as("3rd occurrence without a halving in between")
                    .isTrue();
        } finally {
            close(h);
        }
    }

    @ParameterizedTest(name = "cacheBytes={0}")
    @ValueSource(longs = {0, SMALL_CACHE_BYTES})
    void nonFiniteGradientsAreNeverWrittenAndWrongWidthsAreDropped(long cacheBytes)
            throws Exception {
        ShardConfig cfg = config(cacheBytes, DAY_MS);
        Shard h = Shard.open(cfg, 1, 0, null, T0);
        Shard restored = null;
        try {
            long a = id(ADAM_SLOT, "a");
            long b = id(ADAGRAD_SLOT, "b");
            long[] fillers = universe("filler-", 60, FTRL_SLOT);
            h.admit(T0, a, b);
            float[] g = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f};
            h.gradient(T0 + 1, new long[] {a, b}, concatFloats(g, g));
            Map<Long, EmbeddingRow> before = h.dump();
            EmbeddingRow aBefore = before.get(a);
            EmbeddingRow bBefore = before.get(b);

            float[] nan = g.clone();
            nan[2] = Float.NaN;
            float[] inf = g.clone();
            inf[0] = Float.NEGATIVE_INFINITY;
            h.gradient(T0 + 2, new long[] {a, b}, concatFloats(nan, g));
            h.gradient(T0 + 3, new long[] {a}, inf);
            for (int i = 0; i < fillers.length; i += 10) {
                h.admit(T0 + 3, Arrays.copyOfRange(fillers, i, i + 10));
            }
            // b took the finite gradient of the mixed record.
            EmbeddingRow bExpected = InMemoryRowStore.copy(bBefore);
            ShardTableTest.handOptimizer(ADAGRAD_SLOT)
                    .apply(bExpected.vector, 0, bExpected.optimizerState, 0, g, 0, ROW_WIDTH);
            bExpected.count++;
            bExpected.lastUpdateMs = T0 + 2;
            Map<Long, EmbeddingRow> now = h.dump();
            assertSameEntry(now.get(a), aBefore, "entry of a after non-finite gradients");
            assertSameEntry(now.get(b), bExpected, "entry of b");

            // Wrong row widths: the whole record is dropped.
            for (int width : new int[] {ROW_WIDTH - 1, ROW_WIDTH + 1, 1}) {
                float[] grads = new float[2 * width];
                Arrays.fill(grads, 0.25f);
                h.setProcessingTime(T0 + 4);
                h.processElement2(
                        new StreamRecord<>(
                                new GradientUpdate(7L, 0, width, new long[] {a, b}, grads)));
            }
            assertThat(h.extractOutputValues()).as("outputs of gradients").isEmpty();
            assertSameEntry(h.dump().get(a), aBefore, "entry of a after wrong-width gradients");
            assertSameEntry(h.dump().get(b), bExpected, "entry of b after wrong-width gradients");

            // Nor did anything non-finite reach a checkpoint.
            OperatorSubtaskState state = h.checkpoint(1L);
            restored = Shard.open(cfg, 1, 0, state, T0 + 5);
            Map<Long, EmbeddingRow> entries = restored.dump();
            assertSameEntry(entries.get(a), aBefore, "restored entry of a");
            assertSameEntry(entries.get(b), bExpected, "restored entry of b");
            for (Map.Entry<Long, EmbeddingRow> e : entries.entrySet()) {
                for (float v : concatFloats(e.getValue().vector, e.getValue().optimizerState)) {
                    assertThat(Float.isFinite(v))
                            .as("entry %s: %s", e.getKey(), Arrays.toString(e.getValue().vector))
                            .isTrue();
                }
            }
        } finally {
            close(h, restored);
        }
    }

    static float[] concatFloats(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
