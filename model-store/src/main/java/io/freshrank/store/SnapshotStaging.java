package io.freshrank.store;

import io.freshrank.model.DenseParameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The directory of a not-yet-committed model version, where writers put data files. Nothing here is
 * visible to readers until {@link LocalModelStore#commit} writes the manifest that lists the files.
 *
 * <p>Several writers (e.g. parallel Flink subtasks, each with its own {@code LocalModelStore} and
 * {@code SnapshotStaging} on the same root and version) may write different files of one version
 * concurrently; each file must have exactly one writer. A file written twice (a retried attempt) is
 * replaced whole by the later one. Every write returns the {@link FileEntry} that the publisher
 * collects into the manifest.
 *
 * <p>A DELTA lists the rows touched since its parent ({@link #openRows}) and the ids removed since
 * then ({@link #openDeletes}, e.g. rows expired by an idle TTL); readers apply a delta's deletes
 * before its rows, so an id that was removed and then touched again within one delta keeps its new
 * row. A writer that expires and re-creates rows between two snapshots may therefore list the id in
 * both files.
 */
public final class SnapshotStaging {
    /** Conventional name of the dense parameter file. */
    public static final String DENSE_FILE = "dense.avro";

    private final long modelVersion;
    private final StoreFileSystem fs;
    private final String directory;

    SnapshotStaging(long modelVersion, StoreFileSystem fs, String directory) {
        this.modelVersion = modelVersion;
        this.fs = fs;
        this.directory = directory;
    }

    /** A staging in local directory {@code directory}. */
    SnapshotStaging(long modelVersion, Path directory) {
        this(modelVersion, new NioStoreFileSystem(directory), "");
    }

    /**
     * Conventional name of the rows file of writer {@code subtaskIndex}: {@code rows-00003.avro}.
     */
    public static String rowsFileName(int subtaskIndex) {
        if (subtaskIndex < 0) {
            throw new IllegalArgumentException("subtaskIndex must be >= 0, got " + subtaskIndex);
        }
        return String.format(Locale.ROOT, "rows-%05d.avro", subtaskIndex);
    }

    /**
     * Conventional name of the deletes file of writer {@code subtaskIndex}: {@code
     * deletes-00003.avro}.
     */
    public static String deletesFileName(int subtaskIndex) {
        if (subtaskIndex < 0) {
            throw new IllegalArgumentException("subtaskIndex must be >= 0, got " + subtaskIndex);
        }
        return String.format(Locale.ROOT, "deletes-%05d.avro", subtaskIndex);
    }

    public long modelVersion() {
        return modelVersion;
    }

    /**
     * The local directory of this staging.
     *
     * @throws UnsupportedOperationException if the store is not on a local ({@code java.nio}) file
     *     system; use {@link #fileSystem()} and {@link #location()} there
     */
    public Path directory() {
        if (fs instanceof NioStoreFileSystem nio) {
            return nio.resolve(directory);
        }
        throw new UnsupportedOperationException(
                "the staging directory " + fs.describe(directory) + " is not a local path");
    }

    /** The store's file system. */
    public StoreFileSystem fileSystem() {
        return fs;
    }

    /** The store path of this staging directory, within {@link #fileSystem()}. */
    public String location() {
        return directory;
    }

    /** The store path of file {@code fileName} of this staging directory. */
    String pathOf(String fileName) {
        return StoreFileSystem.child(directory, FileEntry.checkName(fileName));
    }

    /**
     * Opens a ROWS file for streaming writes.
     *
     * @param rowWidth floats per row, {@code ModelConfig#rowWidth()} (dim + 1)
     */
    public RowFileWriter openRows(String fileName, int rowWidth) throws IOException {
        return new RowFileWriter(fs, pathOf(fileName), rowWidth);
    }

    /** Writes every row of {@code rows} into one ROWS file. */
    public FileEntry writeRows(
            String fileName, int rowWidth, Iterator<? extends Map.Entry<Long, float[]>> rows)
            throws IOException {
        try (RowFileWriter w = openRows(fileName, rowWidth)) {
            while (rows.hasNext()) {
                Map.Entry<Long, float[]> e = rows.next();
                w.append(e.getKey(), e.getValue());
            }
            return w.finish();
        }
    }

    /**
     * Opens a DELETES file for streaming writes: the feature ids this DELTA removes from its
     * parent. Only a DELTA may list DELETES files ({@link SnapshotManifest} rejects them in a
     * FULL).
     */
    public DeleteFileWriter openDeletes(String fileName) throws IOException {
        return new DeleteFileWriter(fs, pathOf(fileName));
    }

    /** Writes {@code ids} (in order) into one DELETES file; see {@link #openDeletes}. */
    public FileEntry writeDeletes(String fileName, long[] ids) throws IOException {
        try (DeleteFileWriter w = openDeletes(fileName)) {
            for (long id : ids) {
                w.append(id);
            }
            return w.finish();
        }
    }

    /** Writes the dense parameters (block {@code "dense"}), all that serving needs. */
    public FileEntry writeDense(String fileName, DenseParameters dense) throws IOException {
        return writeDense(fileName, Map.of(SnapshotFormat.DENSE_BLOCK, dense.values()));
    }

    /**
     * Writes named dense blocks in map order; must include {@code "dense"} (the flat {@link
     * DenseParameters}). Extra blocks such as {@code "dense.accumulator"} (the trainer's Adagrad
     * state, for restores) are kept in the file and ignored by serving.
     */
    public FileEntry writeDense(String fileName, Map<String, float[]> blocks) throws IOException {
        if (!blocks.containsKey(SnapshotFormat.DENSE_BLOCK)) {
            throw new IllegalArgumentException(
                    "dense file "
                            + fileName
                            + " needs a block named \""
                            + SnapshotFormat.DENSE_BLOCK
                            + "\" (the model's dense parameters); got "
                            + blocks.keySet());
        }
        Map<String, float[]> ordered = new LinkedHashMap<>(blocks);
        for (Map.Entry<String, float[]> e : ordered.entrySet()) {
            float[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new IllegalArgumentException(
                            "dense block "
                                    + e.getKey()
                                    + " has a non-finite value at index "
                                    + i
                                    + "; non-finite parameters must never be exported");
                }
            }
        }
        AvroFileSink sink = new AvroFileSink(fs, pathOf(fileName), FileRole.DENSE);
        try {
            GenericRecord record = new GenericData.Record(SnapshotFormat.DENSE_SCHEMA);
            for (Map.Entry<String, float[]> e : ordered.entrySet()) {
                ByteBuffer buf = ByteBuffer.allocate(e.getValue().length * Float.BYTES);
                SnapshotFormat.encode(e.getValue(), buf);
                record.put("name", e.getKey());
                record.put("values", buf);
                sink.append(record);
            }
            return sink.finish();
        } finally {
            sink.abort();
        }
    }
}
