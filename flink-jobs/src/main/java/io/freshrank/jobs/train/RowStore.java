package io.freshrank.jobs.train;

/**
 * Where a shard's training entries live behind its cache: Flink keyed state in the job (RocksDB or
 * heap), a map in tests. Entries handed to {@link #put} are owned by the store afterwards.
 */
public interface RowStore {
    /** The entry of {@code id}, or null. */
    EmbeddingRow get(long id) throws Exception;

    void put(long id, EmbeddingRow row) throws Exception;

    void remove(long id) throws Exception;
}
