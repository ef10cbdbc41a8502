package io.freshrank.serving;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters and the {@code /rank} latency histogram, rendered in the Prometheus text
 * exposition format (version 0.0.4). Thread-safe; recording is lock-free.
 */
final class ServerMetrics {
    /** Upper bounds of the latency buckets, seconds. */
    private static final double[] BUCKETS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
    };

    private final Map<Integer, LongAdder> requestsByStatus = new ConcurrentHashMap<>();
    private final LongAdder[] bucketCounts = new LongAdder[BUCKETS.length];
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencySumNanos = new LongAdder();

    ServerMetrics() {
        for (int i = 0; i < bucketCounts.length; i++) {
            bucketCounts[i] = new LongAdder();
        }
    }

    void recordRank(int status, long nanos) {
        requestsByStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                bucketCounts[i].increment();
                break;
            }
        }
        latencyCount.increment();
        latencySumNanos.add(nanos);
    }

    long rankRequests(int status) {
        LongAdder a = requestsByStatus.get(status);
        return a == null ? 0 : a.sum();
    }

    String render(ModelPuller puller) {
        StringBuilder sb = new StringBuilder(2048);
        gauge(
                sb,
                "freshrank_served_model_version",
                "Version of the served model (-1: none loaded yet).",
                Long.toString(puller.currentVersion()));
        OptionalLong age = puller.modelAgeMs();
        gauge(
                sb,
                "freshrank_served_model_age_seconds",
                "Now minus the served snapshot's creation time.",
                age.isPresent() ? seconds(age.getAsLong()) : "NaN");
        OptionalLong sinceSwap = puller.sinceSwapMs();
        gauge(
                sb,
                "freshrank_served_model_since_swap_seconds",
                "Time since the served model was swapped in.",
                sinceSwap.isPresent() ? seconds(sinceSwap.getAsLong()) : "NaN");
        ServingModel m = puller.current();
        gauge(
                sb,
                "freshrank_served_model_rows",
                "Embedding rows of the served model.",
                m == null ? "0" : Integer.toString(m.loaded().embeddings().size()));
        counter(
                sb,
                "freshrank_model_swaps_total",
                "Models swapped in (the first load counts).",
                puller.swapCount());
        counter(
                sb,
                "freshrank_model_load_failures_total",
                "Failed attempts to read LATEST or load a snapshot.",
                puller.loadFailures());
        sb.append("# HELP freshrank_rank_requests_total POST /rank requests by response status.\n");
        sb.append("# TYPE freshrank_rank_requests_total counter\n");
        Map<Integer, LongAdder> sorted = new TreeMap<>(requestsByStatus);
        sorted.forEach(
                (status, n) ->
                        sb.append("freshrank_rank_requests_total{status=\"")
                                .append(status)
                                .append("\"} ")
                                .append(n.sum())
                                .append('\n'));
        sb.append("# HELP freshrank_rank_latency_seconds POST /rank latency in the server.\n");
        sb.append("# TYPE freshrank_rank_latency_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += bucketCounts[i].sum();
            sb.append("freshrank_rank_latency_seconds_bucket{le=\"")
                    .append(BUCKETS[i])
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
        }
        long count = latencyCount.sum();
        sb.append("freshrank_rank_latency_seconds_bucket{le=\"+Inf\"} ")
                .append(Math.max(count, cumulative))
                .append('\n');
        sb.append("freshrank_rank_latency_seconds_sum ")
                .append(String.format(Locale.ROOT, "%.6f", latencySumNanos.sum() / 1e9))
                .append('\n');
        sb.append("freshrank_rank_latency_seconds_count ").append(count).append('\n');
        return sb.toString();
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.3f", ms / 1000.0);
    }

    private static void gauge(StringBuilder sb, String name, String help, String value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append(' ').append(value).append('\n');
    }
}
