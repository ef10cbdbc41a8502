package io.freshrank.serving;

import io.freshrank.features.FeatureExtractor;
import io.freshrank.features.FeatureVector;
import io.freshrank.model.DeepFmModel;
import io.freshrank.model.ModelConfig;
import io.freshrank.model.Scorer;
import io.freshrank.store.LoadedModel;
import io.freshrank.store.SnapshotException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded snapshot ready to score: the model data, the feature extractor of its spec, and one
 * {@link Scorer} per scoring thread ({@link Scorer} and {@link DeepFmModel} hold preallocated
 * buffers and are not thread-safe; the rows and dense parameters they read are shared, read-only).
 *
 * <p>Scores come from the same {@link Scorer} the trainer uses, so a served model scores an example
 * exactly as the job did. Thread-safe; immutable apart from the per-thread scorers.
 */
public final class ServingModel {
    private final LoadedModel loaded;
    private final FeatureExtractor extractor;
    private final ThreadLocal<Scorer> scorers;
    private final long readyAtMs;

    private ServingModel(LoadedModel loaded, long readyAtMs, ThreadLocal<Scorer> scorers) {
        this.loaded = loaded;
        this.extractor = new FeatureExtractor(loaded.featureSpec());
        this.scorers = scorers;
        this.readyAtMs = readyAtMs;
    }

    /**
     * Checks that {@code loaded} can serve (its dense parameters fit its model config, and an
     * example with every feature missing scores finite) and wraps it. The check runs on the calling
     * thread, which also warms up the native math library off the request path.
     *
     * @throws SnapshotException if the model cannot serve
     */
    public static ServingModel create(LoadedModel loaded, long nowMs) throws SnapshotException {
        return create(loaded, nowMs, null);
    }

    /**
     * Like {@link #create(LoadedModel, long)}, reusing {@code previous}'s per-thread scorers when
     * both models have the same config: a {@link Scorer} depends only on the model's shape (the
     * parameters and rows are passed per call), so request threads keep their warmed-up buffers
     * across swaps instead of allocating new ones for every version.
     *
     * @param previous the model served so far, or null
     */
    public static ServingModel create(LoadedModel loaded, long nowMs, ServingModel previous)
            throws SnapshotException {
        Objects.requireNonNull(loaded, "loaded");
        ModelConfig config = loaded.modelConfig();
        ThreadLocal<Scorer> scorers =
                previous != null && previous.loaded.modelConfig().equals(config)
                        ? previous.scorers
                        : ThreadLocal.withInitial(() -> new Scorer(new DeepFmModel(config)));
        ServingModel model = new ServingModel(loaded, nowMs, scorers);
        int expected = model.scorers.get().model().parameterCount();
        if (loaded.dense().size() != expected) {
            throw new SnapshotException(
                    "snapshot version "
                            + loaded.modelVersion()
                            + " has "
                            + loaded.dense().size()
                            + " dense parameters but its model config "
                            + loaded.modelConfig()
                            + " needs "
                            + expected);
        }
        FeatureVector probe = model.extractor.extract(Map.of(), Map.of(), Map.of());
        float p = model.score(List.of(probe))[0];
        if (!Float.isFinite(p)) {
            throw new SnapshotException(
                    "snapshot version "
                            + loaded.modelVersion()
                            + " scores an example without features as "
                            + p
                            + "; refusing to serve it");
        }
        return model;
    }

    /** Click probabilities of {@code examples}, in order. Callable from any thread. */
    public float[] score(List<FeatureVector> examples) {
        return scorers.get().score(examples, loaded.embeddings(), loaded.dense());
    }

    public LoadedModel loaded() {
        return loaded;
    }

    public long version() {
        return loaded.modelVersion();
    }

    /** Turns request features into model input with this model's feature spec. */
    public FeatureExtractor extractor() {
        return extractor;
    }

    /** When this model passed its checks and became ready to swap in (epoch millis). */
    public long readyAtMs() {
        return readyAtMs;
    }
}
