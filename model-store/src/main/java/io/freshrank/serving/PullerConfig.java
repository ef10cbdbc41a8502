package io.freshrank.serving;

import io.freshrank.store.RowPrecision;
import java.time.Duration;
import java.util.Objects;

/**
 * Resolved, validated settings of a {@link ModelPuller}. Immutable; start from {@link #defaults()}
 * and change fields with the {@code with*} methods. Errors name the config key.
 *
 * @param pollInterval {@value RankingServerConfig#POLL_INTERVAL_KEY}: time between reads of {@code
 *     LATEST}, > 0 (default 1 s)
 * @param failedRetryInterval time before a version that failed to load is tried again, >= 0
 *     (default 30 s)
 * @param precision {@value RankingServerConfig#FP16_KEY}: how served rows are kept in memory
 *     (default FLOAT32)
 * @param maxOverlayDepth {@value RankingServerConfig#MAX_OVERLAY_DEPTH_KEY}: delta overlays allowed
 *     above the base table before the puller compacts them into one table, >= 0 (default 8; 0
 *     compacts after every delta)
 */
public record PullerConfig(
        Duration pollInterval,
        Duration failedRetryInterval,
        RowPrecision precision,
        int maxOverlayDepth) {

    public static final int DEFAULT_MAX_OVERLAY_DEPTH = 8;

    public PullerConfig {
        Objects.requireNonNull(pollInterval, RankingServerConfig.POLL_INTERVAL_KEY);
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException(
                    RankingServerConfig.POLL_INTERVAL_KEY + " must be > 0, got " + pollInterval);
        }
        Objects.requireNonNull(failedRetryInterval, "failedRetryInterval");
        if (failedRetryInterval.isNegative()) {
            throw new IllegalArgumentException(
                    "failedRetryInterval must be >= 0, got " + failedRetryInterval);
        }
        Objects.requireNonNull(precision, RankingServerConfig.FP16_KEY);
        if (maxOverlayDepth < 0) {
            throw new IllegalArgumentException(
                    RankingServerConfig.MAX_OVERLAY_DEPTH_KEY
                            + " must be >= 0, got "
                            + maxOverlayDepth);
        }
    }

    public static PullerConfig defaults() {
        return new PullerConfig(
                ModelPuller.DEFAULT_POLL_INTERVAL,
                ModelPuller.DEFAULT_FAILED_RETRY_INTERVAL,
                RowPrecision.FLOAT32,
                DEFAULT_MAX_OVERLAY_DEPTH);
    }

    public PullerConfig withPollInterval(Duration v) {
        return new PullerConfig(v, failedRetryInterval, precision, maxOverlayDepth);
    }

    public PullerConfig withFailedRetryInterval(Duration v) {
        return new PullerConfig(pollInterval, v, precision, maxOverlayDepth);
    }

    public PullerConfig withPrecision(RowPrecision v) {
        return new PullerConfig(pollInterval, failedRetryInterval, v, maxOverlayDepth);
    }

    /** FLOAT16 rows when {@code fp16}, else FLOAT32. */
    public PullerConfig withFp16(boolean fp16) {
        return withPrecision(fp16 ? RowPrecision.FLOAT16 : RowPrecision.FLOAT32);
    }

    public PullerConfig withMaxOverlayDepth(int v) {
        return new PullerConfig(pollInterval, failedRetryInterval, precision, v);
    }
}
