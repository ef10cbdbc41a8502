package io.freshrank.deploy.bench;

import io.freshrank.features.FeatureSpec;
import io.freshrank.jobs.train.RowCache;
import io.freshrank.jobs.train.ShardTable;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./freshrank bench-train}: training throughput of the training job alone, on the embedded
 * default, over a matrix of parallelism x state layout (heap keyed state; RocksDB behind the row
 * cache; RocksDB without it) x id universe, with a Zipf id stream over 26 categorical slots of dim
 * 16 (see {@link BenchExamples}). Each cell runs on its own fresh stack ({@link TrainRun}). Prints,
 * and writes to {@code target/bench-train.md}, a Markdown table of examples/s and state bytes per
 * row, the configuration, and where the time went (Flink's busy / back-pressured time per vertex).
 *
 * <p>A benchmark, not a test: it asserts nothing. The targets it is read against (20,000 examples/s
 * with the cache on a Zipf stream; a heap tier of at most 1.5x the raw row bytes) are printed next
 * to the results.
 */
public final class TrainBenchmark {
    private static final PrintStream OUT = System.out;

    /** Examples/s the cached configuration should reach. */
    static final double TARGET_EXAMPLES_PER_SECOND = 20_000;

    /** Largest heap-tier bytes per row, as a multiple of the raw row bytes. */
    static final double TARGET_HEAP_RATIO = 1.5;

    private TrainBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(o));
    }

    static int run(BenchOptions o) throws Exception {
        FeatureSpec spec = FeatureSpec.fromJson(BenchExamples.specJson(o.slots(), o.dim()));
        RowSizes sizes = RowSizes.of(spec, o.cacheBytes());
        List<String> header = header(o, sizes);
        header.forEach(OUT::println);
        OUT.println();

        List<TrainRun.Result> results = new ArrayList<>();
        Path tmp = Files.createTempDirectory("freshrank-bench-");
        try {
            Path specFile = BenchExamples.writeSpec(tmp, o.slots(), o.dim());
            for (long universe : o.ids()) {
                long g0 = System.nanoTime();
                BenchExamples.Generated data =
                        BenchExamples.generate(
                                o.examples(), universe, o.slots(), o.zipfExponent(), o.seed());
                OUT.printf(
                        Locale.ROOT,
                        "Input for %,d ids: %,d examples, %,d values per slot, %,d distinct ids"
                                + " seen, %.1f%% positive, %.0f bytes/example (generated in %.1f"
                                + " s)%n",
                        universe,
                        o.examples(),
                        data.valuesPerSlot(),
                        data.distinctSeen(),
                        100.0 * data.positives() / o.examples(),
                        (double) data.bytes() / o.examples(),
                        (System.nanoTime() - g0) / 1e9);
                if (results.isEmpty() && o.warmupExamples() > 0) {
                    warmUp(o, universe, specFile);
                }
                BenchExamples.Generated shorter =
                        o.noCacheExamples() < o.examples()
                                        && o.modes().contains(BenchOptions.Mode.ROCKSDB)
                                ? BenchExamples.generate(
                                        o.noCacheExamples(),
                                        universe,
                                        o.slots(),
                                        o.zipfExponent(),
                                        o.seed())
                                : data;
                for (int p : o.parallelisms()) {
                    for (BenchOptions.Mode mode : o.modes()) {
                        TrainRun.Result r =
                                TrainRun.run(
                                        o,
                                        mode,
                                        p,
                                        universe,
                                        mode == BenchOptions.Mode.ROCKSDB ? shorter : data,
                                        specFile,
                                        OUT);
                        results.add(r);
                        OUT.println("  " + oneLine(r, sizes));
                    }
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }

        List<String> report = new ArrayList<>(header);
        report.add("");
        report.addAll(table(results, sizes));
        report.add("");
        report.addAll(targets(results, sizes));
        report.add("");
        report.addAll(cpu(results));
        report.add("");
        report.addAll(loads(results));
        OUT.println();
        report.forEach(OUT::println);
        Path file = o.report();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, String.join("\n", report) + "\n", StandardCharsets.UTF_8);
        OUT.println();
        OUT.println("Written to " + file.toAbsolutePath());
        return 0;
    }

    /**
     * One unreported run on its own examples, so that the reported runs do not pay for JIT
     * compilation of Flink, Kafka, Avro and the job. Measured with JFR: after 100,000 or 300,000
     * warm-up examples the C2 compiler was still busy through the whole measured run (about 10 s of
     * compilation per 10 s); after 1,500,000 it had mostly quieted down.
     */
    private static void warmUp(BenchOptions o, long universe, Path specFile) throws Exception {
        int w = o.warmupExamples();
        // Its own stream (another seed) of any length: the JIT needs more examples than a short
        // measured run has.
        BenchExamples.Generated head =
                BenchExamples.generate(w, universe, o.slots(), o.zipfExponent(), o.seed() + 1);
        // The cached RocksDB mode runs the most code (cache, RocksDB, write-behind): warm that up.
        BenchOptions.Mode mode =
                o.modes().contains(BenchOptions.Mode.ROCKSDB_CACHE)
                        ? BenchOptions.Mode.ROCKSDB_CACHE
                        : o.modes().get(0);
        int p = o.parallelisms().get(0);
        OUT.printf(Locale.ROOT, "Warm-up run (not reported): %,d examples%n", w);
        TrainRun.Result r = TrainRun.run(o, mode, p, universe, head, specFile, OUT);
        OUT.printf(Locale.ROOT, "  warm-up: %,.0f examples/s%n", r.examplesPerSecond());
    }

    /**
     * Bytes of one embedding row.
     *
     * @param rowWidth floats of the row ({@code dim + 1})
     * @param entryWidth floats of a training entry (row + optimizer state)
     * @param raw raw bytes of a training entry: 8 (id) + 4 per float + 16 (count, last update)
     * @param cacheBound {@link RowCache#bytesPerRow} (upper bound, index included)
     * @param cacheExact heap bytes per row of a full cache of the configured size
     * @param cacheCapacity rows that cache holds
     */
    record RowSizes(
            int rowWidth,
            int entryWidth,
            long raw,
            long cacheBound,
            double cacheExact,
            int cacheCapacity) {
        static RowSizes of(FeatureSpec spec, long cacheBytes) {
            int width = ShardTable.entryWidth(spec);
            int rowWidth = spec.uniformDim() + 1;
            RowCache cache = RowCache.withMaxBytes(cacheBytes, width);
            return new RowSizes(
                    rowWidth,
                    width,
                    8L + 4L * width + 16,
                    RowCache.bytesPerRow(width),
                    (double) cache.heapBytes() / cache.capacity(),
                    cache.capacity());
        }
    }

    private static List<String> header(BenchOptions o, RowSizes sizes) {
        List<String> h = new ArrayList<>();
        h.add("# Freshrank training throughput (bench-train)");
        h.add("");
        h.add("Command: `" + o.commandLine() + "`");
        h.add("");
        h.add(
                String.format(
                        Locale.ROOT,
                        "Machine: %d cores visible to the JVM, Java %s, max heap %d MiB,"
                                + " OMP_NUM_THREADS=%s; Kafka broker in a child JVM on the same"
                                + " cores.",
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"),
                        Runtime.getRuntime().maxMemory() >> 20,
                        System.getenv().getOrDefault("OMP_NUM_THREADS", "unset")));
        h.add("JVM: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        h.add(
                String.format(
                        Locale.ROOT,
                        "Input: %d CATEGORICAL slots c1..c%d of dim %d (Adagrad, admission at first"
                                + " sight), ids per slot Zipf(%s) over ids/%d values, seed %d,"
                                + " ~10%% positives; %,d examples per run (%,d in the rocksdb mode)"
                                + " pre-filled into the examples topic (2 partitions) before the job"
                                + " starts. A first, unreported run of %,d other examples warms the"
                                + " JIT up (with fewer, the C2 compiler still took a third of a core"
                                + " during the measured runs).",
                        o.slots(),
                        o.slots(),
                        o.dim(),
                        o.zipfExponent(),
                        o.slots(),
                        o.seed(),
                        o.examples(),
                        o.noCacheExamples(),
                        o.warmupExamples()));
        h.add(
                String.format(
                        Locale.ROOT,
                        "Job: TrainJob on a fresh LocalStack per run (Kafka KRaft broker + Flink"
                                + " MiniCluster), batch %d, hidden %s, checkpoints every %d ms"
                                + " (RocksDB incremental), FULL snapshot every %d checkpoints,"
                                + " bounded examples source; settings %s (cache %s per shard in"
                                + " rocksdb-cache mode, 0 otherwise).",
                        o.batchSize(),
                        o.hidden(),
                        o.checkpointMs(),
                        o.fullSnapshotEvery(),
                        TrainRun.jobSettings(
                                o,
                                BenchOptions.Mode.ROCKSDB_CACHE,
                                Path.of("<bench-train.spec.json>")),
                        o.cacheSize()));
        h.add(
                "Measure: examples/s = predictions between the 10% and the last one (by count)"
                        + " / (the time between them + the time the shards then took to apply the"
                        + " last gradients): sustained training including the gradient back-edge."
                        + " The trainer's own rate (predictions only) is in the notes; where it is"
                        + " higher, gradients queued up in the gradients topic.");
        h.add(
                String.format(
                        Locale.ROOT,
                        "Row: %d floats (dim + 1) + %d floats of optimizer state; raw bytes per row"
                                + " = 8 id + %d x 4 + 16 (count, last update) = %d B. Heap tier"
                                + " (RowCache): %.1f B/row for a full %s cache (%,d rows, %.2fx"
                                + " raw), bound %d B (RowCache.bytesPerRow).",
                        sizes.rowWidth(),
                        sizes.entryWidth() - sizes.rowWidth(),
                        sizes.entryWidth(),
                        sizes.raw(),
                        sizes.cacheExact(),
                        o.cacheSize(),
                        sizes.cacheCapacity(),
                        sizes.cacheExact() / sizes.raw(),
                        sizes.cacheBound()));
        h.add(
                "bytes/row: heap mode = (heap freed by cancelling the job, after full GCs, minus"
                        + " the same for the rocksdb run of that parallelism and input) / rows;"
                        + " RocksDB = files of the embedding shards' RocksDB instances after a"
                        + " final checkpoint (SST bytes are after compression) / rows; rows = rows"
                        + " of the latest published snapshot.");
        return h;
    }

    private static List<String> table(List<TrainRun.Result> results, RowSizes sizes) {
        List<String> t = new ArrayList<>();
        t.add(
                "| parallelism | mode | distinct ids (universe / seen) | examples | examples/s |"
                        + " bytes/row | notes |");
        t.add("|---|---|---|---|---|---|---|");
        for (TrainRun.Result r : results) {
            t.add(
                    String.format(
                            Locale.ROOT,
                            "| %d | %s | %s / %s | %s | %s | %s | %s |",
                            r.parallelism(),
                            r.mode().label,
                            human(r.universe()),
                            human(r.distinctSeen()),
                            r.finished()
                                    ? String.format(Locale.ROOT, "%,d", r.examples())
                                    : String.format(
                                            Locale.ROOT, "%,d of %,d", r.trained(), r.examples()),
                            Double.isNaN(r.examplesPerSecond())
                                    ? "n/a"
                                    : String.format(Locale.ROOT, "%,.0f", r.examplesPerSecond()),
                            bytesPerRow(r, sizes, results),
                            notes(r)));
        }
        return t;
    }

    /**
     * Heap bytes per row of heap keyed state: the heap freed by cancelling the heap-mode job minus
     * the heap freed by cancelling the RocksDB-mode job of the same parallelism and input (same job
     * with its rows off-heap, so this removes the job's fixed heap such as the admission sketches),
     * over the rows; without such a run, the heap-mode figure alone (an over-estimate).
     */
    static double heapStateBytesPerRow(TrainRun.Result r, List<TrainRun.Result> results) {
        long baseline = 0;
        for (TrainRun.Result b : results) {
            if (b.mode() == BenchOptions.Mode.ROCKSDB
                    && b.parallelism() == r.parallelism()
                    && b.universe() == r.universe()) {
                baseline = Math.max(0, b.heapReleasedBytes());
            }
        }
        return (double) (r.heapReleasedBytes() - baseline) / r.rows();
    }

    private static String bytesPerRow(
            TrainRun.Result r, RowSizes sizes, List<TrainRun.Result> results) {
        if (r.rows() <= 0) {
            return "n/a (no rows)";
        }
        String rocks =
                r.rocksDb().embeddingBytes() < 0
                        ? "RocksDB n/a"
                        : String.format(
                                Locale.ROOT,
                                "RocksDB %.1f B (%.2fx raw; SST %.1f B)",
                                (double) r.rocksDb().embeddingBytes() / r.rows(),
                                (double) r.rocksDb().embeddingBytes() / r.rows() / sizes.raw(),
                                (double) r.rocksDb().embeddingSstBytes() / r.rows());
        return switch (r.mode()) {
            case HEAP -> {
                double perRow = heapStateBytesPerRow(r, results);
                yield String.format(
                        Locale.ROOT, "heap ~%.0f B (%.2fx raw)", perRow, perRow / sizes.raw());
            }
            case ROCKSDB_CACHE ->
                    String.format(
                            Locale.ROOT,
                            "heap tier %.1f B (%.2fx raw); %s",
                            sizes.cacheExact(),
                            sizes.cacheExact() / sizes.raw(),
                            rocks);
            case ROCKSDB -> rocks;
        };
    }

    private static String notes(TrainRun.Result r) {
        List<String> n = new ArrayList<>();
        n.add(
                String.format(
                        Locale.ROOT,
                        "%,d rows (snapshot v%d)",
                        Math.max(0, r.rows()),
                        r.snapshotVersion()));
        FlinkRestProbe.Agg hit = r.shardMetrics().get("cacheHitRate");
        FlinkRestProbe.Agg evictions = r.shardMetrics().get("cacheEvictions");
        if (hit != null) {
            n.add(
                    String.format(
                            Locale.ROOT,
                            "cache hit %.1f%%, %,.0f evictions",
                            100 * hit.avg(),
                            evictions == null ? 0 : evictions.sum()));
        }
        n.add(
                String.format(
                        Locale.ROOT,
                        "trainer alone %,.0f ex/s, last gradients applied %.1f s after the last"
                                + " prediction",
                        r.trainerExamplesPerSecond(),
                        r.drainSeconds()));
        FlinkRestProbe.Agg reads = r.shardMetrics().get("rowStoreReads");
        FlinkRestProbe.Agg writes = r.shardMetrics().get("rowStoreWrites");
        FlinkRestProbe.Agg skipped = r.shardMetrics().get("rowStoreReadsSkipped");
        FlinkRestProbe.Agg filter = r.shardMetrics().get("storedIdFilterBytes");
        if (reads != null && writes != null) {
            n.add(
                    String.format(
                            Locale.ROOT,
                            "%,.0f state reads (%,.0f more skipped by the stored-id filter, %s),"
                                    + " %,.0f state writes",
                            reads.sum(),
                            skipped == null ? 0 : skipped.sum(),
                            filter == null ? "n/a" : mib(filter.sum()),
                            writes.sum()));
        }
        FlinkRestProbe.Agg lookups = r.shardMetrics().get("rowLookups");
        FlinkRestProbe.Agg applied = r.shardMetrics().get("rowGradientsApplied");
        FlinkRestProbe.Agg noRow = r.shardMetrics().get("gradientsWithoutRow");
        if (lookups != null && applied != null) {
            n.add(
                    String.format(
                            Locale.ROOT,
                            "%,.0f row lookups, %,.0f row gradients applied, %,.0f without row",
                            lookups.sum(),
                            applied.sum(),
                            noRow == null ? 0 : noRow.sum()));
        }
        n.add(
                String.format(
                        Locale.ROOT,
                        "%,d ex in %.1f s (paused %.1f s, longest pause %.1f s); first prediction"
                                + " %.1f s after submit",
                        r.measuredExamples(),
                        r.measuredSeconds(),
                        r.pausedSeconds(),
                        r.maxGapSeconds(),
                        r.firstPredictionSeconds()));
        if (r.checkpoints() != null) {
            n.add(
                    String.format(
                            Locale.ROOT,
                            "%d checkpoints (avg %.1f s, max %.1f s, avg %s)",
                            r.checkpoints().completed(),
                            r.checkpoints().avgDurationMs() / 1000,
                            r.checkpoints().maxDurationMs() / 1000,
                            mib(r.checkpoints().avgCheckpointedBytes())));
        }
        n.addAll(r.notes());
        return String.join("; ", n);
    }

    private static List<String> targets(List<TrainRun.Result> results, RowSizes sizes) {
        List<String> t = new ArrayList<>();
        t.add("## Targets");
        t.add("");
        for (TrainRun.Result r : results) {
            if (r.mode() != BenchOptions.Mode.ROCKSDB_CACHE
                    || Double.isNaN(r.examplesPerSecond())) {
                continue;
            }
            double x = r.examplesPerSecond();
            t.add(
                    String.format(
                            Locale.ROOT,
                            "- p=%d, %s ids, cache on: %,.0f examples/s vs target %,.0f: %s",
                            r.parallelism(),
                            human(r.universe()),
                            x,
                            TARGET_EXAMPLES_PER_SECOND,
                            x >= TARGET_EXAMPLES_PER_SECOND
                                    ? "met"
                                    : String.format(
                                            Locale.ROOT,
                                            "missed by %,.0f/s (%.0f%% of target, needs %.2fx)",
                                            TARGET_EXAMPLES_PER_SECOND - x,
                                            100 * x / TARGET_EXAMPLES_PER_SECOND,
                                            TARGET_EXAMPLES_PER_SECOND / x)));
        }
        double ratio = sizes.cacheExact() / sizes.raw();
        t.add(
                String.format(
                        Locale.ROOT,
                        "- heap tier (RowCache) %.1f B/row = %.2fx raw %d B vs target <= %.1fx: %s",
                        sizes.cacheExact(),
                        ratio,
                        sizes.raw(),
                        TARGET_HEAP_RATIO,
                        ratio <= TARGET_HEAP_RATIO ? "met" : "missed"));
        for (TrainRun.Result r : results) {
            if (r.mode() == BenchOptions.Mode.HEAP && r.rows() > 0) {
                double b = heapStateBytesPerRow(r, results);
                t.add(
                        String.format(
                                Locale.ROOT,
                                "- heap keyed state (hashmap backend, no cache), p=%d, %s ids:"
                                        + " ~%.0f B/row = %.2fx raw (%s the %.1fx bound; heap freed"
                                        + " at cancel minus the rocksdb run's, per row)",
                                r.parallelism(),
                                human(r.universe()),
                                b,
                                b / sizes.raw(),
                                b / sizes.raw() <= TARGET_HEAP_RATIO ? "within" : "above",
                                TARGET_HEAP_RATIO));
            }
        }
        return t;
    }

    private static List<String> cpu(List<TrainRun.Result> results) {
        List<String> t = new ArrayList<>();
        t.add("## CPU per example (from the 10% prediction to the end of training)");
        t.add("");
        t.add(
                "us/ex = CPU microseconds per trained example; cores = average cores used over"
                        + " the span. 'bound' columns: 1e6 / (busiest task thread us/ex) is what"
                        + " that thread allows on a core of its own; 2e6 / (JVM + broker us/ex) is"
                        + " what the whole process pair allows on 2 dedicated cores.");
        t.add("");
        t.add(
                "| run | JVM us/ex (cores) | broker us/ex | busiest threads us/ex (cores) |"
                        + " VM threads us/ex (GC s, JIT s) | busiest-thread bound ex/s |"
                        + " 2-core bound ex/s | Kafka bytes/ex by topic |");
        t.add("|---|---|---|---|---|---|---|---|");
        for (TrainRun.Result r : results) {
            CpuAccounting.Usage u = r.cpu();
            if (u == null || r.cpuExamples() <= 0) {
                continue;
            }
            double ex = r.cpuExamples();
            List<String> top = new ArrayList<>();
            double busiest = 0;
            for (Map.Entry<String, Double> e : u.byGroup().entrySet()) {
                if (top.size() == 6) {
                    break;
                }
                double us = e.getValue() * 1e6 / ex;
                if (e.getKey().startsWith("main") || e.getKey().startsWith("tail-")) {
                    continue; // the benchmark's own threads
                }
                busiest = Math.max(busiest, us);
                top.add(
                        String.format(
                                Locale.ROOT,
                                "%s %.0f (%.2f)",
                                shorten(e.getKey(), 40),
                                us,
                                e.getValue() / u.wallSeconds()));
            }
            double jvm = u.processSeconds() * 1e6 / ex;
            StringBuilder kafka = new StringBuilder();
            r.topicBytes()
                    .forEach(
                            (topic, bytes) ->
                                    kafka.append(kafka.length() == 0 ? "" : ", ")
                                            .append(topic)
                                            .append(' ')
                                            .append(
                                                    String.format(
                                                            Locale.ROOT,
                                                            "%.0f",
                                                            (double) bytes / r.trained())));
            double broker = u.brokerSeconds() * 1e6 / ex;
            t.add(
                    String.format(
                            Locale.ROOT,
                            "| p=%d %s %s | %.0f (%.2f) | %.0f | %s | %.0f (%.1f, %.1f) | %,.0f |"
                                    + " %,.0f | %s |",
                            r.parallelism(),
                            r.mode().label,
                            human(r.universe()),
                            jvm,
                            u.processSeconds() / u.wallSeconds(),
                            broker,
                            String.join("; ", top),
                            u.vmSeconds() * 1e6 / ex,
                            u.gcSeconds(),
                            u.jitSeconds(),
                            busiest > 0 ? 1e6 / busiest : Double.NaN,
                            2e6 / (jvm + (Double.isNaN(broker) ? 0 : broker)),
                            kafka));
        }
        return t;
    }

    private static List<String> loads(List<TrainRun.Result> results) {
        List<String> t = new ArrayList<>();
        t.add(
                "## Where the time goes (Flink busy / back-pressured / idle ms per second, mean"
                        + " over subtasks and over samples every 3 s from the 20% prediction on)");
        t.add("");
        for (TrainRun.Result r : results) {
            t.add(
                    String.format(
                            Locale.ROOT,
                            "- p=%d %s %s ids:",
                            r.parallelism(),
                            r.mode().label,
                            human(r.universe())));
            if (r.loads().isEmpty()) {
                t.add("  - (not sampled)");
            }
            r.loads().stream()
                    .sorted(Comparator.comparingDouble(FlinkRestProbe.VertexLoad::busy).reversed())
                    .forEach(
                            v ->
                                    t.add(
                                            String.format(
                                                    Locale.ROOT,
                                                    "  - busy %4.0f, backpressured %4.0f, idle %4.0f"
                                                            + " | %s (x%d)",
                                                    v.busy(),
                                                    v.backPressured(),
                                                    v.idle(),
                                                    shorten(v.name()),
                                                    v.parallelism())));
        }
        return t;
    }

    private static String oneLine(TrainRun.Result r, RowSizes sizes) {
        return String.format(
                Locale.ROOT,
                "p=%d %s %s ids: %s examples/s; %s; %s",
                r.parallelism(),
                r.mode().label,
                human(r.universe()),
                Double.isNaN(r.examplesPerSecond())
                        ? "n/a"
                        : String.format(Locale.ROOT, "%,.0f", r.examplesPerSecond()),
                bytesPerRow(r, sizes, List.of(r)),
                notes(r));
    }

    private static String mib(double bytes) {
        return Double.isNaN(bytes)
                ? "n/a"
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (1 << 20));
    }

    private static String shorten(String vertex) {
        return shorten(vertex, 90);
    }

    private static String shorten(String vertex, int max) {
        String s = vertex.replaceAll("\\s+", " ");
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** 1000000 -> 1M, 10000000 -> 10M, 412345 -> 412k. */
    static String human(long n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return (n / 1_000_000) + "M";
        }
        if (n >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        }
        if (n >= 1_000) {
            return String.format(Locale.ROOT, "%.0fk", n / 1e3);
        }
        return Long.toString(n);
    }
}
