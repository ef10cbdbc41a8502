package io.freshrank.serving;

import io.freshrank.features.FeatureExtractor;
import io.freshrank.features.FeatureSpec;
import io.freshrank.features.FeatureVector;
import io.freshrank.model.DeepFmModel;
import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import io.freshrank.model.RowLookup;
import io.freshrank.model.Scorer;
import io.freshrank.store.LoadedDelta;
import io.freshrank.store.LoadedModel;
import io.freshrank.store.RowPrecision;
import io.freshrank.store.SnapshotException;
import io.freshrank.store.SnapshotManifest;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model version ready to score: its manifest, dense parameters and embedding rows, the feature
 * extractor of its spec, and one {@link Scorer} per scoring thread ({@link Scorer} and {@link
 * DeepFmModel} hold preallocated buffers and are not thread-safe; the rows and dense parameters
 * they read are shared, read-only).
 *
 * <p>Built either from a whole loaded snapshot ({@link #create}), or from the model serving the
 * parent version plus one verified delta ({@link #withDelta}): then its rows are an overlay on the
 * parent's (see {@link ServedRows}), so applying a delta neither copies the table nor disturbs
 * requests still scoring with the parent. {@link #compact} folds the overlays into one table.
 *
 * <p>Scores come from the same {@link Scorer} the trainer uses, so a served model scores an example
 * exactly as the job did (with {@link RowPrecision#FLOAT16} rows, as the job would with those rows
 * rounded to half precision). Thread-safe; immutable apart from the per-thread scorers.
 */
public final class ServingModel {
    private final SnapshotManifest manifest;
    private final FeatureSpec featureSpec;
    private final ModelConfig modelConfig;
    private final DenseParameters dense;
    private final ServedRows rows;
    private final FeatureExtractor extractor;
    private final ThreadLocal<Scorer> scorers;
    private final long readyAtMs;
    private volatile LoadedModel loaded; // the source, or built on the first loaded() call

    private ServingModel(
            SnapshotManifest manifest,
            FeatureSpec featureSpec,
            ModelConfig modelConfig,
            DenseParameters dense,
            ServedRows rows,
            FeatureExtractor extractor,
            ThreadLocal<Scorer> scorers,
            long readyAtMs,
            LoadedModel loaded) {
        this.manifest = manifest;
        this.featureSpec = featureSpec;
        this.modelConfig = modelConfig;
        this.dense = dense;
        this.rows = rows;
        this.extractor = extractor;
        this.scorers = scorers;
        this.readyAtMs = readyAtMs;
        this.loaded = loaded;
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
        ServingModel model =
                new ServingModel(
                        loaded.manifest(),
                        loaded.featureSpec(),
                        config,
                        loaded.dense(),
                        ServedRows.base(loaded.embeddings()),
                        new FeatureExtractor(loaded.featureSpec()),
                        scorersFor(config, previous),
                        nowMs,
                        loaded);
        model.check();
        return model;
    }

    private static ThreadLocal<Scorer> scorersFor(ModelConfig config, ServingModel previous) {
        return previous != null && previous.modelConfig.equals(config)
                ? previous.scorers
                : ThreadLocal.withInitial(() -> new Scorer(new DeepFmModel(config)));
    }

    /**
     * The model of {@code delta}'s version, built on this one (which must serve the delta's
     * parent): its rows are an overlay (this model's rows, the delta's deleted ids removed, then
     * its rows put), its dense parameters the delta's or else this model's. Nothing is copied and
     * this model is left untouched. Runs the same checks as {@link #create}.
     *
     * @param delta a verified delta ({@link io.freshrank.store.LocalModelStore#loadDelta}) whose
     *     rows have this model's {@link #precision()}
     * @param nowMs when the new model becomes ready (epoch millis)
     * @throws IllegalArgumentException if the delta's parent is not this version
     * @throws SnapshotException if the delta has another model config or feature spec, or the
     *     result cannot serve
     */
    public ServingModel withDelta(LoadedDelta delta, long nowMs) throws SnapshotException {
        SnapshotManifest m = delta.manifest();
        if (delta.parentVersion() != version()) {
            throw new IllegalArgumentException(
                    "delta version "
                            + delta.modelVersion()
                            + " applies to version "
                            + delta.parentVersion()
                            + ", not to the model of version "
                            + version());
        }
        if (!m.modelConfig().equals(modelConfig)
                || !m.featureSpecJson().equals(manifest.featureSpecJson())) {
            throw new SnapshotException(
                    "snapshot version "
                            + m.modelVersion()
                            + " has another model config or feature spec than its parent "
                            + version());
        }
        ServingModel next =
                new ServingModel(
                        m,
                        featureSpec,
                        modelConfig,
                        delta.dense().orElse(dense),
                        rows.withDelta(delta.rows(), delta.deletedIds()),
                        extractor,
                        scorers,
                        nowMs,
                        null);
        next.check();
        return next;
    }

    /**
     * This model with its overlays folded into one fresh table (see {@link ServedRows#compact}):
     * same version, same rows and scores, same {@link #readyAtMs()}. Runs on the calling thread;
     * costs a copy of the table. A model without overlays returns itself.
     */
    public ServingModel compact() {
        if (rows.depth() == 0) {
            return this;
        }
        return new ServingModel(
                manifest,
                featureSpec,
                modelConfig,
                dense,
                rows.compact(),
                extractor,
                scorers,
                readyAtMs,
                null);
    }

    private void check() throws SnapshotException {
        int expected = scorers.get().model().parameterCount();
        if (dense.size() != expected) {
            throw new SnapshotException(
                    "snapshot version "
                            + version()
                            + " has "
                            + dense.size()
                            + " dense parameters but its model config "
                            + modelConfig
                            + " needs "
                            + expected);
        }
        FeatureVector probe = extractor.extract(Map.of(), Map.of(), Map.of());
        float p = score(List.of(probe))[0];
        if (!Float.isFinite(p)) {
            throw new SnapshotException(
                    "snapshot version "
                            + version()
                            + " scores an example without features as "
                            + p
                            + "; refusing to serve it");
        }
    }

    /** Click probabilities of {@code examples}, in order. Callable from any thread. */
    public float[] score(List<FeatureVector> examples) {
        return scorers.get().score(examples, rows, dense);
    }

    /**
     * This version as a {@link LoadedModel}. For a model made by {@link #create} that is the model
     * it was made from; otherwise it is built on the first call by folding the overlays into one
     * table (a full copy of the rows: prefer {@link #manifest()}, {@link #rows()} and friends).
     */
    public LoadedModel loaded() {
        LoadedModel l = loaded;
        if (l == null) {
            synchronized (this) {
                l = loaded;
                if (l == null) {
                    l =
                            new LoadedModel(
                                    manifest,
                                    featureSpec,
                                    modelConfig,
                                    dense,
                                    rows.compact().baseTable(),
                                    readyAtMs);
                    loaded = l;
                }
            }
        }
        return l;
    }

    public long version() {
        return manifest.modelVersion();
    }

    /** The manifest of this version (for a delta applied in memory, the delta's own manifest). */
    public SnapshotManifest manifest() {
        return manifest;
    }

    public FeatureSpec featureSpec() {
        return featureSpec;
    }

    public ModelConfig modelConfig() {
        return modelConfig;
    }

    public DenseParameters dense() {
        return dense;
    }

    /**
     * The embedding rows as the scorer reads them. Do not mutate a returned row; with {@link
     * RowPrecision#FLOAT16} a returned row is the calling thread's decode buffer, valid until its
     * next lookup (see {@link io.freshrank.store.EmbeddingTable#row}).
     */
    public RowLookup rows() {
        return rows;
    }

    /** Embedding rows a lookup can find. */
    public int rowCount() {
        return rows.size();
    }

    /** Delta overlays above the base table: 0 after a full load or a {@link #compact}. */
    public int overlayDepth() {
        return rows.depth();
    }

    /** How the rows are kept in memory. */
    public RowPrecision precision() {
        return rows.precision();
    }

    /**
     * Approximate heap bytes of the rows this model references (base table and every overlay;
     * shared with the models it was built on).
     */
    public long approximateBytes() {
        return rows.approximateBytes();
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
