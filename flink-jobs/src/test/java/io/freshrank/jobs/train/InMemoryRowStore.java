package io.freshrank.jobs.train;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A {@link RowStore} backed by a {@link HashMap} that deep-copies entries on {@link #put} and
 * {@link #get}, like a serializing state backend (RocksDB): a caller that changes an entry after
 * putting it, or changes a fetched entry without putting it back, changes nothing here, so aliasing
 * bugs show up in tests. Counts gets, puts and removes. Not thread-safe.
 */
final class InMemoryRowStore implements RowStore {
    private final Map<Long, EmbeddingRow> rows = new HashMap<>();
    private long gets;
    private long puts;
    private long removes;

    @Override
    public EmbeddingRow get(long id) {
        gets++;
        return copy(rows.get(id));
    }

    @Override
    public void put(long id, EmbeddingRow row) {
        if (row == null || row.vector == null || row.optimizerState == null) {
            throw new IllegalArgumentException("incomplete entry put for id " + id + ": " + row);
        }
        puts++;
        rows.put(id, copy(row));
    }

    @Override
    public void remove(long id) {
        removes++;
        rows.remove(id);
    }

    /** A copy of the stored entry of {@code id}, or null; not counted as a get. */
    EmbeddingRow peek(long id) {
        return copy(rows.get(id));
    }

    /** The stored ids, ascending. */
    TreeSet<Long> ids() {
        return new TreeSet<>(rows.keySet());
    }

    /** Copies of every stored entry. */
    Map<Long, EmbeddingRow> snapshot() {
        Map<Long, EmbeddingRow> out = new HashMap<>();
        rows.forEach((id, row) -> out.put(id, copy(row)));
        return out;
    }

    int size() {
        return rows.size();
    }

    long gets() {
        return gets;
    }

    long puts() {
        return puts;
    }

    long removes() {
        return removes;
    }

    static EmbeddingRow copy(EmbeddingRow row) {
        if (row == null) {
            return null;
        }
        return new EmbeddingRow(
                row.vector == null ? null : row.vector.clone(),
                row.optimizerState == null ? null : row.optimizerState.clone(),
                row.count,
                row.lastUpdateMs);
    }
}
