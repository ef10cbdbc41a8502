package io.freshrank.store;

/**
 * What a snapshot data file holds; also written into the file's Avro metadata.
 *
 * <p>Adding a role is an additive change of format version 1: a reader that finds a role it does
 * not know in a manifest must reject the whole snapshot (a role it skipped could change the model's
 * contents), which {@link SnapshotManifest#fromJson} does with a message naming the role.
 */
public enum FileRole {
    /** Embedding rows: Avro records {@code {long id; bytes vector}}. */
    ROWS,
    /** Named dense parameter blocks: Avro records {@code {string name; bytes values}}. */
    DENSE,
    /**
     * Feature ids removed from the table since the parent version (e.g. rows expired by the
     * trainer's idle TTL): Avro records {@code {long id}}. Only in a {@link SnapshotKind#DELTA};
     * applied before the delta's rows, so a row deleted and re-added in one delta is present.
     */
    DELETES
}
