package io.freshrank.store;

/** What a snapshot data file holds; also written into the file's Avro metadata. */
public enum FileRole {
    /** Embedding rows: Avro records {@code {long id; bytes vector}}. */
    ROWS,
    /** Named dense parameter blocks: Avro records {@code {string name; bytes values}}. */
    DENSE
}
