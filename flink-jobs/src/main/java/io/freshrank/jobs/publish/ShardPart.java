package io.freshrank.jobs.publish;

import io.freshrank.store.FileEntry;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.RowFileWriter;
import io.freshrank.store.SnapshotKind;
import io.freshrank.store.SnapshotStaging;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One embedding shard's part of a snapshot version, collected in memory on the task thread (a copy
 * of the rows, so the shard can go on changing them) and written to the store's staging directory
 * later, possibly on another thread ({@link BackgroundStaging}).
 *
 * <p>{@link #write} writes the rows file, for a DELTA the deletes file and its descriptor, and the
 * rows descriptor last: a committer that sees every shard's rows descriptor sees the whole part.
 */
public final class ShardPart {
    private final long version;
    private final int subtask;
    private final SnapshotKind kind;
    private final long base;
    private final int rowWidth;
    private long[] ids;
    private float[] rows;
    private int size;
    private long[] deleted = new long[0];

    /**
     * @param version the model version (checkpoint id)
     * @param subtask the shard subtask (names its files)
     * @param kind FULL or DELTA
     * @param base the shard's previous snapshot version (a DELTA's base), -1 for none
     * @param rowWidth floats per row (dim + 1)
     * @param expectedRows initial capacity
     */
    public ShardPart(
            long version,
            int subtask,
            SnapshotKind kind,
            long base,
            int rowWidth,
            int expectedRows) {
        this.version = version;
        this.subtask = subtask;
        this.kind = kind;
        this.base = base;
        this.rowWidth = rowWidth;
        int capacity = Math.max(16, expectedRows);
        this.ids = new long[capacity];
        this.rows = new float[capacity * rowWidth];
    }

    /** Copies the row {@code data[offset .. offset + rowWidth)} of {@code id}. */
    public void add(long id, float[] data, int offset) {
        if (size == ids.length) {
            int capacity = size * 2;
            ids = Arrays.copyOf(ids, capacity);
            rows = Arrays.copyOf(rows, capacity * rowWidth);
        }
        ids[size] = id;
        System.arraycopy(data, offset, rows, size * rowWidth, rowWidth);
        size++;
    }

    /** Ids removed since the base (a DELTA's deletes). */
    public void setDeleted(long[] deleted) {
        this.deleted = deleted.clone();
    }

    public long version() {
        return version;
    }

    public SnapshotKind kind() {
        return kind;
    }

    public int rows() {
        return size;
    }

    public int deletes() {
        return deleted.length;
    }

    /** Writes the part into {@code store}'s staging directory of its version. */
    public void write(LocalModelStore store) throws IOException {
        SnapshotStaging staging = store.stage(version);
        Map<String, String> meta = new HashMap<>();
        meta.put(SnapshotParts.KIND, kind.name());
        meta.put(SnapshotParts.BASE, Long.toString(base));
        FileEntry rowsEntry;
        try (RowFileWriter writer =
                staging.openRows(SnapshotStaging.rowsFileName(subtask), rowWidth)) {
            float[] row = new float[rowWidth];
            for (int i = 0; i < size; i++) {
                System.arraycopy(rows, i * rowWidth, row, 0, rowWidth);
                writer.append(ids[i], row);
            }
            rowsEntry = writer.finish();
        }
        if (kind == SnapshotKind.DELTA) {
            SnapshotParts.write(
                    staging,
                    staging.writeDeletes(SnapshotStaging.deletesFileName(subtask), deleted),
                    meta);
        }
        SnapshotParts.write(staging, rowsEntry, meta);
    }

    /** "a FULL snapshot of N rows" or "a DELTA of N changed and M removed rows". */
    public String describe() {
        return kind == SnapshotKind.FULL
                ? "a FULL snapshot of " + size + " rows"
                : "a DELTA of " + size + " changed and " + deleted.length + " removed rows";
    }
}
