package io.freshrank.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes one snapshot data file: an Avro container into a tmp file, digested and counted on the
 * way, fsynced and renamed to its final name by {@link #finish}. A file under its final name is
 * therefore always complete; {@link #abort} removes the tmp file.
 */
final class AvroFileSink {
    private final Path target;
    private final Path tmp;
    private final FileRole role;
    private final FileChannel channel;
    private final FileIo.DigestingOutputStream digesting;
    private final DataFileWriter<GenericRecord> writer;
    private long records;
    private boolean open = true;

    AvroFileSink(Path target, FileRole role) throws IOException {
        this.target = target;
        this.role = role;
        this.tmp = FileIo.tmpFor(target);
        this.channel =
                FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        DataFileWriter<GenericRecord> w = null;
        try {
            this.digesting =
                    new FileIo.DigestingOutputStream(
                            new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
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
            channel.close();
            Files.deleteIfExists(tmp);
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
            throw new IllegalStateException("file " + target.getFileName() + " is already closed");
        }
        open = false;
        try {
            writer.flush();
            channel.force(true);
            writer.close();
            long bytes = digesting.count();
            if (Files.size(tmp) != bytes) {
                throw new IOException(
                        "wrote " + bytes + " bytes to " + tmp + " but it has " + Files.size(tmp));
            }
            String sha = digesting.sha256Hex();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return new FileEntry(target.getFileName().toString(), role, bytes, sha, records);
        } finally {
            channel.close();
            Files.deleteIfExists(tmp);
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
            channel.close();
            Files.deleteIfExists(tmp);
        }
    }
}
