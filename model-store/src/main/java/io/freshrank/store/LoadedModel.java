package io.freshrank.store;

import io.freshrank.features.FeatureSpec;
import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import java.util.Objects;

/**
 * A snapshot read into memory and verified (every file's size and SHA-256 matched its manifest):
 * what a server needs to score. For a DELTA, the result of applying its chain to the FULL below it;
 * {@link #manifest()} is the loaded version's own manifest.
 *
 * <p>Treat as immutable once loaded: the dense parameters and rows are shared by every scoring
 * thread and must not be changed.
 *
 * @param manifest the loaded version's manifest
 * @param featureSpec the spec the model was trained with (parsed from the manifest)
 * @param modelConfig the model's shape
 * @param dense the flat dense parameters (block {@code "dense"})
 * @param embeddings every embedding row, in the {@link RowPrecision} asked for
 * @param loadedAtMs when loading finished (epoch millis)
 */
public record LoadedModel(
        SnapshotManifest manifest,
        FeatureSpec featureSpec,
        ModelConfig modelConfig,
        DenseParameters dense,
        EmbeddingTable embeddings,
        long loadedAtMs) {

    public LoadedModel {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(featureSpec, "featureSpec");
        Objects.requireNonNull(modelConfig, "modelConfig");
        Objects.requireNonNull(dense, "dense");
        Objects.requireNonNull(embeddings, "embeddings");
    }

    public long modelVersion() {
        return manifest.modelVersion();
    }
}
