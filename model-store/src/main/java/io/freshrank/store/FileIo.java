package io.freshrank.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/** File-system steps shared by the writers and the store: digests, fsync, tmp + rename. */
final class FileIo {
    /** Prefix of every temporary file, so no tmp file can carry a data file's name. */
    static final String TMP_PREFIX = ".tmp-";

    private FileIo() {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    static String sha256Hex(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return hex(md.digest());
    }

    /** A fresh temporary path next to {@code target} (same directory, so rename is atomic). */
    static Path tmpFor(Path target) {
        return target.resolveSibling(TMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
    }

    /** Writes {@code content} to a tmp file, fsyncs it, renames it over {@code target}. */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = tmpFor(target);
        try {
            try (FileChannel ch =
                    FileChannel.open(
                            tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        fsyncDirectory(target.getParent());
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

    /** Counts and digests the bytes written through it. */
    static final class DigestingOutputStream extends FilterOutputStream {
        private final MessageDigest digest = sha256();
        private long count;

        DigestingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }

        String sha256Hex() {
            return hex(digest.digest());
        }
    }
}
