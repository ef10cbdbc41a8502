package io.freshrank.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.UUID;

/**
 * The file operations a model store needs, rooted at the store's root, so the store's logic runs
 * unchanged on a local directory ({@link NioStoreFileSystem}, the default and what servers use) and
 * on any file system a Flink job can reach (the job module adapts Flink's {@code FileSystem}; this
 * module stays free of Flink).
 *
 * <p>Paths are relative to the root, with {@code /} between names; {@code ""} is the root itself.
 * Missing files are reported as {@link NoSuchFileException} by {@link #size} and {@link #open}.
 *
 * <p>Two kinds of file system: with {@linkplain #supportsAtomicRename() atomic rename} (local
 * disks, HDFS) a file is published by writing a tmp file and renaming it over the target; without
 * (object stores such as S3) renames are copies, so a file is published by writing it in one
 * upload, which an object store makes visible whole or not at all. {@link #publish} does the right
 * one. Implementations must be safe for concurrent use by several threads and processes on
 * different paths.
 */
public interface StoreFileSystem {
    /** Prefix of every temporary file, so no tmp file can carry a data file's name. */
    String TMP_PREFIX = ".tmp-";

    /** A child of a listed directory. */
    record Entry(String name, boolean directory) {}

    /**
     * The absolute location of {@code path}, for messages (e.g. {@code s3://bucket/store/LATEST}).
     */
    String describe(String path);

    boolean exists(String path) throws IOException;

    /** The children of directory {@code dir}; empty when it does not exist. */
    List<Entry> list(String dir) throws IOException;

    /** The size in bytes of file {@code path}. */
    long size(String path) throws IOException;

    InputStream open(String path) throws IOException;

    /**
     * Creates (or overwrites) file {@code path}, creating its parent directories. Closing the
     * stream makes the content durable (fsync, or the completed upload on an object store).
     */
    OutputStream create(String path) throws IOException;

    /** Whether {@link #rename} atomically replaces its target (false on object stores). */
    boolean supportsAtomicRename();

    /**
     * Moves file {@code from} to {@code to}, replacing {@code to} if it exists; atomic and durable
     * when {@link #supportsAtomicRename()}.
     */
    void rename(String from, String to) throws IOException;

    /** Deletes a file, or a directory with everything in it; nothing when it does not exist. */
    void delete(String path) throws IOException;

    void mkdirs(String path) throws IOException;

    /**
     * Writes a small file so that readers see the old content or the new, never a part: tmp +
     * atomic rename where renames are atomic, else one upload ({@link #create} then close).
     */
    default void publish(String path, byte[] content) throws IOException {
        if (!supportsAtomicRename()) {
            try (OutputStream out = create(path)) {
                out.write(content);
            }
            return;
        }
        String tmp = tmpFor(path);
        try {
            try (OutputStream out = create(tmp)) {
                out.write(content);
            }
            rename(tmp, path);
        } finally {
            delete(tmp);
        }
    }

    /** A fresh temporary path next to {@code path} (same directory, so a rename is atomic). */
    static String tmpFor(String path) {
        int slash = path.lastIndexOf('/');
        return path.substring(0, slash + 1)
                + TMP_PREFIX
                + path.substring(slash + 1)
                + "-"
                + UUID.randomUUID();
    }

    /** {@code dir/name}, or {@code name} when {@code dir} is the root. */
    static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }
}
