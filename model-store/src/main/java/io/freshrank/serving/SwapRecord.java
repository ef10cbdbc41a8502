package io.freshrank.serving;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One model swap of a {@link ModelPuller}, as kept in its bounded {@link
 * ModelPuller#swapHistory()}: what came in, how, how long it took, how many bytes were read and how
 * fresh the data was.
 *
 * @param version the model version served after the swap
 * @param kind how the model was built
 * @param swapTimeMs when it started serving (epoch millis, the puller's clock): the model's {@link
 *     ServingModel#readyAtMs()}, set right before the swap; for a compaction, the compaction's swap
 * @param createdAtMs the version's manifest {@code createdAtMs} (export time)
 * @param newestExampleIngestMs the version's {@link
 *     io.freshrank.store.SnapshotManifest#NEWEST_EXAMPLE_INGEST_MS} provenance, -1 when absent
 * @param applyMillis time from starting to read the snapshot to serving it (for a compaction: the
 *     compaction's duration)
 * @param bytesRead snapshot bytes read from the store: every file of the chain for a full load, the
 *     applied deltas' files for a delta apply, 0 for a compaction
 * @param snapshotBytes the bytes of the version's own files ({@link
 *     io.freshrank.store.SnapshotManifest#totalBytes()}), e.g. to compare deltas with fulls
 * @param versionsApplied snapshot versions read: the chain length for a full load, the deltas
 *     applied (more than one when the puller caught up on several), 0 for a compaction
 * @param overlayDepth delta overlays above the base table after the swap
 * @param rows embedding rows after the swap
 */
public record SwapRecord(
        long version,
        Kind kind,
        long swapTimeMs,
        long createdAtMs,
        long newestExampleIngestMs,
        long applyMillis,
        long bytesRead,
        long snapshotBytes,
        int versionsApplied,
        int overlayDepth,
        int rows) {

    /** How a swapped-in model was built. */
    public enum Kind {
        /** The version's whole chain read from the store into a fresh table. */
        FULL_LOAD,
        /** One or more deltas applied as overlays on the model served before. */
        DELTA_APPLY,
        /** The same version's overlays folded into one table (no new data). */
        COMPACTION
    }

    public SwapRecord {
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * The freshness delay of this swap: {@code swapTimeMs - newestExampleIngestMs}, i.e. how long
     * after the newest trained example reached Kafka the model that learnt from it served. Empty
     * for a compaction (no new data) or without the provenance entry. May be negative when the
     * trainer's and the server's clocks disagree.
     */
    public OptionalLong freshnessDelayMs() {
        return kind == Kind.COMPACTION || newestExampleIngestMs < 0
                ? OptionalLong.empty()
                : OptionalLong.of(swapTimeMs - newestExampleIngestMs);
    }
}
