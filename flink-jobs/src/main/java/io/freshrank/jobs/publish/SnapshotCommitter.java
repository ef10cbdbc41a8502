package io.freshrank.jobs.publish;

import io.freshrank.features.FeatureSpec;
import io.freshrank.model.ModelConfig;
import io.freshrank.store.FileEntry;
import io.freshrank.store.FileRole;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotKind;
import io.freshrank.store.SnapshotManifest;
import io.freshrank.store.SnapshotStaging;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase 2 of publishing (see the package doc): commits version N once every shard's parts and the
 * dense part of N are staged. A DELTA is committed only on top of its base: every shard's delta
 * must name the same base, and that base must be {@code LATEST}; otherwise (a checkpoint in between
 * was never published) the version is skipped and publishing resumes with the next FULL. The
 * manifest's provenance gets the merge of every trainer subtask's staged {@link TrainingProgress}
 * (examples-topic offsets and watermark). Shards write their parts in the background ({@link
 * BackgroundStaging}), so a commit waits up to {@link #partsWaitMs} for the shards' parts to
 * appear. Used by one subtask only. Not thread-safe.
 */
public final class SnapshotCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCommitter.class);

    private final LocalModelStore store;
    private final FeatureSpec spec;
    private final ModelConfig modelConfig;

    /** How long a commit waits by default for shard parts still being written. */
    public static final long DEFAULT_PARTS_WAIT_MS = 30_000;

    private static final long PARTS_POLL_MS = 20;

    private final int shards;
    private final long partsWaitMs;
    private long lastCommitted = -1;

    public SnapshotCommitter(
            LocalModelStore store, FeatureSpec spec, ModelConfig modelConfig, int shards) {
        this(store, spec, modelConfig, shards, DEFAULT_PARTS_WAIT_MS);
    }

    /**
     * @param partsWaitMs how long {@link #commit} waits for shard parts that are not staged yet
     */
    public SnapshotCommitter(
            LocalModelStore store,
            FeatureSpec spec,
            ModelConfig modelConfig,
            int shards,
            long partsWaitMs) {
        this.store = store;
        this.spec = spec;
        this.modelConfig = modelConfig;
        this.shards = shards;
        this.partsWaitMs = partsWaitMs;
    }

    /**
     * Commits version {@code checkpointId} if it is complete, newer than {@code LATEST} and (for a
     * DELTA) based on it.
     *
     * @return the committed manifest's kind, or null if nothing was committed
     */
    public SnapshotKind commit(long checkpointId, Map<String, String> provenance)
            throws IOException {
        OptionalLong latest = store.readLatestVersion();
        if (checkpointId <= lastCommitted
                || (latest.isPresent() && checkpointId <= latest.getAsLong())
                || store.isCommitted(checkpointId)) {
            return null;
        }
        SnapshotStaging staging = store.stage(checkpointId);
        List<SnapshotParts.Part> parts = awaitRowParts(staging, checkpointId);
        int rowParts = 0;
        int deleteParts = 0;
        int denseParts = 0;
        Set<String> kinds = new HashSet<>();
        Set<String> bases = new HashSet<>();
        List<FileEntry> files = new ArrayList<>();
        for (SnapshotParts.Part p : parts) {
            files.add(p.entry());
            switch (p.entry().role()) {
                case ROWS -> {
                    rowParts++;
                    kinds.add(p.meta().getOrDefault(SnapshotParts.KIND, SnapshotKind.FULL.name()));
                    bases.add(p.meta().getOrDefault(SnapshotParts.BASE, "-1"));
                }
                case DELETES -> deleteParts++;
                case DENSE -> denseParts++;
                default -> {}
            }
        }
        if (rowParts < shards || denseParts < 1) {
            LOG.warn(
                    "checkpoint {} completed but only {} of {} shard parts and {} dense parts are staged;"
                            + " not publishing it",
                    checkpointId,
                    rowParts,
                    shards,
                    denseParts);
            return null;
        }
        if (kinds.size() != 1) {
            LOG.warn(
                    "checkpoint {}: shards disagree on the snapshot kind {}; skipping it",
                    checkpointId,
                    kinds);
            return null;
        }
        SnapshotKind kind = SnapshotKind.valueOf(kinds.iterator().next());
        long parent = latest.orElse(-1);
        if (kind == SnapshotKind.DELTA) {
            long base =
                    bases.size() == 1 ? Long.parseLong(bases.iterator().next()) : Long.MIN_VALUE;
            if (base < 0 || base != parent || deleteParts < shards) {
                LOG.warn(
                        "checkpoint {}: DELTA on bases {} but LATEST is {}; skipping until the next FULL",
                        checkpointId,
                        bases,
                        parent);
                return null;
            }
        }
        long now = System.currentTimeMillis();
        SnapshotManifest manifest =
                SnapshotManifest.builder()
                        .modelVersion(checkpointId)
                        .parentVersion(kind == SnapshotKind.DELTA ? parent : -1)
                        .kind(kind)
                        .checkpointId(checkpointId)
                        .createdAtMs(now)
                        .featureSpec(spec)
                        .modelConfig(modelConfig)
                        .files(files)
                        .provenance(provenance)
                        .provenance(SnapshotParts.readProgress(staging).provenance())
                        .provenance(SnapshotManifest.CODE_VERSION, CodeVersion.get())
                        .build();
        store.commit(manifest);
        lastCommitted = checkpointId;
        long rows =
                files.stream()
                        .filter(f -> f.role() == FileRole.ROWS)
                        .mapToLong(FileEntry::records)
                        .sum();
        LOG.info(
                "published model version {} ({}, {} rows, {} files, {} bytes)",
                checkpointId,
                kind,
                rows,
                files.size(),
                files.stream().mapToLong(FileEntry::bytes).sum());
        return kind;
    }

    /** The staged parts once every shard's rows part is there, or after {@link #partsWaitMs}. */
    private List<SnapshotParts.Part> awaitRowParts(SnapshotStaging staging, long checkpointId)
            throws IOException {
        long t0 = System.nanoTime();
        long deadline = t0 + partsWaitMs * 1_000_000;
        List<SnapshotParts.Part> parts = SnapshotParts.read(staging);
        while (rowParts(parts) < shards && System.nanoTime() < deadline) {
            try {
                Thread.sleep(PARTS_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(
                        "interrupted while waiting for the parts of " + checkpointId, e);
            }
            parts = SnapshotParts.read(staging);
        }
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        if (waitedMs >= 100) {
            LOG.info(
                    "checkpoint {}: waited {} ms for shard parts still being written",
                    checkpointId,
                    waitedMs);
        }
        return parts;
    }

    private static int rowParts(List<SnapshotParts.Part> parts) {
        int n = 0;
        for (SnapshotParts.Part p : parts) {
            if (p.entry().role() == FileRole.ROWS) {
                n++;
            }
        }
        return n;
    }

    public long lastCommitted() {
        return lastCommitted;
    }
}
