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
 * embedding, no optimizer slots), as float32 or, to halve a server's memory, IEEE half floats
 * ({@link io.freshrank.store.RowPrecision}, {@link io.freshrank.store.HalfFloat}).
 *
 * <p>A DELTA version carries the rows touched since its parent and the ids removed since then (rows
 * expired by the trainer's idle TTL: {@link io.freshrank.store.FileRole#DELETES}). Applying a delta
 * removes its ids, then puts its rows, so a row removed and re-added within one delta is present.
 * Servers may apply one delta on its own to the model they hold ({@link
 * io.freshrank.store.LocalModelStore#loadDelta}) instead of reloading the chain.
 */
package io.freshrank.store;
