package io.freshrank.jobs.replay;

import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Impression;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Turns parsed requests (original time) into events (replayed time) in event-time order: each
 * request's impressions at its compressed time, each action at its compressed time, merged through
 * a priority queue ordered by (time, sequence) so ties keep generation order and an impression
 * always precedes its own actions. Only the pending actions and one look-ahead request are held in
 * memory. Counts what it emits for {@link #stats()}.
 */
final class ReplayStream implements ReplayIterator {
    private static final Comparator<Pending> ORDER =
            Comparator.comparingLong(Pending::timeMs).thenComparingLong(Pending::seq);

    private final String dataset;
    private final RequestSource source;
    private final ReplayOptions options;
    private final PriorityQueue<Pending> queue = new PriorityQueue<>(ORDER);

    private TimeCompression compression;
    private ShownRequest lookahead;
    private long lookaheadTimeMs;
    private boolean sourceDone;
    private boolean closed;
    private long seq;
    private long lastRequestTimeMs = Long.MIN_VALUE;

    private long requests;
    private long impressions;
    private final Map<String, Long> actions = new TreeMap<>();
    private final Map<String, Long> positives = new TreeMap<>();
    private long outOfOrder;
    private long firstEventMs = Long.MIN_VALUE;
    private long lastEventMs = Long.MIN_VALUE;
    private long maxDelayMs;

    ReplayStream(String dataset, RequestSource source, ReplayOptions options) {
        this.dataset = dataset;
        this.source = source;
        this.options = options;
    }

    @Override
    public boolean hasNext() {
        fill();
        return !queue.isEmpty();
    }

    @Override
    public SimEvent next() {
        fill();
        Pending p = queue.poll();
        if (p == null) {
            throw new NoSuchElementException("the " + dataset + " replay has no more events");
        }
        if (firstEventMs == Long.MIN_VALUE) {
            firstEventMs = p.timeMs();
        }
        lastEventMs = p.timeMs();
        return p.event();
    }

    @Override
    public ReplayStats stats() {
        return new ReplayStats(
                dataset,
                requests,
                impressions,
                actions,
                positives,
                source.skips().byReason(),
                outOfOrder,
                firstEventMs,
                lastEventMs,
                maxDelayMs);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            source.close();
        }
    }

    /** Expands requests until the queue's head is due before the next request. */
    private void fill() {
        while (true) {
            loadLookahead();
            if (lookahead == null) {
                if (sourceDone && queue.isEmpty()) {
                    close();
                }
                return;
            }
            if (!queue.isEmpty() && queue.peek().timeMs() < lookaheadTimeMs) {
                return;
            }
            expand(lookahead, lookaheadTimeMs);
            lookahead = null;
        }
    }

    private void loadLookahead() {
        if (lookahead != null || sourceDone) {
            return;
        }
        if (requests >= options.limit()) {
            sourceDone = true;
            return;
        }
        ShownRequest r = source.next();
        if (r == null) {
            sourceDone = true;
            return;
        }
        if (compression == null) {
            compression = options.compressionFrom(r.originalTimeMs());
        }
        long t = compression.apply(r.originalTimeMs());
        if (t < lastRequestTimeMs) {
            outOfOrder++;
            t = lastRequestTimeMs;
        }
        lastRequestTimeMs = t;
        lookahead = r;
        lookaheadTimeMs = t;
        requests++;
    }

    private void expand(ShownRequest r, long t) {
        EnumSet<ActionType> types = EnumSet.noneOf(ActionType.class);
        for (ShownRequest.Item item : r.items()) {
            String impressionId = item.impressionId();
            Impression imp =
                    Impression.newBuilder()
                            .setImpressionId(impressionId)
                            .setRequestId(r.requestId())
                            .setEventTimeMs(t)
                            .setPosition(item.position())
                            .setFeatures(item.features())
                            .setOracleProbability(null)
                            .setHoldout(false)
                            .build();
            enqueue(t, new SimEvent.ImpressionEvent(imp));
            impressions++;
            types.clear();
            int n = 0;
            for (ShownRequest.OriginalAction a : item.actions()) {
                // A reader guarantees action time >= impression time in original time; the
                // max() keeps that after a request was moved forward for being out of order.
                long at = Math.max(t, compression.apply(a.originalTimeMs()));
                String label = a.type().name().toLowerCase(Locale.ROOT);
                String actionId = impressionId + "-" + label + (n == 0 ? "" : "-" + n);
                n++;
                enqueue(
                        at,
                        new SimEvent.ActionEvent(
                                new Action(actionId, impressionId, a.type(), at, a.value())));
                actions.merge(label, 1L, Long::sum);
                if (types.add(a.type())) {
                    positives.merge(label, 1L, Long::sum);
                }
                maxDelayMs = Math.max(maxDelayMs, at - t);
            }
        }
    }

    private void enqueue(long timeMs, SimEvent event) {
        queue.add(new Pending(timeMs, seq++, event));
    }

    private record Pending(long timeMs, long seq, SimEvent event) {}
}
