package io.freshrank.jobs.replay;

/**
 * How a dataset is replayed; immutable, validated by the compact constructor (messages name the
 * option to change). Start from {@link #defaults()} and change fields with the {@code with*}
 * methods.
 *
 * @param limit replay at most this many requests (shown lists), the earliest in replay order
 *     ({@link Long#MAX_VALUE} = all)
 * @param compression time-compression factor: an original gap of {@code g} ms becomes {@code g /
 *     compression} ms; 1 keeps original time, must be finite and {@code > 0}
 * @param startTimeMs replayed event time of the first request, epoch ms; {@link #ORIGINAL_START}
 *     keeps the first request's original time
 * @param clickDelayMs synthetic delay (original time, before compression) between an impression and
 *     its click, for datasets that record a click but not when it happened (MIND, Open Bandit,
 *     Criteo, Avazu, a CSV label column); {@code >= 0}
 * @param syntheticRowsPerSecond original-time rate given to rows of a dataset without any time
 *     (Criteo); {@code > 0}
 * @param syntheticStartMs original time of the first row of a dataset without any time (Criteo),
 *     epoch ms
 */
public record ReplayOptions(
        long limit,
        double compression,
        long startTimeMs,
        long clickDelayMs,
        double syntheticRowsPerSecond,
        long syntheticStartMs) {

    /** {@link #startTimeMs()} value that keeps the data's own start time. */
    public static final long ORIGINAL_START = Long.MIN_VALUE;

    /** Default synthetic click delay: 5 s of original time. */
    public static final long DEFAULT_CLICK_DELAY_MS = 5_000L;

    /**
     * Default Criteo row rate: the Kaggle train file's 45,840,617 rows cover 7 days, about 75.8
     * rows per second.
     */
    public static final double DEFAULT_SYNTHETIC_ROWS_PER_SECOND = 75.0;

    /** Default original time of Criteo's first row: 2014-01-01T00:00:00Z (synthetic). */
    public static final long DEFAULT_SYNTHETIC_START_MS = 1_388_534_400_000L;

    public ReplayOptions {
        if (limit < 1) {
            throw new IllegalArgumentException("replay limit must be >= 1 request; got " + limit);
        }
        if (!(compression > 0) || Double.isInfinite(compression)) {
            throw new IllegalArgumentException(
                    "replay compression must be a finite factor > 0 (1 = original time); got "
                            + compression);
        }
        if (clickDelayMs < 0) {
            throw new IllegalArgumentException(
                    "replay clickDelayMs must be >= 0; got " + clickDelayMs);
        }
        if (!(syntheticRowsPerSecond > 0) || Double.isInfinite(syntheticRowsPerSecond)) {
            throw new IllegalArgumentException(
                    "replay syntheticRowsPerSecond must be finite and > 0; got "
                            + syntheticRowsPerSecond);
        }
    }

    /** Everything, original time, 5 s click delay, 75 synthetic rows/s from 2014-01-01. */
    public static ReplayOptions defaults() {
        return new ReplayOptions(
                Long.MAX_VALUE,
                1.0,
                ORIGINAL_START,
                DEFAULT_CLICK_DELAY_MS,
                DEFAULT_SYNTHETIC_ROWS_PER_SECOND,
                DEFAULT_SYNTHETIC_START_MS);
    }

    public ReplayOptions withLimit(long newLimit) {
        return new ReplayOptions(
                newLimit,
                compression,
                startTimeMs,
                clickDelayMs,
                syntheticRowsPerSecond,
                syntheticStartMs);
    }

    public ReplayOptions withCompression(double newCompression) {
        return new ReplayOptions(
                limit,
                newCompression,
                startTimeMs,
                clickDelayMs,
                syntheticRowsPerSecond,
                syntheticStartMs);
    }

    public ReplayOptions withStartTimeMs(long newStartTimeMs) {
        return new ReplayOptions(
                limit,
                compression,
                newStartTimeMs,
                clickDelayMs,
                syntheticRowsPerSecond,
                syntheticStartMs);
    }

    public ReplayOptions withClickDelayMs(long newClickDelayMs) {
        return new ReplayOptions(
                limit,
                compression,
                startTimeMs,
                newClickDelayMs,
                syntheticRowsPerSecond,
                syntheticStartMs);
    }

    public ReplayOptions withSyntheticRowsPerSecond(double rowsPerSecond) {
        return new ReplayOptions(
                limit, compression, startTimeMs, clickDelayMs, rowsPerSecond, syntheticStartMs);
    }

    public ReplayOptions withSyntheticStartMs(long newSyntheticStartMs) {
        return new ReplayOptions(
                limit,
                compression,
                startTimeMs,
                clickDelayMs,
                syntheticRowsPerSecond,
                newSyntheticStartMs);
    }

    /** The compression of a replay whose first request has original time {@code originMs}. */
    TimeCompression compressionFrom(long originMs) {
        return new TimeCompression(
                originMs, startTimeMs == ORIGINAL_START ? originMs : startTimeMs, compression);
    }
}
