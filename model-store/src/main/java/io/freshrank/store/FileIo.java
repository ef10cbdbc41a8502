package io.freshrank.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Steps shared by the writers and the store: digests, and local-path helpers for tests. */
final class FileIo {
    /** Prefix of every temporary file, so no tmp file can carry a data file's name. */
    static final String TMP_PREFIX = StoreFileSystem.TMP_PREFIX;

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
        return sha256Hex(new NioStoreFileSystem(file.getParent()), file.getFileName().toString());
    }

    static String sha256Hex(StoreFileSystem fs, String path) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = fs.open(path)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return hex(md.digest());
    }

    /** A fresh temporary path next to {@code target} (same directory, so rename is atomic). */
    static Path tmpFor(Path target) {
        return target.resolveSibling(StoreFileSystem.tmpFor(target.getFileName().toString()));
    }

    /** Writes {@code content} to a tmp file, fsyncs it, renames it over {@code target}. */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        new NioStoreFileSystem(target.getParent())
                .publish(target.getFileName().toString(), content);
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
