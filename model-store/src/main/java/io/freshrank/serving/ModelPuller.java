package io.freshrank.serving;

import io.freshrank.store.LoadedModel;
import io.freshrank.store.LocalModelStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the served model current: every poll interval (on one daemon thread) it reads the store's
 * {@code LATEST}; when that names another version than the one served, it loads and verifies it
 * ({@link LocalModelStore#load}, {@link ServingModel#create}) off the request path and swaps it in
 * atomically. Requests see either the old or the new model, never a mix.
 *
 * <p>A version that fails to load is logged (the reason only, never payloads), counted in {@link
 * #loadFailures()}, and retried only after {@code failedRetryInterval} or when {@code LATEST} moves
 * on; meanwhile the old model keeps serving.
 *
 * <p>Call order: construct, optionally {@link #addSwapListener}, {@link #start} (or {@link
 * #pollOnce} by hand), {@link #close}. All getters are thread-safe.
 */
public final class ModelPuller implements AutoCloseable {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_FAILED_RETRY_INTERVAL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(ModelPuller.class);

    private final LocalModelStore store;
    private final Duration pollInterval;
    private final Duration failedRetryInterval;
    private final Clock clock;
    private final AtomicReference<ServingModel> current = new AtomicReference<>();
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong loadFailures = new AtomicLong();
    private final List<SwapListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();
    private ScheduledExecutorService executor; // guarded by lifecycle

    // written and read only under "this" (pollOnce)
    private long failedVersion = -1;
    private long failedAtMs;
    private String lastFailure;

    /** Receives every swap, on the puller's thread, after the new model is served. */
    @FunctionalInterface
    public interface SwapListener {
        /**
         * @param previous the model served before, null for the first one
         * @param current the model served now
         */
        void onSwap(ServingModel previous, ServingModel current);
    }

    public ModelPuller(LocalModelStore store) {
        this(store, DEFAULT_POLL_INTERVAL, DEFAULT_FAILED_RETRY_INTERVAL, Clock.systemUTC());
    }

    public ModelPuller(LocalModelStore store, Duration pollInterval) {
        this(store, pollInterval, DEFAULT_FAILED_RETRY_INTERVAL, Clock.systemUTC());
    }

    /**
     * @param pollInterval time between reads of {@code LATEST}, > 0
     * @param failedRetryInterval time before a version that failed to load is tried again, >= 0
     * @param clock time source of ages and swap times
     */
    public ModelPuller(
            LocalModelStore store,
            Duration pollInterval,
            Duration failedRetryInterval,
            Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException(
                    RankingServerConfig.POLL_INTERVAL_KEY + " must be > 0, got " + pollInterval);
        }
        if (failedRetryInterval.isNegative()) {
            throw new IllegalArgumentException(
                    "failedRetryInterval must be >= 0, got " + failedRetryInterval);
        }
        this.pollInterval = pollInterval;
        this.failedRetryInterval = failedRetryInterval;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void addSwapListener(SwapListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Starts polling on a daemon thread; the first poll runs at once. */
    public void start() {
        synchronized (lifecycle) {
            startLocked();
        }
    }

    private void startLocked() {
        if (executor != null) {
            throw new IllegalStateException("model puller already started");
        }
        executor =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "freshrank-model-puller");
                            t.setDaemon(true);
                            return t;
                        });
        executor.scheduleWithFixedDelay(
                this::pollQuietly, 0, pollInterval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void pollQuietly() {
        try {
            pollOnce();
        } catch (RuntimeException e) {
            // pollOnce reports load failures itself; this is a bug in a listener or here, and
            // must not end the polling
            LOG.error("model poll failed unexpectedly", e);
        }
    }

    /**
     * Reads {@code LATEST} and, if it names another version than the served one, loads it and swaps
     * it in. Runs on the caller's thread.
     *
     * @return true if a new model is now served
     */
    public synchronized boolean pollOnce() {
        long version;
        try {
            OptionalLong latest = store.readLatestVersion();
            if (latest.isEmpty()) {
                return false;
            }
            version = latest.getAsLong();
        } catch (IOException | RuntimeException e) {
            recordFailure(-1, "cannot read LATEST: " + e);
            return false;
        }
        ServingModel old = current.get();
        if (old != null && old.version() == version) {
            return false;
        }
        long now = clock.millis();
        if (version == failedVersion && now - failedAtMs < failedRetryInterval.toMillis()) {
            return false;
        }
        ServingModel next;
        long start = System.nanoTime();
        try {
            LoadedModel loaded = store.load(version);
            next = ServingModel.create(loaded, clock.millis(), old);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            recordFailure(version, "cannot load model version " + version + ": " + e);
            return false;
        }
        long loadMs = (System.nanoTime() - start) / 1_000_000;
        current.set(next);
        swaps.incrementAndGet();
        failedVersion = -1;
        lastFailure = null;
        LoadedModel m = next.loaded();
        LOG.info(
                "serving model version {} (was {}): {} rows (~{} MiB), {} dense parameters,"
                        + " checkpoint {}, created {} s ago, loaded in {} ms",
                version,
                old == null ? "none" : Long.toString(old.version()),
                m.embeddings().size(),
                m.embeddings().approximateBytes() >> 20,
                m.dense().size(),
                m.manifest().checkpointId(),
                (clock.millis() - m.manifest().createdAtMs()) / 1000,
                loadMs);
        for (SwapListener l : listeners) {
            try {
                l.onSwap(old, next);
            } catch (RuntimeException e) {
                LOG.warn("model swap listener {} failed", l, e);
            }
        }
        return true;
    }

    private void recordFailure(long version, String reason) {
        loadFailures.incrementAndGet();
        failedVersion = version;
        failedAtMs = clock.millis();
        ServingModel served = current.get();
        String keeping =
                served == null
                        ? "no model is served yet"
                        : "keeping model version " + served.version();
        if (reason.equals(lastFailure)) {
            LOG.debug("{}; {}", reason, keeping);
        } else {
            LOG.warn("{}; {}", reason, keeping);
        }
        lastFailure = reason;
    }

    /** The served model, or null before the first successful load. */
    public ServingModel current() {
        return current.get();
    }

    /** The served model's version, or -1 before the first successful load. */
    public long currentVersion() {
        ServingModel m = current.get();
        return m == null ? -1 : m.version();
    }

    /**
     * Age of the served model's data: now minus its manifest's {@code createdAtMs}, in millis;
     * empty before the first load.
     */
    public OptionalLong modelAgeMs() {
        ServingModel m = current.get();
        return m == null
                ? OptionalLong.empty()
                : OptionalLong.of(clock.millis() - m.loaded().manifest().createdAtMs());
    }

    /** Time since the served model was swapped in, in millis; empty before the first load. */
    public OptionalLong sinceSwapMs() {
        ServingModel m = current.get();
        return m == null ? OptionalLong.empty() : OptionalLong.of(clock.millis() - m.readyAtMs());
    }

    /** Models swapped in so far (the first load counts). */
    public long swapCount() {
        return swaps.get();
    }

    /** Failed attempts to read {@code LATEST} or load a version. */
    public long loadFailures() {
        return loadFailures.get();
    }

    public LocalModelStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    /** Stops polling (an in-flight load is interrupted); the served model stays readable. */
    @Override
    public void close() {
        ScheduledExecutorService e;
        synchronized (lifecycle) {
            e = executor;
        }
        if (e != null) {
            e.shutdownNow();
            try {
                if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("model puller did not stop within 10 s");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
