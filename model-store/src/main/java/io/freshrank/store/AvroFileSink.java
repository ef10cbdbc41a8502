package io.freshrank.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes one snapshot data file: an Avro container, digested and counted on the way. On a file
 * system with atomic rename it goes to a tmp file that {@link #finish} renames to its final name;
 * on an object store it is uploaded under its final name, which the store makes visible only once
 * the upload completes. Either way a file under its final name is always complete; {@link #abort}
 * removes the tmp file.
 */
final class AvroFileSink {
    private final StoreFileSystem fs;
    private final String target;
    private final String written;
    private final FileRole role;
    private final OutputStream stream;
    private final FileIo.DigestingOutputStream digesting;
    private final DataFileWriter<GenericRecord> writer;
    private long records;
    private boolean open = true;

    /**
     * @param target store path of the file
     */
    AvroFileSink(StoreFileSystem fs, String target, FileRole role) throws IOException {
        this.fs = fs;
        this.target = target;
        this.role = role;
        this.written = fs.supportsAtomicRename() ? StoreFileSystem.tmpFor(target) : target;
        this.stream = fs.create(written);
        DataFileWriter<GenericRecord> w = null;
        try {
            this.digesting =
                    new FileIo.DigestingOutputStream(new BufferedOutputStream(stream, 1 << 16));
            w =
                    new DataFileWriter<>(
                            new GenericDatumWriter<GenericRecord>(SnapshotFormat.schema(role)));
            w.setCodec(SnapshotFormat.codec());
            w.setMeta(
                    SnapshotFormat.META_FORMAT_VERSION,
                    Integer.toString(SnapshotFormat.CURRENT_FILE_VERSION));
            w.setMeta(SnapshotFormat.META_FILE_ROLE, role.name());
            w.create(SnapshotFormat.schema(role), digesting);
        } catch (IOException | RuntimeException e) {
            stream.close();
            fs.delete(written);
            throw e;
        }
        this.writer = w;
    }

    void append(GenericRecord record) throws IOException {
        writer.append(record);
        records++;
    }

    FileEntry finish() throws IOException {
        if (!open) {
            throw new IllegalStateException("file " + target + " is already closed");
        }
        open = false;
        boolean done = false;
        try {
            // closes the underlying stream, which makes the content durable
            writer.close();
            long bytes = digesting.count();
            long size = fs.size(written);
            if (size != bytes) {
                throw new IOException(
                        "wrote "
                                + bytes
                                + " bytes to "
                                + fs.describe(written)
                                + " but it has "
                                + size);
            }
            String sha = digesting.sha256Hex();
            if (!written.equals(target)) {
                fs.rename(written, target);
            }
            done = true;
            String name = target.substring(target.lastIndexOf('/') + 1);
            return new FileEntry(name, role, bytes, sha, records);
        } finally {
            if (!done) {
                stream.close();
                fs.delete(written);
            }
        }
    }

    void abort() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        try {
            writer.close();
        } catch (IOException | RuntimeException e) {
            // the file is being thrown away
        } finally {
            stream.close();
            fs.delete(written);
        }
    }
}
