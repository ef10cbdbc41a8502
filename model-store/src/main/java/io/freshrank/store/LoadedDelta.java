package io.freshrank.store;

import io.freshrank.model.DenseParameters;
import java.util.Objects;
import java.util.Optional;

/**
 * One DELTA version read on its own and verified (every file's size and SHA-256 matched its
 * manifest), for a server that applies it to the model it already holds instead of reloading the
 * whole chain ({@link LocalModelStore#loadDelta}). Applying it to the parent's table means: remove
 * every id of {@link #deletedIds()}, then put every row of {@link #rows()} (a row both deleted and
 * re-added in this delta is therefore present), and use {@link #dense()} if present, else the
 * parent's dense parameters.
 *
 * <p>Treat as immutable: the arrays and the table are shared with whoever applies the delta.
 *
 * @param manifest the delta's manifest ({@link SnapshotKind#DELTA})
 * @param rows the rows the delta sets, in the precision the caller asked for
 * @param deletedIds the ids the delta removes, as listed (duplicates possible, ids the parent does
 *     not have possible: both are harmless)
 * @param denseOrNull the delta's dense parameters (block {@code "dense"}), or null to keep the
 *     parent's
 */
public record LoadedDelta(
        SnapshotManifest manifest,
        EmbeddingTable rows,
        long[] deletedIds,
        DenseParameters denseOrNull) {

    public LoadedDelta {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(deletedIds, "deletedIds");
        if (manifest.kind() != SnapshotKind.DELTA) {
            throw new IllegalArgumentException(
                    "snapshot version " + manifest.modelVersion() + " is not a DELTA");
        }
    }

    public long modelVersion() {
        return manifest.modelVersion();
    }

    public long parentVersion() {
        return manifest.parentVersion();
    }

    /** The delta's dense parameters, or empty when it keeps its parent's. */
    public Optional<DenseParameters> dense() {
        return Optional.ofNullable(denseOrNull);
    }
}
