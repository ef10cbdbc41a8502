package io.freshrank.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that makes its content durable when closed: flush, then the file system's sync
 * (fsync, or completing an upload), then close. Closing twice is a no-op. For {@link
 * StoreFileSystem#create} implementations.
 */
public final class SyncOnCloseOutputStream extends FilterOutputStream {
    /** Makes what was written durable. */
    @FunctionalInterface
    public interface Sync {
        void run() throws IOException;
    }

    private final Sync sync;
    private boolean closed;

    public SyncOnCloseOutputStream(OutputStream out, Sync sync) {
        super(out);
        this.sync = sync;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (OutputStream target = out) {
            target.flush();
            sync.run();
        }
    }
}
