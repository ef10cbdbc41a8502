package io.freshrank.serving;

import io.freshrank.store.LoadedDelta;
import io.freshrank.store.LoadedModel;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotKind;
import io.freshrank.store.SnapshotManifest;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * {@code LATEST}; when that names another version than the one served, it builds that version off
 * the request path and swaps it in atomically (one {@link AtomicReference}). Requests see either
 * the old or the new model, never a mix.
 *
 * <p>How a version is built:
 *
 * <ul>
 *   <li>Incrementally, when it is a DELTA whose chain reaches the served version through deltas
 *       only (usually: its parent is the served version; after a slow poll, several deltas are
 *       applied in order): each delta is read alone ({@link LocalModelStore#loadDelta}, which
 *       verifies its checksums first) and applied as an overlay on the served model ({@link
 *       ServingModel#withDelta}): no table copy, no pause for requests.
 *   <li>Otherwise (the first load, a FULL, a gap such as a restart or a chain that does not contain
 *       the served version, a rollback of {@code LATEST}): the whole chain is loaded ({@link
 *       LocalModelStore#load}).
 *   <li>When the served model has more than {@link PullerConfig#maxOverlayDepth()} overlays after a
 *       swap, the puller folds them into one fresh table on its own thread ({@link
 *       ServingModel#compact}) and swaps that in (same version, same scores).
 * </ul>
 *
 * <p>A version that fails to load (a bad checksum in any file it needs, a model that cannot serve)
 * is logged (the reason only, never payloads), counted in {@link #loadFailures()}, and retried only
 * after {@code failedRetryInterval} or when {@code LATEST} moves on; meanwhile the old model keeps
 * serving. A corrupt delta thus blocks the deltas built on it (each needs it) until a FULL arrives.
 *
 * <p>Every swap is recorded ({@link #swapHistory()}, bounded) with its freshness delay: swap time
 * minus the version's {@link SnapshotManifest#NEWEST_EXAMPLE_INGEST_MS} provenance ({@link
 * #freshness()}).
 *
 * <p>Call order: construct, optionally {@link #addSwapListener}, {@link #start} (or {@link
 * #pollOnce} by hand), {@link #close}. All getters are thread-safe and never wait for a load.
 */
public final class ModelPuller implements AutoCloseable {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_FAILED_RETRY_INTERVAL = Duration.ofSeconds(30);

    /** Swaps kept by {@link #swapHistory()}. */
    public static final int SWAP_HISTORY_SIZE = 256;

    /** Most recent freshness delays the quantiles of {@link #freshness()} are computed over. */
    public static final int FRESHNESS_WINDOW = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ModelPuller.class);

    private final LocalModelStore store;
    private final PullerConfig config;
    private final Clock clock;
    private final AtomicReference<ServingModel> current = new AtomicReference<>();
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong loadFailures = new AtomicLong();
    private final AtomicLong fullLoads = new AtomicLong();
    private final AtomicLong deltaApplies = new AtomicLong();
    private final AtomicLong compactions = new AtomicLong();
    private final List<SwapListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();
    private ScheduledExecutorService executor; // guarded by lifecycle

    // written and read only under "this" (pollOnce)
    private long failedVersion = -1;
    private long failedAtMs;
    private String lastFailure;

    // guarded by stats (never by "this": readers must not wait for a load)
    private final Object stats = new Object();
    private final ArrayDeque<SwapRecord> history = new ArrayDeque<>();
    private final long[] freshnessWindow = new long[FRESHNESS_WINDOW];
    private long freshnessCount;
    private long freshnessSumMs;

    /** Receives every swap, on the puller's thread, after the new model is served. */
    @FunctionalInterface
    public interface SwapListener {
        /**
         * Called for every new version served (not for a compaction, which serves the same version
         * with the same rows).
         *
         * @param previous the model served before, null for the first one
         * @param current the model served now
         */
        void onSwap(ServingModel previous, ServingModel current);
    }

    public ModelPuller(LocalModelStore store) {
        this(store, PullerConfig.defaults(), Clock.systemUTC());
    }

    public ModelPuller(LocalModelStore store, Duration pollInterval) {
        this(store, PullerConfig.defaults().withPollInterval(pollInterval), Clock.systemUTC());
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
        this(
                store,
                PullerConfig.defaults()
                        .withPollInterval(pollInterval)
                        .withFailedRetryInterval(failedRetryInterval),
                clock);
    }

    /**
     * @param config poll intervals, row precision and overlay depth
     * @param clock time source of ages, swap times and freshness delays
     */
    public ModelPuller(LocalModelStore store, PullerConfig config, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.config = Objects.requireNonNull(config, "config");
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
                this::pollQuietly, 0, config.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
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
     * Reads {@code LATEST} and, if it names another version than the served one, builds it (see the
     * class comment) and swaps it in, then compacts if the overlays got too deep. Runs on the
     * caller's thread.
     *
     * @return true if a new version is now served
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
        if (version == failedVersion
                && now - failedAtMs < config.failedRetryInterval().toMillis()) {
            return false;
        }
        ServingModel next;
        SwapRecord.Kind kind;
        long bytesRead = 0;
        int versionsApplied;
        long start = System.nanoTime();
        try {
            List<SnapshotManifest> deltas = old == null ? null : deltasFrom(old, version);
            if (deltas != null) {
                kind = SwapRecord.Kind.DELTA_APPLY;
                next = old;
                for (SnapshotManifest d : deltas) {
                    LoadedDelta delta = store.loadDelta(d.modelVersion(), config.precision());
                    next = next.withDelta(delta, clock.millis());
                    bytesRead += d.totalBytes();
                }
                versionsApplied = deltas.size();
            } else {
                kind = SwapRecord.Kind.FULL_LOAD;
                List<SnapshotManifest> chain = store.readChain(version);
                LoadedModel loaded = store.load(version, config.precision());
                next = ServingModel.create(loaded, clock.millis(), old);
                for (SnapshotManifest m : chain) {
                    bytesRead += m.totalBytes();
                }
                versionsApplied = chain.size();
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            recordFailure(version, "cannot load model version " + version + ": " + e);
            return false;
        }
        long applyMs = (System.nanoTime() - start) / 1_000_000;
        current.set(next);
        long swapMs = next.readyAtMs();
        swaps.incrementAndGet();
        (kind == SwapRecord.Kind.DELTA_APPLY ? deltaApplies : fullLoads).incrementAndGet();
        failedVersion = -1;
        lastFailure = null;
        SnapshotManifest m = next.manifest();
        SwapRecord record =
                new SwapRecord(
                        version,
                        kind,
                        swapMs,
                        m.createdAtMs(),
                        m.newestExampleIngestMs().orElse(-1),
                        applyMs,
                        bytesRead,
                        m.totalBytes(),
                        versionsApplied,
                        next.overlayDepth(),
                        next.rowCount());
        record(record);
        LOG.info(
                "serving model version {} (was {}) by {} of {} version(s), {} bytes, in {} ms: {}"
                        + " rows (~{} MiB, {}, {} overlays), {} dense parameters, checkpoint {},"
                        + " created {} s ago, freshness delay {}",
                version,
                old == null ? "none" : Long.toString(old.version()),
                kind,
                versionsApplied,
                bytesRead,
                applyMs,
                next.rowCount(),
                next.approximateBytes() >> 20,
                next.precision(),
                next.overlayDepth(),
                next.dense().size(),
                m.checkpointId(),
                (swapMs - m.createdAtMs()) / 1000,
                record.freshnessDelayMs().isPresent()
                        ? record.freshnessDelayMs().getAsLong() + " ms"
                        : "unknown");
        for (SwapListener l : listeners) {
            try {
                l.onSwap(old, next);
            } catch (RuntimeException e) {
                LOG.warn("model swap listener {} failed", l, e);
            }
        }
        if (next.overlayDepth() > config.maxOverlayDepth()) {
            compact(next);
        }
        return true;
    }

    /**
     * The manifests of the deltas that lead from the served version to {@code version}, oldest
     * first; null when {@code version}'s chain does not reach the served version through deltas of
     * the served model's config and spec (then the whole chain must be loaded).
     */
    private List<SnapshotManifest> deltasFrom(ServingModel served, long version)
            throws IOException {
        if (version < served.version()) {
            return null;
        }
        List<SnapshotManifest> path = new ArrayList<>();
        long v = version;
        while (true) {
            SnapshotManifest m = store.readManifest(v);
            if (m.kind() != SnapshotKind.DELTA
                    || !m.modelConfig().equals(served.modelConfig())
                    || !m.featureSpecJson().equals(served.manifest().featureSpecJson())) {
                return null;
            }
            path.add(m);
            if (m.parentVersion() == served.version()) {
                Collections.reverse(path);
                return path;
            }
            if (m.parentVersion() < served.version()) {
                return null; // the chain passes by the served version: a gap
            }
            v = m.parentVersion();
        }
    }

    /** Folds {@code model}'s overlays into one table and swaps that in, if still served. */
    private void compact(ServingModel model) {
        long start = System.nanoTime();
        ServingModel compacted;
        try {
            compacted = model.compact();
        } catch (RuntimeException | OutOfMemoryError e) {
            // the overlays keep serving; the next delta tries again
            LOG.warn(
                    "cannot compact model version {} ({} overlays): {}",
                    model.version(),
                    model.overlayDepth(),
                    e.toString());
            return;
        }
        if (!current.compareAndSet(model, compacted)) {
            return;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        compactions.incrementAndGet();
        SnapshotManifest m = compacted.manifest();
        record(
                new SwapRecord(
                        compacted.version(),
                        SwapRecord.Kind.COMPACTION,
                        clock.millis(),
                        m.createdAtMs(),
                        m.newestExampleIngestMs().orElse(-1),
                        ms,
                        0,
                        m.totalBytes(),
                        0,
                        0,
                        compacted.rowCount()));
        LOG.info(
                "compacted {} overlays of model version {} into one table of {} rows in {} ms",
                model.overlayDepth(),
                model.version(),
                compacted.rowCount(),
                ms);
    }

    private void record(SwapRecord r) {
        synchronized (stats) {
            if (history.size() == SWAP_HISTORY_SIZE) {
                history.removeFirst();
            }
            history.addLast(r);
            OptionalLong delay = r.freshnessDelayMs();
            if (delay.isPresent()) {
                freshnessWindow[(int) (freshnessCount % FRESHNESS_WINDOW)] = delay.getAsLong();
                freshnessCount++;
                freshnessSumMs += delay.getAsLong();
            }
        }
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
                : OptionalLong.of(clock.millis() - m.manifest().createdAtMs());
    }

    /** Time since the served model was swapped in, in millis; empty before the first load. */
    public OptionalLong sinceSwapMs() {
        ServingModel m = current.get();
        return m == null ? OptionalLong.empty() : OptionalLong.of(clock.millis() - m.readyAtMs());
    }

    /** New versions swapped in so far (the first load counts; compactions do not). */
    public long swapCount() {
        return swaps.get();
    }

    /** Swaps that loaded a whole chain. */
    public long fullLoadCount() {
        return fullLoads.get();
    }

    /** Swaps that applied deltas in memory. */
    public long deltaApplyCount() {
        return deltaApplies.get();
    }

    /** Compactions of overlays swapped in. */
    public long compactionCount() {
        return compactions.get();
    }

    /** Failed attempts to read {@code LATEST} or load a version. */
    public long loadFailures() {
        return loadFailures.get();
    }

    /** The last {@value #SWAP_HISTORY_SIZE} swaps (compactions included), oldest first. */
    public List<SwapRecord> swapHistory() {
        synchronized (stats) {
            return List.copyOf(history);
        }
    }

    /** The most recent swap (possibly a compaction); empty before the first load. */
    public Optional<SwapRecord> lastSwap() {
        synchronized (stats) {
            return Optional.ofNullable(history.peekLast());
        }
    }

    /** Freshness delays of the swaps so far (see {@link SwapRecord#freshnessDelayMs()}). */
    public FreshnessSummary freshness() {
        long[] window;
        long count;
        long sum;
        long last;
        synchronized (stats) {
            count = freshnessCount;
            if (count == 0) {
                return FreshnessSummary.EMPTY;
            }
            sum = freshnessSumMs;
            int n = (int) Math.min(count, FRESHNESS_WINDOW);
            window = Arrays.copyOf(freshnessWindow, n);
            last = freshnessWindow[(int) ((count - 1) % FRESHNESS_WINDOW)];
        }
        Arrays.sort(window);
        return new FreshnessSummary(
                count,
                sum,
                OptionalLong.of(last),
                OptionalLong.of(nearestRank(window, 0.5)),
                OptionalLong.of(nearestRank(window, 0.99)),
                window.length);
    }

    private static long nearestRank(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    public LocalModelStore store() {
        return store;
    }

    public PullerConfig config() {
        return config;
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
