package io.freshrank.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/** Verifies and parses the data files of one snapshot version. */
final class SnapshotReader {
    private SnapshotReader() {}

    /** Checks that every listed file exists with the listed size and SHA-256. */
    static void verify(StoreFileSystem fs, String dir, SnapshotManifest m) throws IOException {
        for (FileEntry f : m.files()) {
            String p = StoreFileSystem.child(dir, f.name());
            long size;
            try {
                size = fs.size(p);
            } catch (NoSuchFileException e) {
                throw new SnapshotCorruptException(
                        f.name(),
                        "snapshot version "
                                + m.modelVersion()
                                + ": file "
                                + f.name()
                                + " listed in the manifest is missing",
                        e);
            }
            if (size != f.bytes()) {
                throw new SnapshotCorruptException(
                        f.name(),
                        "snapshot version "
                                + m.modelVersion()
                                + ": file "
                                + f.name()
                                + " has "
                                + size
                                + " bytes but the manifest says "
                                + f.bytes());
            }
            String actual = FileIo.sha256Hex(fs, p);
            if (!actual.equals(f.sha256())) {
                throw new SnapshotCorruptException(m.modelVersion(), f.name(), f.sha256(), actual);
            }
        }
    }

    /** Receives rows as they are read. */
    @FunctionalInterface
    interface RowSink {
        void accept(long id, float[] row) throws SnapshotException;
    }

    static void readRows(
            StoreFileSystem fs, String dir, long version, FileEntry f, int rowWidth, RowSink sink)
            throws IOException {
        long n =
                read(
                        fs,
                        dir,
                        version,
                        f,
                        (GenericRecord r) -> {
                            long id = (Long) r.get("id");
                            ByteBuffer vector = (ByteBuffer) r.get("vector");
                            if (vector.remaining() != rowWidth * Float.BYTES) {
                                throw corrupt(
                                        version,
                                        f,
                                        "the row of feature id "
                                                + id
                                                + " has "
                                                + vector.remaining()
                                                + " bytes, expected "
                                                + rowWidth * Float.BYTES
                                                + " (dim + 1 = "
                                                + rowWidth
                                                + " floats)");
                            }
                            float[] row = SnapshotFormat.decode(vector);
                            for (float v : row) {
                                if (!Float.isFinite(v)) {
                                    throw corrupt(
                                            version,
                                            f,
                                            "the row of feature id " + id + " is not finite");
                                }
                            }
                            sink.accept(id, row);
                        });
        if (n != f.records()) {
            throw corrupt(version, f, "has " + n + " rows but the manifest says " + f.records());
        }
    }

    /** Receives the ids of a DELETES file as they are read. */
    @FunctionalInterface
    interface IdSink {
        void accept(long id) throws SnapshotException;
    }

    static void readDeletes(Path dir, long version, FileEntry f, IdSink sink) throws IOException {
        readDeletes(new NioStoreFileSystem(dir), "", version, f, sink);
    }

    static void readDeletes(StoreFileSystem fs, String dir, long version, FileEntry f, IdSink sink)
            throws IOException {
        long n = read(fs, dir, version, f, (GenericRecord r) -> sink.accept((Long) r.get("id")));
        if (n != f.records()) {
            throw corrupt(version, f, "has " + n + " ids but the manifest says " + f.records());
        }
    }

    static Map<String, float[]> readDense(Path dir, long version, FileEntry f) throws IOException {
        return readDense(new NioStoreFileSystem(dir), "", version, f);
    }

    static Map<String, float[]> readDense(StoreFileSystem fs, String dir, long version, FileEntry f)
            throws IOException {
        Map<String, float[]> blocks = new LinkedHashMap<>();
        long n =
                read(
                        fs,
                        dir,
                        version,
                        f,
                        (GenericRecord r) -> {
                            String name = r.get("name").toString();
                            float[] values = SnapshotFormat.decode((ByteBuffer) r.get("values"));
                            for (float v : values) {
                                if (!Float.isFinite(v)) {
                                    throw corrupt(
                                            version, f, "dense block " + name + " is not finite");
                                }
                            }
                            if (blocks.put(name, values) != null) {
                                throw corrupt(version, f, "has dense block " + name + " twice");
                            }
                        });
        if (n != f.records()) {
            throw corrupt(version, f, "has " + n + " blocks but the manifest says " + f.records());
        }
        if (!blocks.containsKey(SnapshotFormat.DENSE_BLOCK)) {
            throw corrupt(
                    version,
                    f,
                    "has no block \""
                            + SnapshotFormat.DENSE_BLOCK
                            + "\" (blocks: "
                            + blocks.keySet()
                            + ")");
        }
        return blocks;
    }

    @FunctionalInterface
    private interface RecordSink {
        void accept(GenericRecord r) throws SnapshotException;
    }

    private static long read(
            StoreFileSystem fs, String dir, long version, FileEntry f, RecordSink sink)
            throws IOException {
        GenericDatumReader<GenericRecord> datumReader =
                new GenericDatumReader<>(null, SnapshotFormat.schema(f.role()));
        long n = 0;
        try (InputStream in = fs.open(StoreFileSystem.child(dir, f.name()));
                DataFileStream<GenericRecord> stream = new DataFileStream<>(in, datumReader)) {
            String fileVersion = stream.getMetaString(SnapshotFormat.META_FORMAT_VERSION);
            if (fileVersion == null) {
                throw corrupt(
                        version,
                        f,
                        "has no "
                                + SnapshotFormat.META_FORMAT_VERSION
                                + " metadata; not a"
                                + " Freshrank snapshot file");
            }
            int fv;
            try {
                fv = Integer.parseInt(fileVersion.trim());
            } catch (NumberFormatException e) {
                throw corrupt(
                        version,
                        f,
                        "has a non-numeric " + SnapshotFormat.META_FORMAT_VERSION + " metadata");
            }
            if (fv != SnapshotFormat.CURRENT_FILE_VERSION) {
                throw new UnsupportedSnapshotFormatException(
                        "snapshot version " + version + ": file " + f.name(),
                        fv,
                        SnapshotFormat.CURRENT_FILE_VERSION);
            }
            String role = stream.getMetaString(SnapshotFormat.META_FILE_ROLE);
            if (!f.role().name().equals(role)) {
                throw corrupt(
                        version,
                        f,
                        "has role " + role + " in its metadata but the manifest says " + f.role());
            }
            GenericRecord reuse = null;
            while (stream.hasNext()) {
                reuse = stream.next(reuse);
                sink.accept(reuse);
                n++;
            }
        } catch (AvroRuntimeException e) {
            throw corrupt(version, f, "is not a readable Avro " + f.role() + " file: " + e, e);
        }
        return n;
    }

    private static SnapshotCorruptException corrupt(long version, FileEntry f, String what) {
        return corrupt(version, f, what, null);
    }

    private static SnapshotCorruptException corrupt(
            long version, FileEntry f, String what, Throwable cause) {
        return new SnapshotCorruptException(
                f.name(), "snapshot version " + version + ": file " + f.name() + " " + what, cause);
    }
}
