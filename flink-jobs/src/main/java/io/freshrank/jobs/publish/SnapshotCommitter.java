package io.freshrank.jobs.publish;

import io.freshrank.features.FeatureSpec;
import io.freshrank.model.ModelConfig;
import io.freshrank.store.FileEntry;
import io.freshrank.store.FileRole;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase 2 of publishing (see the package doc): commits version N once all {@code expectedParts}
 * part descriptors of N are staged. Used by one subtask only. Not thread-safe.
 */
public final class SnapshotCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCommitter.class);

    private final LocalModelStore store;
    private final FeatureSpec spec;
    private final ModelConfig modelConfig;
    private final int expectedParts;
    private long lastCommitted = -1;

    public SnapshotCommitter(
            LocalModelStore store, FeatureSpec spec, ModelConfig modelConfig, int expectedParts) {
        this.store = store;
        this.spec = spec;
        this.modelConfig = modelConfig;
        this.expectedParts = expectedParts;
    }

    /**
     * Commits version {@code checkpointId} if all its parts are staged and it is newer than {@code
     * LATEST}.
     *
     * @return true if committed
     */
    public boolean commit(long checkpointId, Map<String, String> provenance) throws IOException {
        OptionalLong latest = store.readLatestVersion();
        if (checkpointId <= lastCommitted
                || (latest.isPresent() && checkpointId <= latest.getAsLong())) {
            return false;
        }
        Path staging = store.stage(checkpointId).directory();
        List<FileEntry> parts = SnapshotParts.read(staging);
        if (parts.size() < expectedParts) {
            LOG.warn(
                    "checkpoint {} completed but only {} of {} snapshot parts are staged; not publishing it",
                    checkpointId,
                    parts.size(),
                    expectedParts);
            return false;
        }
        long now = System.currentTimeMillis();
        SnapshotManifest manifest =
                SnapshotManifest.builder()
                        .modelVersion(checkpointId)
                        .parentVersion(latest.orElse(-1))
                        .checkpointId(checkpointId)
                        .createdAtMs(now)
                        .featureSpec(spec)
                        .modelConfig(modelConfig)
                        .files(parts)
                        .provenance(provenance)
                        .provenance(SnapshotManifest.CODE_VERSION, CodeVersion.get())
                        .build();
        store.commit(manifest);
        lastCommitted = checkpointId;
        long rows =
                parts.stream()
                        .filter(p -> p.role() == FileRole.ROWS)
                        .mapToLong(FileEntry::records)
                        .sum();
        LOG.info(
                "published model version {} ({} rows, {} files, {} bytes)",
                checkpointId,
                rows,
                parts.size(),
                parts.stream().mapToLong(FileEntry::bytes).sum());
        return true;
    }

    public long lastCommitted() {
        return lastCommitted;
    }
}
