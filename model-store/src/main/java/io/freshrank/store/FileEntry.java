package io.freshrank.store;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One data file of a snapshot, as listed in its manifest: produced by a writer of {@link
 * SnapshotStaging} (which computes the checksum while writing) and checked by the store on commit
 * (name and size) and on load (size and SHA-256).
 *
 * <p>A plain immutable value, {@link Serializable}, so a Flink job can ship entries from the
 * parallel writer subtasks to the single publisher that commits the version.
 *
 * @param name file name inside the version directory: {@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most
 *     200 characters, not {@code manifest.json}
 * @param role what the file holds
 * @param bytes file size in bytes
 * @param sha256 SHA-256 of the whole file, 64 lower-case hex digits
 * @param records Avro records in the file (rows or dense blocks)
 */
public record FileEntry(String name, FileRole role, long bytes, String sha256, long records)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public FileEntry {
        checkName(name);
        Objects.requireNonNull(role, "file role");
        Objects.requireNonNull(sha256, "file sha256");
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException(
                    "file " + name + ": sha256 must be 64 hex digits, got '" + sha256 + "'");
        }
        if (bytes < 0 || records < 0) {
            throw new IllegalArgumentException(
                    "file "
                            + name
                            + ": bytes and records must be >= 0, got "
                            + bytes
                            + ", "
                            + records);
        }
    }

    /** Returns {@code name} if it may name a snapshot data file, else throws. */
    static String checkName(String name) {
        Objects.requireNonNull(name, "file name");
        if (!NAME.matcher(name).matches() || name.equals(LocalModelStore.MANIFEST_FILE)) {
            throw new IllegalArgumentException(
                    "snapshot file name '"
                            + name
                            + "' is not allowed: use [A-Za-z0-9][A-Za-z0-9._-]* (at most 200"
                            + " characters), not "
                            + LocalModelStore.MANIFEST_FILE);
        }
        return name;
    }
}
