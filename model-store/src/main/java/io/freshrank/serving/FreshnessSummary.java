package io.freshrank.serving;

import java.util.OptionalLong;

/**
 * Freshness delays of a {@link ModelPuller}'s swaps ({@link SwapRecord#freshnessDelayMs()}): the
 * last one, quantiles over a window of the most recent ones, and the all-time count and sum (for a
 * Prometheus summary). Swaps without {@code newestExampleIngestMs} provenance are not counted.
 *
 * @param count delays recorded since the puller started
 * @param sumMs their sum, in millis
 * @param lastMs the most recent delay
 * @param p50Ms the median of the window (nearest rank)
 * @param p99Ms the 99th percentile of the window (nearest rank)
 * @param window delays the quantiles are computed over (at most {@link
 *     ModelPuller#FRESHNESS_WINDOW})
 */
public record FreshnessSummary(
        long count,
        long sumMs,
        OptionalLong lastMs,
        OptionalLong p50Ms,
        OptionalLong p99Ms,
        int window) {

    static final FreshnessSummary EMPTY =
            new FreshnessSummary(
                    0, 0, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), 0);
}
