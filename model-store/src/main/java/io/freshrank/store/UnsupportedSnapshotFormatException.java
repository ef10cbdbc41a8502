package io.freshrank.store;

/**
 * A manifest or data file declares a format version this reader does not know (a newer writer, or a
 * file that is not a Freshrank snapshot). The message names both versions.
 */
public class UnsupportedSnapshotFormatException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    private final int foundVersion;
    private final int supportedVersion;

    public UnsupportedSnapshotFormatException(String what, int foundVersion, int supportedVersion) {
        super(
                what
                        + ": snapshot format version "
                        + foundVersion
                        + " is not supported by this reader (supports "
                        + supportedVersion
                        + ")");
        this.foundVersion = foundVersion;
        this.supportedVersion = supportedVersion;
    }

    public int foundVersion() {
        return foundVersion;
    }

    public int supportedVersion() {
        return supportedVersion;
    }
}
