/**
 * The snapshot format and the local model store: how a trained model leaves the Flink job and
 * reaches the servers, with no Flink dependency so both sides share one implementation.
 *
 * <p>A snapshot version is a directory of Avro container files (embedding rows, dense parameters)
 * plus a {@link io.freshrank.store.SnapshotManifest} with checksums and provenance. Publishing
 * follows Monolith: data files first, then the manifest (its presence commits the version), then
 * the {@code LATEST} pointer by tmp + atomic rename, so a reader never sees a partial version.
 * Every format carries a version; readers reject versions they do not know, naming both, and verify
 * every file's SHA-256 before using it ({@link io.freshrank.store.LocalModelStore#load}). The
 * serving-side {@link io.freshrank.store.EmbeddingTable} holds the serving entry only (the
 * embedding, no optimizer slots).
 */
package io.freshrank.store;
