package io.freshrank.serving;

import static io.freshrank.serving.TestModels.CREATED_AT_MS;
import static io.freshrank.serving.TestModels.assumeModelImplemented;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.features.FeatureExtractor;
import io.freshrank.features.FeatureVector;
import io.freshrank.model.DenseParameters;
import io.freshrank.store.LocalModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPullerTest {
    @TempDir Path root;

    private final MutableClock clock = new MutableClock(CREATED_AT_MS + 60_000);

    private ModelPuller puller(LocalModelStore store) {
        return new ModelPuller(store, Duration.ofMillis(10), Duration.ofSeconds(30), clock);
    }

    @Test
    void anEmptyStoreServesNothingAndIsNoFailure() {
        try (ModelPuller puller = puller(new LocalModelStore(root))) {
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.current()).isNull();
            assertThat(puller.currentVersion()).isEqualTo(-1);
            assertThat(puller.modelAgeMs()).isEmpty();
            assertThat(puller.loadFailures()).isZero();
            assertThat(puller.swapCount()).isZero();
        }
    }

    @Test
    void aGarbledLatestCountsAsAFailure() throws Exception {
        Files.writeString(root.resolve("LATEST"), "not a version");
        try (ModelPuller puller = puller(new LocalModelStore(root))) {
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.loadFailures()).isEqualTo(1);
        }
    }

    @Test
    void swapsToEachNewVersionAndTellsListeners() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root);
        List<String> swaps = Collections.synchronizedList(new ArrayList<>());
        try (ModelPuller puller = puller(store)) {
            puller.addSwapListener(
                    (prev, cur) ->
                            swaps.add(
                                    (prev == null ? "none" : prev.version())
                                            + "->"
                                            + cur.version()));
            TestModels.Version v1 = TestModels.write(store, 1, 1);
            assertThat(puller.pollOnce()).isTrue();
            assertThat(puller.pollOnce()).as("same version again").isFalse();
            TestModels.write(store, 2, 2);
            assertThat(puller.pollOnce()).isTrue();
            assertThat(swaps).containsExactly("none->1", "1->2");
            assertThat(puller.currentVersion()).isEqualTo(2);
            assertThat(puller.swapCount()).isEqualTo(2);
            assertThat(puller.modelAgeMs()).isEqualTo(OptionalLong.of(60_000 - 2));
            clock.advanceMs(1500);
            assertThat(puller.sinceSwapMs()).isEqualTo(OptionalLong.of(1500));

            // an operator points LATEST back at version 1: the puller follows
            Files.writeString(root.resolve("LATEST"), "1\n");
            assertThat(puller.pollOnce()).isTrue();
            assertThat(puller.currentVersion()).isEqualTo(1);
            FeatureVector x =
                    new FeatureExtractor(TestModels.SPEC)
                            .extract(Map.of("user_id", "u1", "item_id", "3"), Map.of(), Map.of());
            assertThat(puller.current().score(List.of(x)))
                    .containsExactly(v1.expectedScores(List.of(x)));
        }
    }

    @Test
    void aCorruptNewestSnapshotKeepsTheOldModelAndIsRetriedOnlyAfterTheInterval() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root);
        try (ModelPuller puller = puller(store)) {
            TestModels.write(store, 1, 1);
            assertThat(puller.pollOnce()).isTrue();
            TestModels.write(store, 2, 2, true);
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.currentVersion()).isEqualTo(1);
            assertThat(puller.loadFailures()).isEqualTo(1);
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.loadFailures()).as("not retried within the interval").isEqualTo(1);
            clock.advanceMs(31_000);
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.loadFailures()).isEqualTo(2);
            TestModels.write(store, 3, 3);
            assertThat(puller.pollOnce()).isTrue();
            assertThat(puller.currentVersion()).isEqualTo(3);
            assertThat(puller.swapCount()).isEqualTo(2);
        }
    }

    @Test
    void denseParametersThatDoNotFitTheConfigAreRejected() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root);
        store.writeFull(
                1,
                1,
                CREATED_AT_MS,
                TestModels.SPEC,
                TestModels.CONFIG,
                Map.<Long, float[]>of().entrySet(),
                new DenseParameters(new float[3]),
                Map.of());
        try (ModelPuller puller = puller(store)) {
            assertThat(puller.pollOnce()).isFalse();
            assertThat(puller.loadFailures()).isEqualTo(1);
            assertThatThrownBy(() -> ServingModel.create(store.load(1), 0))
                    .hasMessageContaining("has 3 dense parameters");
        }
    }

    @Test
    void aStartedPullerFindsNewVersionsOnItsOwn() throws Exception {
        assumeModelImplemented();
        LocalModelStore store = new LocalModelStore(root);
        try (ModelPuller puller = puller(store)) {
            puller.start();
            assertThatThrownBy(puller::start).isInstanceOf(IllegalStateException.class);
            TestModels.write(store, 5, 5);
            Await.until(
                    "version 5 served",
                    () -> puller.currentVersion() == 5,
                    Duration.ofSeconds(30),
                    () ->
                            "version "
                                    + puller.currentVersion()
                                    + ", failures "
                                    + puller.loadFailures());
        }
    }
}
