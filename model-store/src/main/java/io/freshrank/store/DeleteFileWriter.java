package io.freshrank.store;

import java.io.Closeable;
import java.io.IOException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Streams the feature ids a DELTA removes (rows expired since the parent version) into one DELETES
 * file of a staged snapshot. Call {@link #append} per id, then {@link #finish} for the {@link
 * FileEntry} to put in the manifest; {@link #close} without {@code finish} discards the file. The
 * file appears under its name only once finished, complete. An id appended twice is removed once;
 * an id the parent does not have is ignored by readers. Not thread-safe: one writer per file.
 */
public final class DeleteFileWriter implements Closeable {
    private final AvroFileSink sink;
    private final GenericRecord record = new GenericData.Record(SnapshotFormat.DELETE_SCHEMA);

    DeleteFileWriter(StoreFileSystem fs, String target) throws IOException {
        this.sink = new AvroFileSink(fs, target, FileRole.DELETES);
    }

    /** Appends a removed feature id. */
    public void append(long featureId) throws IOException {
        record.put("id", featureId);
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
