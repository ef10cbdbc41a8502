package io.freshrank.serving;

import io.freshrank.store.RowPrecision;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters and the {@code /rank} latency histogram, plus the puller's model state
 * (version, ages, rows and their bytes, overlay depth, swaps by kind, the last swap's apply time
 * and bytes read, and freshness: {@code freshrank_model_freshness_seconds} for the last swap and
 * the {@code freshrank_model_freshness_delay_seconds} summary with p50/p99 over recent swaps),
 * rendered in the Prometheus text exposition format (version 0.0.4). Thread-safe; recording is
 * lock-free.
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
                m == null ? "0" : Integer.toString(m.rowCount()));
        gauge(
                sb,
                "freshrank_served_model_bytes",
                "Approximate heap bytes of the served model's embedding rows (overlays included).",
                m == null ? "0" : Long.toString(m.approximateBytes()));
        gauge(
                sb,
                "freshrank_served_model_overlay_depth",
                "Delta overlays above the served model's base table.",
                m == null ? "0" : Integer.toString(m.overlayDepth()));
        gauge(
                sb,
                "freshrank_served_model_fp16",
                "1 when the served rows are kept as half floats, else 0.",
                m != null && m.precision() == RowPrecision.FLOAT16 ? "1" : "0");
        gauge(
                sb,
                "freshrank_served_model_snapshot_bytes",
                "Bytes of the served version's own snapshot files.",
                m == null ? "0" : Long.toString(m.manifest().totalBytes()));
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
        counter(
                sb,
                "freshrank_model_full_loads_total",
                "Swaps that loaded a whole snapshot chain.",
                puller.fullLoadCount());
        counter(
                sb,
                "freshrank_model_delta_applies_total",
                "Swaps that applied deltas to the served model in memory.",
                puller.deltaApplyCount());
        counter(
                sb,
                "freshrank_model_compactions_total",
                "Compactions of delta overlays into one table.",
                puller.compactionCount());
        Optional<SwapRecord> last = puller.lastSwap();
        gauge(
                sb,
                "freshrank_model_last_apply_seconds",
                "Time the last swap took to build its model (load, delta apply or compaction).",
                last.isPresent() ? seconds(last.get().applyMillis()) : "NaN");
        gauge(
                sb,
                "freshrank_model_last_swap_bytes_read",
                "Snapshot bytes the last swap read from the store.",
                last.isPresent() ? Long.toString(last.get().bytesRead()) : "0");
        FreshnessSummary f = puller.freshness();
        gauge(
                sb,
                "freshrank_model_freshness_seconds",
                "Freshness delay of the last swap: swap time minus the Kafka ingest time of the"
                        + " newest example the version was trained on.",
                f.lastMs().isPresent() ? seconds(f.lastMs().getAsLong()) : "NaN");
        sb.append("# HELP freshrank_model_freshness_delay_seconds Freshness delays of swaps;")
                .append(" quantiles over the last ")
                .append(ModelPuller.FRESHNESS_WINDOW)
                .append(" swaps.\n");
        sb.append("# TYPE freshrank_model_freshness_delay_seconds summary\n");
        quantile(sb, "0.5", f.p50Ms());
        quantile(sb, "0.99", f.p99Ms());
        sb.append("freshrank_model_freshness_delay_seconds_sum ")
                .append(seconds(f.sumMs()))
                .append('\n');
        sb.append("freshrank_model_freshness_delay_seconds_count ").append(f.count()).append('\n');
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

    private static void quantile(StringBuilder sb, String q, OptionalLong ms) {
        sb.append("freshrank_model_freshness_delay_seconds{quantile=\"")
                .append(q)
                .append("\"} ")
                .append(ms.isPresent() ? seconds(ms.getAsLong()) : "NaN")
                .append('\n');
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
