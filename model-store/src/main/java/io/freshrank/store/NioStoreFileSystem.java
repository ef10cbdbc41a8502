package io.freshrank.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link StoreFileSystem} over {@code java.nio}: a local or mounted directory, or any NIO file
 * system provider. Renames are atomic ({@code ATOMIC_MOVE}) and followed by an fsync of the
 * directory; created files are fsynced on close.
 */
public final class NioStoreFileSystem implements StoreFileSystem {
    private final Path root;

    public NioStoreFileSystem(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The NIO path of store path {@code path}. */
    public Path resolve(String path) {
        return path.isEmpty() ? root : root.resolve(path);
    }

    @Override
    public String describe(String path) {
        return resolve(path).toString();
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(resolve(path));
    }

    @Override
    public List<Entry> list(String dir) throws IOException {
        Path d = resolve(dir);
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(d)) {
            for (Path c : children) {
                out.add(new Entry(c.getFileName().toString(), Files.isDirectory(c)));
            }
        }
        return out;
    }

    @Override
    public long size(String path) throws IOException {
        return Files.size(resolve(path));
    }

    @Override
    public InputStream open(String path) throws IOException {
        return Files.newInputStream(resolve(path));
    }

    @Override
    public OutputStream create(String path) throws IOException {
        Path p = resolve(path);
        Files.createDirectories(p.getParent());
        FileChannel ch =
                FileChannel.open(
                        p,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
        return new SyncOnCloseOutputStream(Channels.newOutputStream(ch), () -> ch.force(true));
    }

    @Override
    public boolean supportsAtomicRename() {
        return true;
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Path target = resolve(to);
        Files.move(resolve(from), target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(target.getParent());
    }

    @Override
    public void delete(String path) throws IOException {
        Path p = resolve(path);
        if (!Files.isDirectory(p)) {
            Files.deleteIfExists(p);
            return;
        }
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (NoSuchFileException e) {
            // deleted concurrently
        }
    }

    @Override
    public void mkdirs(String path) throws IOException {
        Files.createDirectories(resolve(path));
    }

    /**
     * Makes a directory's entries (renames, new files) durable. Linux supports fsync on a
     * directory; platforms that do not are skipped (rename is still atomic there).
     */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform (e.g. Windows): the rename itself is still atomic
        }
    }
}
