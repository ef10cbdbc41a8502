package io.freshrank.serving;

import java.time.Duration;
import java.util.Objects;

/**
 * Resolved, validated settings of a {@link RankingServer}. Immutable; start from {@link
 * #defaults()} and change fields with the {@code with*} methods. Errors name the config key.
 *
 * @param bindAddress {@value #BIND_ADDRESS_KEY}: address to listen on (default 127.0.0.1)
 * @param port {@value #PORT_KEY}: TCP port, 0 = pick a free one (default 0)
 * @param threads {@value #THREADS_KEY}: request threads (default: cores, at least 2)
 * @param queueCapacity {@value #QUEUE_CAPACITY_KEY}: requests waiting for a thread before the
 *     accepting thread runs them itself (backpressure; default 256)
 * @param maxBodyBytes {@value #MAX_BODY_BYTES_KEY}: largest accepted request body (default 1 MiB)
 * @param maxCandidates {@value #MAX_CANDIDATES_KEY}: most candidates per request (default 1000)
 * @param pollInterval {@value #POLL_INTERVAL_KEY}: how often the store's LATEST is read (1 s)
 * @param fp16 {@value #FP16_KEY}: keep served embedding rows as IEEE half floats (about a third of
 *     the memory for small rows; scores then use rows rounded to half precision, relative error at
 *     most 2^-11 per value); default false
 * @param maxOverlayDepth {@value #MAX_OVERLAY_DEPTH_KEY}: deltas applied in memory as overlays on
 *     the served table before they are compacted into one table (lookups probe each overlay; a
 *     compaction copies the table), >= 0; default 8
 */
public record RankingServerConfig(
        String bindAddress,
        int port,
        int threads,
        int queueCapacity,
        int maxBodyBytes,
        int maxCandidates,
        Duration pollInterval,
        boolean fp16,
        int maxOverlayDepth) {

    public static final String BIND_ADDRESS_KEY = "freshrank.serve.bind-address";
    public static final String PORT_KEY = "freshrank.serve.port";
    public static final String THREADS_KEY = "freshrank.serve.threads";
    public static final String QUEUE_CAPACITY_KEY = "freshrank.serve.queue-capacity";
    public static final String MAX_BODY_BYTES_KEY = "freshrank.serve.max-body-bytes";
    public static final String MAX_CANDIDATES_KEY = "freshrank.serve.max-candidates";
    public static final String POLL_INTERVAL_KEY = "freshrank.serve.poll-interval";
    public static final String FP16_KEY = "freshrank.serve.fp16";
    public static final String MAX_OVERLAY_DEPTH_KEY = "freshrank.serve.max-overlay-depth";

    public RankingServerConfig {
        Objects.requireNonNull(bindAddress, BIND_ADDRESS_KEY);
        if (bindAddress.isBlank()) {
            throw new IllegalArgumentException(BIND_ADDRESS_KEY + " must not be empty");
        }
        check(port >= 0 && port <= 65535, PORT_KEY, "be in 0..65535 (0 = any free port)", port);
        check(threads >= 1, THREADS_KEY, "be >= 1", threads);
        check(queueCapacity >= 1, QUEUE_CAPACITY_KEY, "be >= 1", queueCapacity);
        check(maxBodyBytes >= 64, MAX_BODY_BYTES_KEY, "be >= 64", maxBodyBytes);
        check(maxCandidates >= 1, MAX_CANDIDATES_KEY, "be >= 1", maxCandidates);
        Objects.requireNonNull(pollInterval, POLL_INTERVAL_KEY);
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException(
                    POLL_INTERVAL_KEY + " must be > 0, got " + pollInterval);
        }
        check(maxOverlayDepth >= 0, MAX_OVERLAY_DEPTH_KEY, "be >= 0", maxOverlayDepth);
    }

    /** The settings without the in-memory model options (FLOAT32 rows, default overlay depth). */
    public RankingServerConfig(
            String bindAddress,
            int port,
            int threads,
            int queueCapacity,
            int maxBodyBytes,
            int maxCandidates,
            Duration pollInterval) {
        this(
                bindAddress,
                port,
                threads,
                queueCapacity,
                maxBodyBytes,
                maxCandidates,
                pollInterval,
                false,
                PullerConfig.DEFAULT_MAX_OVERLAY_DEPTH);
    }

    private static void check(boolean ok, String key, String rule, int value) {
        if (!ok) {
            throw new IllegalArgumentException(key + " must " + rule + ", got " + value);
        }
    }

    public static RankingServerConfig defaults() {
        return new RankingServerConfig(
                "127.0.0.1",
                0,
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                256,
                1 << 20,
                1000,
                ModelPuller.DEFAULT_POLL_INTERVAL,
                false,
                PullerConfig.DEFAULT_MAX_OVERLAY_DEPTH);
    }

    /** The settings of the server's {@link ModelPuller}. */
    public PullerConfig pullerConfig() {
        return PullerConfig.defaults()
                .withPollInterval(pollInterval)
                .withFp16(fp16)
                .withMaxOverlayDepth(maxOverlayDepth);
    }

    public RankingServerConfig withBindAddress(String v) {
        return new RankingServerConfig(
                v,
                port,
                threads,
                queueCapacity,
                maxBodyBytes,
                maxCandidates,
                pollInterval,
                fp16,
                maxOverlayDepth);
    }

    public RankingServerConfig withPort(int v) {
        return new RankingServerConfig(
                bindAddress,
                v,
                threads,
                queueCapacity,
                maxBodyBytes,
                maxCandidates,
                pollInterval,
                fp16,
                maxOverlayDepth);
    }

    public RankingServerConfig withThreads(int v) {
        return new RankingServerConfig(
                bindAddress,
                port,
                v,
                queueCapacity,
                maxBodyBytes,
                maxCandidates,
                pollInterval,
                fp16,
                maxOverlayDepth);
    }

    public RankingServerConfig withQueueCapacity(int v) {
        return new RankingServerConfig(
                bindAddress,
                port,
                threads,
                v,
                maxBodyBytes,
                maxCandidates,
                pollInterval,
                fp16,
                maxOverlayDepth);
    }

    public RankingServerConfig withMaxBodyBytes(int v) {
        return new RankingServerConfig(
                bindAddress,
                port,
                threads,
                queueCapacity,
                v,
                maxCandidates,
                pollInterval,
                fp16,
                maxOverlayDepth);
    }

    public RankingServerConfig withMaxCandidates(int v) {
        return new RankingServerConfig(
                bindAddress,
                port,
                threads,
                queueCapacity,
                maxBodyBytes,
                v,
                pollInterval,
                fp16,
                maxOverlayDepth);
    }

    public RankingServerConfig withPollInterval(Duration v) {
        return new RankingServerConfig(
                bindAddress,
                port,
                threads,
                queueCapacity,
                maxBodyBytes,
                maxCandidates,
                v,
                fp16,
                maxOverlayDepth);
    }

    public RankingServerConfig withFp16(boolean v) {
        return new RankingServerConfig(
                bindAddress,
                port,
                threads,
                queueCapacity,
                maxBodyBytes,
                maxCandidates,
                pollInterval,
                v,
                maxOverlayDepth);
    }

    public RankingServerConfig withMaxOverlayDepth(int v) {
        return new RankingServerConfig(
                bindAddress,
                port,
                threads,
                queueCapacity,
                maxBodyBytes,
                maxCandidates,
                pollInterval,
                fp16,
                v);
    }
}
