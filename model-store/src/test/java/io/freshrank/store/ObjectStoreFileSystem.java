package io.freshrank.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A local directory that behaves like an object store for the store's purposes: no rename at all
 * (it fails, so a test sees any use of it) and a log of every file created, so tests can check that
 * nothing was written under a temporary name.
 */
final class ObjectStoreFileSystem implements StoreFileSystem {
    private final NioStoreFileSystem local;
    final List<String> created = new ArrayList<>();

    ObjectStoreFileSystem(Path root) {
        this.local = new NioStoreFileSystem(root);
    }

    @Override
    public String describe(String path) {
        return "objects://" + path;
    }

    @Override
    public boolean exists(String path) {
        return local.exists(path);
    }

    @Override
    public List<Entry> list(String dir) throws IOException {
        return local.list(dir);
    }

    @Override
    public long size(String path) throws IOException {
        return local.size(path);
    }

    @Override
    public InputStream open(String path) throws IOException {
        return local.open(path);
    }

    @Override
    public synchronized OutputStream create(String path) throws IOException {
        created.add(path);
        return local.create(path);
    }

    @Override
    public boolean supportsAtomicRename() {
        return false;
    }

    @Override
    public void rename(String from, String to) {
        throw new UnsupportedOperationException("an object store cannot rename " + from);
    }

    @Override
    public void delete(String path) throws IOException {
        local.delete(path);
    }

    @Override
    public void mkdirs(String path) throws IOException {
        local.mkdirs(path);
    }
}
