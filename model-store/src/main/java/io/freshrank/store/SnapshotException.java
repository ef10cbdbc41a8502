package io.freshrank.store;

import java.io.IOException;

/**
 * A snapshot cannot be written, committed or read as asked. The message says which version and
 * file, and what is wrong; it never contains row payloads.
 */
public class SnapshotException extends IOException {
    private static final long serialVersionUID = 1L;

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
