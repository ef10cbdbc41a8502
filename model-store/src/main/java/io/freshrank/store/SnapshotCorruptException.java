package io.freshrank.store;

/**
 * A snapshot's bytes are not what its manifest promised (size or SHA-256 mismatch), or a file or
 * manifest does not parse as the format it claims. Readers must not use any part of such a
 * snapshot; a server keeps serving the model it has.
 */
public class SnapshotCorruptException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    private final String fileName;
    private final String expectedSha256;
    private final String actualSha256;

    /** A checksum mismatch of {@code fileName}. */
    public SnapshotCorruptException(
            long modelVersion, String fileName, String expectedSha256, String actualSha256) {
        super(
                "snapshot version "
                        + modelVersion
                        + ": file "
                        + fileName
                        + " is corrupt: the manifest says sha256 "
                        + expectedSha256
                        + " but the file has sha256 "
                        + actualSha256);
        this.fileName = fileName;
        this.expectedSha256 = expectedSha256;
        this.actualSha256 = actualSha256;
    }

    /** Any other corruption of {@code fileName} (the manifest itself included). */
    public SnapshotCorruptException(String fileName, String message, Throwable cause) {
        super(message, cause);
        this.fileName = fileName;
        this.expectedSha256 = null;
        this.actualSha256 = null;
    }

    public SnapshotCorruptException(String fileName, String message) {
        this(fileName, message, null);
    }

    /**
     * The file that failed verification (e.g. {@code rows-00000.avro} or {@code manifest.json}).
     */
    public String fileName() {
        return fileName;
    }

    /** The SHA-256 the manifest lists, or null when this is not a checksum mismatch. */
    public String expectedSha256() {
        return expectedSha256;
    }

    /** The SHA-256 of the bytes on disk, or null when this is not a checksum mismatch. */
    public String actualSha256() {
        return actualSha256;
    }
}
