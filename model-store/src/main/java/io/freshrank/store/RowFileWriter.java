package io.freshrank.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Streams embedding rows into one ROWS file of a staged snapshot. Call {@link #append} per row,
 * then {@link #finish} for the {@link FileEntry} to put in the manifest; {@link #close} without
 * {@code finish} discards the file. The file appears under its name only once finished, complete.
 * Not thread-safe: one writer per file.
 */
public final class RowFileWriter implements Closeable {
    private final AvroFileSink sink;
    private final int rowWidth;
    private final GenericRecord record = new GenericData.Record(SnapshotFormat.ROW_SCHEMA);
    private final ByteBuffer buffer;

    RowFileWriter(StoreFileSystem fs, String target, int rowWidth) throws IOException {
        if (rowWidth < 2) {
            throw new IllegalArgumentException("rowWidth must be dim + 1 >= 2, got " + rowWidth);
        }
        this.rowWidth = rowWidth;
        this.buffer = ByteBuffer.allocate(rowWidth * Float.BYTES);
        this.sink = new AvroFileSink(fs, target, FileRole.ROWS);
    }

    /**
     * Appends the row of {@code featureId}; the array is encoded immediately and not retained.
     *
     * @throws IllegalArgumentException if the row's length is not the file's row width or it holds
     *     a non-finite value (non-finite rows must never reach state, let alone a snapshot)
     */
    public void append(long featureId, float[] row) throws IOException {
        if (row.length != rowWidth) {
            throw new IllegalArgumentException(
                    "row of feature id "
                            + featureId
                            + " has "
                            + row.length
                            + " floats but this file's rows have "
                            + rowWidth
                            + " (dim + 1)");
        }
        for (int i = 0; i < row.length; i++) {
            if (!Float.isFinite(row[i])) {
                throw new IllegalArgumentException(
                        "row of feature id "
                                + featureId
                                + " has a non-finite value at index "
                                + i
                                + "; non-finite rows must never be exported");
            }
        }
        SnapshotFormat.encode(row, buffer);
        record.put("id", featureId);
        record.put("vector", buffer);
        sink.append(record);
    }

    /** Completes the file (durable, under its name) and describes it for the manifest. */
    public FileEntry finish() throws IOException {
        return sink.finish();
    }

    /** Discards the file unless {@link #finish} was called. */
    @Override
    public void close() throws IOException {
        sink.abort();
    }
}
