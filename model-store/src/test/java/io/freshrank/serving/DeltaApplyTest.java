package io.freshrank.serving;

import static io.freshrank.serving.TestModels.CREATED_AT_MS;
import static io.freshrank.serving.TestModels.assumeModelImplemented;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.freshrank.features.FeatureVector;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.RowPrecision;
import io.freshrank.store.SnapshotKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The puller's incremental path: deltas (with deleted ids) applied as overlays on the served model
 * must score exactly like the same version loaded from disk, whatever happens around them (gaps,
 * corrupt deltas, compaction, FLOAT16 rows).
 */
class DeltaApplyTest {
    @TempDir Path root;

    private final MutableClock clock = new MutableClock(CREATED_AT_MS + 60_000);
    private final List<FeatureVector> probes = TestModels.probeExamples();

    private ModelPuller puller(LocalModelStore store, PullerConfig config) {
        return new ModelPuller(
                store,
                config.withPollInterval(Duration.ofMillis(10))
                        .withFailedRetryInterval(Duration.ofSeconds(30)),
                clock);
    }

    private ModelPuller puller(LocalModelStore store) {
        return puller(store, PullerConfig.defaults());
    }

    /** The served model scores like {@code expected}'s rows and like a load from disk. */
    private void assertServes(ModelPuller puller, TestModels.Version expected) throws Exception {
        ServingModel served = puller.current();
        assertThat(served.version()).isEqualTo(expected.version());
        float[] scores = served.score(probes);
        assertThat(scores)
                .as("version %d scored from memory vs the reference", expected.version())
                .containsExactly(expected.expectedScores(probes));
        ServingModel fromDisk =
                ServingModel.create(puller.store().load(expected.version(), served.precision()), 0);
        assertThat(scores)
                .as("version %d scored from memory vs loaded from disk", expected.version())
                .containsExactly(fromDisk.score(probes));
        assertThat(served.rowCount()).isEqualTo(expected.rows().size());
        assertThat(fromDisk.rowCount()).isEqualTo(expected.rows().size());
    }

    private static List<SwapRecord.Kind> kinds(ModelPuller puller) {
        return puller.swapHistory().stream().map(SwapRecord::kind).collect(Collectors.toList());
    }

    @Test
    void deltasWithDeletesApplyInMemoryAndScoreLikeALoadFromDisk() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store, PullerConfig.defaults().withMaxOverlayDepth(50))) {
            TestModels.Version v = TestModels.write(store, 1, 1);
            assertThat(puller.pollOnce()).isTrue();
            assertServes(puller, v);
            for (long version = 2; version <= 7; version++) {
                v = TestModels.writeDelta(store, v, version, 100 + version);
                assertThat(puller.pollOnce()).as("delta %d", version).isTrue();
                assertServes(puller, v);
                assertThat(puller.current().overlayDepth()).isEqualTo((int) version - 1);
            }
            assertThat(kinds(puller))
                    .containsExactly(
                            SwapRecord.Kind.FULL_LOAD,
                            SwapRecord.Kind.DELTA_APPLY,
                            SwapRecord.Kind.DELTA_APPLY,
                            SwapRecord.Kind.DELTA_APPLY,
                            SwapRecord.Kind.DELTA_APPLY,
                            SwapRecord.Kind.DELTA_APPLY,
                            SwapRecord.Kind.DELTA_APPLY);
            assertThat(puller.swapCount()).isEqualTo(7);
            assertThat(puller.deltaApplyCount()).isEqualTo(6);
            assertThat(puller.fullLoadCount()).isEqualTo(1);
            assertThat(puller.compactionCount()).isZero();

            // a model built from overlays still offers the whole version as a LoadedModel
            ServingModel served = puller.current();
            assertThat(served.loaded().embeddings().size()).isEqualTo(v.rows().size());
            v.rows()
                    .forEach(
                            (id, r) ->
                                    assertThat(served.loaded().embeddings().row(id))
                                            .as("id %d", id)
                                            .containsExactly(r));
        }
    }

    @Test
    void bytesReadAndSnapshotBytesSeparateDeltasFromFulls() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store)) {
            TestModels.Version v = TestModels.write(store, 1, 1);
            puller.pollOnce();
            v = TestModels.writeDelta(store, v, 2, 2);
            puller.pollOnce();
            TestModels.writeDelta(store, v, 3, 3);
            puller.pollOnce();
            List<SwapRecord> history = puller.swapHistory();
            assertThat(history).hasSize(3);
            long fullBytes = store.readManifest(1).totalBytes();
            SwapRecord full = history.get(0);
            assertThat(full.snapshotBytes()).isEqualTo(fullBytes);
            assertThat(full.bytesRead()).isEqualTo(fullBytes);
            assertThat(full.versionsApplied()).isEqualTo(1);
            SwapRecord delta = history.get(2);
            assertThat(delta.kind()).isEqualTo(SwapRecord.Kind.DELTA_APPLY);
            assertThat(delta.bytesRead()).isEqualTo(store.readManifest(3).totalBytes());
            assertThat(delta.snapshotBytes()).isEqualTo(delta.bytesRead()).isPositive();
            assertThat(delta.rows()).isEqualTo(puller.current().rowCount());

            // a fresh puller (a restart) loads the whole chain
            try (ModelPuller restarted = puller(store)) {
                restarted.pollOnce();
                SwapRecord first = restarted.swapHistory().get(0);
                assertThat(first.kind()).isEqualTo(SwapRecord.Kind.FULL_LOAD);
                assertThat(first.versionsApplied()).isEqualTo(3);
                assertThat(first.bytesRead())
                        .isEqualTo(
                                fullBytes
                                        + store.readManifest(2).totalBytes()
                                        + store.readManifest(3).totalBytes());
            }
        }
    }

    @Test
    void severalDeltasSinceTheLastPollAreAllAppliedInMemory() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store)) {
            TestModels.Version v = TestModels.write(store, 1, 1);
            puller.pollOnce();
            v = TestModels.writeDelta(store, v, 2, 2);
            v = TestModels.writeDelta(store, v, 3, 3);
            v = TestModels.writeDelta(store, v, 4, 4);
            assertThat(puller.pollOnce()).isTrue();
            assertServes(puller, v);
            SwapRecord last = puller.swapHistory().get(1);
            assertThat(last.kind()).isEqualTo(SwapRecord.Kind.DELTA_APPLY);
            assertThat(last.versionsApplied()).isEqualTo(3);
            assertThat(puller.current().overlayDepth()).isEqualTo(3);
        }
    }

    @Test
    void aDeltaWhoseChainMissesTheServedVersionIsLoadedWhole() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store)) {
            TestModels.write(store, 1, 1);
            puller.pollOnce();
            // a new FULL and a delta on it, published between two polls: the delta's parent (2)
            // is not the served version (1)
            TestModels.Version v2 = TestModels.write(store, 2, 2);
            TestModels.Version v3 = TestModels.writeDelta(store, v2, 3, 3);
            assertThat(store.readManifest(3).parentVersion()).isEqualTo(2);
            assertThat(puller.pollOnce()).isTrue();
            assertServes(puller, v3);
            SwapRecord last = puller.swapHistory().get(1);
            assertThat(last.kind()).isEqualTo(SwapRecord.Kind.FULL_LOAD);
            assertThat(last.versionsApplied()).isEqualTo(2);
            assertThat(puller.current().overlayDepth()).isZero();

            // the next delta applies in memory again
            TestModels.Version v4 = TestModels.writeDelta(store, v3, 4, 4);
            assertThat(puller.pollOnce()).isTrue();
            assertServes(puller, v4);
            assertThat(puller.swapHistory().get(2).kind()).isEqualTo(SwapRecord.Kind.DELTA_APPLY);
        }
    }

    @Test
    void aCorruptDeltaKeepsTheOldModelServingUntilAFullArrives() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store)) {
            TestModels.Version v1 = TestModels.write(store, 1, 1);
            puller.pollOnce();
            TestModels.Version v2 = TestModels.writeDelta(store, v1, 2, 2);
            puller.pollOnce();
            TestModels.Version v3 =
                    TestModels.writeDelta(store, v2, 3, 3, TestModels.Damage.DELETES);
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.loadFailures()).isEqualTo(1);
            assertServes(puller, v2);
            assertThat(puller.pollOnce()).as("not retried within the interval").isFalse();
            assertThat(puller.loadFailures()).isEqualTo(1);
            clock.advanceMs(31_000);
            assertThat(puller.pollOnce()).as("retried after the interval").isFalse();
            assertThat(puller.loadFailures()).isEqualTo(2);

            // a delta on the corrupt one needs it, and fails as well
            TestModels.writeDelta(store, v3, 4, 4);
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.loadFailures()).isEqualTo(3);
            assertServes(puller, v2);

            // the next FULL gets through
            TestModels.Version v5 = TestModels.write(store, 5, 5);
            assertThat(puller.pollOnce()).isTrue();
            assertServes(puller, v5);
            assertThat(puller.swapHistory().get(2).kind()).isEqualTo(SwapRecord.Kind.FULL_LOAD);
        }
    }

    @Test
    void aDeltaWithACorruptRowsFileIsNotApplied() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store)) {
            TestModels.Version v1 = TestModels.write(store, 1, 1);
            puller.pollOnce();
            TestModels.writeDelta(store, v1, 2, 2, TestModels.Damage.ROWS);
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.loadFailures()).isEqualTo(1);
            assertServes(puller, v1);
            assertThat(puller.swapHistory()).hasSize(1);
        }
    }

    @Test
    void compactionBoundsTheOverlaysAndKeepsScoresIdentical() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store, PullerConfig.defaults().withMaxOverlayDepth(2))) {
            TestModels.Version v = TestModels.write(store, 1, 1);
            puller.pollOnce();
            for (long version = 2; version <= 10; version++) {
                v = TestModels.writeDelta(store, v, version, 200 + version);
                assertThat(puller.pollOnce()).isTrue();
                assertThat(puller.current().overlayDepth()).isLessThanOrEqualTo(2);
                assertServes(puller, v);
            }
            // depth goes 1, 2, 3 -> compacted to 0, 1, 2, 3 -> 0, ...
            assertThat(puller.compactionCount()).isEqualTo(3);
            assertThat(puller.swapCount()).as("compactions are not new versions").isEqualTo(10);
            assertThat(kinds(puller)).filteredOn(k -> k == SwapRecord.Kind.COMPACTION).hasSize(3);
            SwapRecord compaction =
                    puller.swapHistory().stream()
                            .filter(r -> r.kind() == SwapRecord.Kind.COMPACTION)
                            .findFirst()
                            .orElseThrow();
            assertThat(compaction.version()).isEqualTo(4);
            assertThat(compaction.overlayDepth()).isZero();
            assertThat(compaction.freshnessDelayMs()).isEmpty();
        }
    }

    @Test
    void depthZeroCompactsAfterEveryDelta() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store, PullerConfig.defaults().withMaxOverlayDepth(0))) {
            TestModels.Version v = TestModels.write(store, 1, 1);
            puller.pollOnce();
            for (long version = 2; version <= 4; version++) {
                v = TestModels.writeDelta(store, v, version, version);
                puller.pollOnce();
                assertThat(puller.current().overlayDepth()).isZero();
                assertServes(puller, v);
            }
            assertThat(puller.compactionCount()).isEqualTo(3);
        }
    }

    @Test
    void fp16RowsServeTheRoundedModelInLessMemory() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller half =
                        puller(
                                store,
                                PullerConfig.defaults().withFp16(true).withMaxOverlayDepth(3));
                ModelPuller full = puller(store)) {
            TestModels.Version v = TestModels.write(store, 1, 1);
            half.pollOnce();
            full.pollOnce();
            assertThat(half.current().precision()).isEqualTo(RowPrecision.FLOAT16);
            assertServes(half, TestModels.roundedToHalf(v));
            long halfBytes = half.current().approximateBytes();
            long fullBytes = full.current().approximateBytes();
            assertThat(halfBytes).isLessThan(fullBytes);
            for (long version = 2; version <= 6; version++) {
                v = TestModels.writeDelta(store, v, version, 300 + version);
                half.pollOnce();
                assertServes(half, TestModels.roundedToHalf(v));
            }
            assertThat(half.compactionCount()).isEqualTo(1);
            float[] exact = v.expectedScores(probes);
            float[] rounded = half.current().score(probes);
            for (int i = 0; i < exact.length; i++) {
                assertThat(rounded[i]).as("probe %d", i).isCloseTo(exact[i], within(2e-3f));
            }
        }
    }

    @Test
    void freshnessDelayIsSwapTimeMinusNewestExampleIngestTime() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        try (ModelPuller puller = puller(store)) {
            assertThat(puller.freshness().count()).isZero();
            assertThat(puller.freshness().lastMs()).isEmpty();
            TestModels.Version v = TestModels.write(store, 1, 1);
            puller.pollOnce(); // ingest CREATED_AT_MS + 1000, clock CREATED_AT_MS + 60_000
            for (long version = 2; version <= 5; version++) {
                clock.advanceMs(1000);
                v = TestModels.writeDelta(store, v, version, version);
                puller.pollOnce();
            }
            List<SwapRecord> history = puller.swapHistory();
            assertThat(history).hasSize(5);
            for (SwapRecord r : history) {
                assertThat(r.newestExampleIngestMs()).isEqualTo(CREATED_AT_MS + 1000 * r.version());
                assertThat(r.swapTimeMs())
                        .isEqualTo(CREATED_AT_MS + 60_000 + 1000 * (r.version() - 1));
                assertThat(r.createdAtMs()).isEqualTo(CREATED_AT_MS + r.version());
                // every version: 60 s - 1 s of ingest-to-swap delay
                assertThat(r.freshnessDelayMs()).hasValue(59_000);
            }
            FreshnessSummary f = puller.freshness();
            assertThat(f.count()).isEqualTo(5);
            assertThat(f.sumMs()).isEqualTo(5 * 59_000);
            assertThat(f.lastMs()).hasValue(59_000);
            assertThat(f.p50Ms()).hasValue(59_000);
            assertThat(f.p99Ms()).hasValue(59_000);
            assertThat(f.window()).isEqualTo(5);
        }
    }

    @Test
    void withDeltaRefusesADeltaOfAnotherParent() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root, 20);
        TestModels.Version v1 = TestModels.write(store, 1, 1);
        TestModels.Version v2 = TestModels.writeDelta(store, v1, 2, 2);
        TestModels.writeDelta(store, v2, 3, 3);
        ServingModel at1 = ServingModel.create(store.load(1), 0);
        assertThatThrownBy(() -> at1.withDelta(store.loadDelta(3, RowPrecision.FLOAT32), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("applies to version 2, not to the model of version 1");
        assertThatThrownBy(() -> at1.withDelta(store.loadDelta(2, RowPrecision.FLOAT16), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FLOAT16");
        assertThat(store.readManifest(2).kind()).isEqualTo(SnapshotKind.DELTA);
    }
}
