package io.freshrank.store;

/**
 * Whether a snapshot stands alone or builds on its parent. A reader loads a {@link #DELTA} by
 * loading its parent chain down to a {@link #FULL} and applying the deltas oldest first.
 */
public enum SnapshotKind {
    /** Every row and the dense parameters; needs no other snapshot. */
    FULL,
    /**
     * Ids removed since the parent version ({@link FileRole#DELETES}, applied first), rows touched
     * since then (they replace the parent's rows; applied second, so a row both removed and
     * re-added is present) and, optionally, new dense parameters (absent = the parent's).
     */
    DELTA
}
