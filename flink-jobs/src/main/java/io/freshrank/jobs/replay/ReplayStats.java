package io.freshrank.jobs.replay;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a replay contains, counted from the file while it is read: the numbers the label join's
 * output is compared with. Every impression should become exactly one example; an impression with
 * an action of a type should become an example with that label set to 1 (when the attribution
 * window covers {@link #maxActionDelayMs()}).
 *
 * @param dataset the dataset name
 * @param requests requests (shown lists) replayed
 * @param impressions shown items replayed (= examples the join should emit)
 * @param actions actions replayed, by label name ({@code click}, {@code conversion}, ...: the
 *     action type in lower case, as in the join's labels)
 * @param positives impressions with at least one action of a type, by label name (= examples the
 *     join should emit with that label set)
 * @param skippedRows malformed rows skipped, by reason
 * @param outOfOrderRequests requests moved forward to their predecessor's time because the file was
 *     not in time order
 * @param firstEventTimeMs replayed event time of the first event ({@link Long#MIN_VALUE} if none)
 * @param lastEventTimeMs replayed event time of the last event ({@link Long#MIN_VALUE} if none)
 * @param maxActionDelayMs longest replayed delay between an impression and one of its actions (0
 *     without actions): the attribution window must be at least this long
 */
public record ReplayStats(
        String dataset,
        long requests,
        long impressions,
        Map<String, Long> actions,
        Map<String, Long> positives,
        Map<String, Long> skippedRows,
        long outOfOrderRequests,
        long firstEventTimeMs,
        long lastEventTimeMs,
        long maxActionDelayMs) {

    /** The label name of clicks. */
    public static final String CLICK = "click";

    public ReplayStats {
        actions = Map.copyOf(actions);
        positives = Map.copyOf(positives);
        skippedRows = Map.copyOf(skippedRows);
    }

    /** Impressions with at least one click: the positive click examples to expect. */
    public long clickedImpressions() {
        return positives.getOrDefault(CLICK, 0L);
    }

    /** Click actions. */
    public long clicks() {
        return actions.getOrDefault(CLICK, 0L);
    }

    /** Every action of every type. */
    public long totalActions() {
        return actions.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every skipped row. */
    public long totalSkippedRows() {
        return skippedRows.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%s: requests=%d impressions=%d actions=%s positives=%s skipped=%s"
                        + " outOfOrder=%d time=[%d, %d] maxActionDelayMs=%d",
                dataset,
                requests,
                impressions,
                new TreeMap<>(actions),
                new TreeMap<>(positives),
                new TreeMap<>(skippedRows),
                outOfOrderRequests,
                firstEventTimeMs,
                lastEventTimeMs,
                maxActionDelayMs);
    }
}
