package io.freshrank.jobs.train;

import io.freshrank.jobs.common.FreshrankOptions;
import java.io.Serializable;

/**
 * Settings of the embedding shards.
 *
 * @param cacheBytes heap bytes of the write-back row cache per shard subtask (0 = no cache: every
 *     access goes to keyed state; right for the heap state backend)
 * @param sketchBytes bytes of the admission count-min sketch per shard subtask
 * @param sweepIntervalMs how often idle rows are expired (and the sketch aged)
 * @param sketchHalveIntervalMs the sketch's counts are halved this often, so rare ids are forgotten
 * @param storePath model store root, or null to publish nothing
 * @param fullSnapshotEvery every this many checkpoints a FULL snapshot is published; DELTAs in
 *     between (1 = always FULL)
 * @param writeBehindIdleMs cached rows not updated for this long are written to keyed state between
 *     checkpoints, so the flush before the barrier has fewer to write (0 = only at the barrier)
 */
public record ShardConfig(
        long cacheBytes,
        long sketchBytes,
        long sweepIntervalMs,
        long sketchHalveIntervalMs,
        String storePath,
        int fullSnapshotEvery,
        long writeBehindIdleMs)
        implements Serializable {

    /** Settings without write-behind. */
    public ShardConfig(
            long cacheBytes,
            long sketchBytes,
            long sweepIntervalMs,
            long sketchHalveIntervalMs,
            String storePath,
            int fullSnapshotEvery) {
        this(
                cacheBytes,
                sketchBytes,
                sweepIntervalMs,
                sketchHalveIntervalMs,
                storePath,
                fullSnapshotEvery,
                0);
    }

    public ShardConfig {
        if (cacheBytes < 0) {
            throw new IllegalArgumentException(
                    FreshrankOptions.CACHE_BYTES.key() + " must be >= 0, got " + cacheBytes);
        }
        if (sketchBytes < 64) {
            throw new IllegalArgumentException(
                    FreshrankOptions.SKETCH_BYTES.key() + " must be >= 64, got " + sketchBytes);
        }
        if (sweepIntervalMs < 1 || sketchHalveIntervalMs < 1) {
            throw new IllegalArgumentException(
                    FreshrankOptions.EXPIRY_SWEEP_INTERVAL.key()
                            + " and "
                            + FreshrankOptions.SKETCH_HALVE_INTERVAL.key()
                            + " must be positive");
        }
        if (writeBehindIdleMs < 0) {
            throw new IllegalArgumentException(
                    FreshrankOptions.WRITE_BEHIND_IDLE.key()
                            + " must be >= 0, got "
                            + writeBehindIdleMs
                            + " ms");
        }
        if (fullSnapshotEvery < 1) {
            throw new IllegalArgumentException(
                    FreshrankOptions.FULL_SNAPSHOT_EVERY.key()
                            + " must be >= 1, got "
                            + fullSnapshotEvery);
        }
    }
}
