package io.freshrank.jobs.publish;

import io.freshrank.store.StoreFileSystem;
import io.freshrank.store.SyncOnCloseOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * {@link StoreFileSystem} over Flink's {@link FileSystem}, so the job stages and commits snapshots
 * on whatever file systems the cluster has: {@code file://} built in, {@code hdfs://}, {@code
 * s3://} and others through their plugins in the cluster's {@code plugins/} directory.
 *
 * <p>Whether renames are atomic is given by the caller ({@link StoreLocations} decides it from the
 * URI scheme: object stores such as S3 rename by copying). Where a rename does not replace an
 * existing target (HDFS returns false), the target is deleted and the rename retried: there is a
 * short window in which the target is missing, which readers of {@code LATEST} see as "no new
 * version". Serializable state: none; instances are created per use on the task managers.
 */
public final class FlinkStoreFileSystem implements StoreFileSystem {
    private final Path root;
    private final FileSystem fs;
    private final boolean atomicRename;

    public FlinkStoreFileSystem(Path root, boolean atomicRename) throws IOException {
        this.root = root;
        this.fs = root.getFileSystem();
        this.atomicRename = atomicRename;
    }

    private Path resolve(String path) {
        return path.isEmpty() ? root : new Path(root, path);
    }

    @Override
    public String describe(String path) {
        return resolve(path).toString();
    }

    @Override
    public boolean exists(String path) throws IOException {
        return fs.exists(resolve(path));
    }

    @Override
    public List<Entry> list(String dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        FileStatus[] children;
        try {
            children = fs.listStatus(resolve(dir));
        } catch (FileNotFoundException e) {
            return out;
        }
        if (children == null) {
            return out;
        }
        for (FileStatus c : children) {
            out.add(new Entry(c.getPath().getName(), c.isDir()));
        }
        return out;
    }

    @Override
    public long size(String path) throws IOException {
        try {
            return fs.getFileStatus(resolve(path)).getLen();
        } catch (FileNotFoundException e) {
            throw noSuchFile(path, e);
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        try {
            return fs.open(resolve(path));
        } catch (FileNotFoundException e) {
            throw noSuchFile(path, e);
        }
    }

    @Override
    public OutputStream create(String path) throws IOException {
        Path p = resolve(path);
        Path parent = p.getParent();
        if (parent != null) {
            fs.mkdirs(parent);
        }
        FSDataOutputStream stream = fs.create(p, FileSystem.WriteMode.OVERWRITE);
        return new SyncOnCloseOutputStream(stream, stream::sync);
    }

    @Override
    public boolean supportsAtomicRename() {
        return atomicRename;
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Path src = resolve(from);
        Path dst = resolve(to);
        if (fs.rename(src, dst)) {
            return;
        }
        // HDFS does not replace an existing target
        if (fs.exists(src) && fs.exists(dst)) {
            fs.delete(dst, false);
            if (fs.rename(src, dst)) {
                return;
            }
        }
        throw new IOException("cannot rename " + src + " to " + dst);
    }

    @Override
    public void delete(String path) throws IOException {
        try {
            fs.delete(resolve(path), true);
        } catch (FileNotFoundException e) {
            // already gone
        }
    }

    @Override
    public void mkdirs(String path) throws IOException {
        if (!fs.mkdirs(resolve(path))) {
            throw new IOException("cannot create directory " + resolve(path));
        }
    }

    private NoSuchFileException noSuchFile(String path, FileNotFoundException cause) {
        NoSuchFileException e = new NoSuchFileException(describe(path));
        e.initCause(cause);
        return e;
    }
}
