package io.freshrank.jobs.publish;

import io.freshrank.store.LocalModelStore;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a shard's {@link ShardPart}s on a thread of its own, one at a time, so that compressing
 * and writing the snapshot files does not pause the shard before the checkpoint barrier (the
 * committer waits for the parts: {@link SnapshotCommitter}). A failed write is rethrown by the next
 * {@link #submit} or {@link #close}, which fails that checkpoint.
 *
 * <p>Used from the task thread only.
 */
public final class BackgroundStaging implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundStaging.class);

    private final ExecutorService executor;
    private Future<?> pending;
    private String pendingWhat;

    public BackgroundStaging(String threadName) {
        this.executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, threadName);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Waits for the previous part, then starts writing {@code part} into {@code store}.
     *
     * @throws IOException if the previous part failed to be written
     */
    public void submit(LocalModelStore store, ShardPart part) throws IOException {
        awaitPrevious();
        String what = "version " + part.version() + ": " + part.describe();
        pendingWhat = what;
        pending =
                executor.submit(
                        () -> {
                            long t0 = System.nanoTime();
                            part.write(store);
                            LOG.info(
                                    "staged {} in {} ms (in the background)",
                                    what,
                                    (System.nanoTime() - t0) / 1_000_000);
                            return null;
                        });
    }

    /**
     * Blocks until the part in flight (if any) is written.
     *
     * @throws IOException if it failed
     */
    public void awaitPrevious() throws IOException {
        if (pending == null) {
            return;
        }
        Future<?> f = pending;
        pending = null;
        try {
            f.get();
        } catch (ExecutionException e) {
            throw new IOException("staging the snapshot part of " + pendingWhat + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while staging " + pendingWhat, e);
        }
    }

    /**
     * Waits up to {@code timeoutMs} for the part in flight, then stops the thread (a part left
     * unfinished has no descriptor and is never published).
     */
    public void close(long timeoutMs) throws IOException {
        try {
            if (pending != null) {
                pending.get(timeoutMs, TimeUnit.MILLISECONDS);
                pending = null;
            }
        } catch (ExecutionException e) {
            throw new IOException("staging the snapshot part of " + pendingWhat + " failed", e);
        } catch (TimeoutException e) {
            LOG.warn(
                    "gave up waiting for the snapshot part of {} after {} ms",
                    pendingWhat,
                    timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
        }
    }

    @Override
    public void close() throws IOException {
        close(60_000);
    }
}
