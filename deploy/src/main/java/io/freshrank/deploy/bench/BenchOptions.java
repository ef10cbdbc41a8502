package io.freshrank.deploy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.MemorySize;

/**
 * The command line of {@code ./freshrank bench-train}, parsed and validated; errors name the
 * option.
 *
 * @param parallelisms job parallelisms to run ({@code --parallelism 1,2})
 * @param modes state layouts to run ({@code --modes heap,rocksdb-cache,rocksdb})
 * @param ids universes of distinct feature ids ({@code --ids 1000000,10000000})
 * @param examples examples per run ({@code --examples})
 * @param noCacheExamples examples per run of the {@code rocksdb} mode, at most {@code examples}
 *     ({@code --no-cache-examples}): without the cache a run is 4-5x slower, and its rate is steady
 *     well within the default
 * @param timeoutSeconds training time limit per run ({@code --timeout-s})
 * @param checkpointMs checkpoint (and snapshot) interval ({@code --checkpoint-ms})
 * @param batchSize training micro-batch ({@code --batch-size})
 * @param hidden MLP hidden widths ({@code --hidden})
 * @param cacheSize row cache per shard in the {@code rocksdb-cache} mode, a Flink memory size
 *     ({@code --cache-size})
 * @param fullSnapshotEvery a FULL snapshot every this many checkpoints ({@code --full-every})
 * @param writeBehindIdleMs cached rows idle this long are written to keyed state between
 *     checkpoints, 0 only at the barrier ({@code --write-behind-idle-ms})
 * @param slots categorical slots ({@code --slots})
 * @param dim embedding dim of every slot ({@code --dim})
 * @param zipfExponent Zipf exponent of every slot's values ({@code --zipf})
 * @param seed input seed ({@code --seed})
 * @param warmupExamples examples of an unreported first run that warms the JVM's JIT up, 0 for none
 *     ({@code --warmup-examples})
 * @param report where the Markdown table is written ({@code --out})
 */
record BenchOptions(
        List<Integer> parallelisms,
        List<Mode> modes,
        List<Long> ids,
        int examples,
        int noCacheExamples,
        int timeoutSeconds,
        long checkpointMs,
        int batchSize,
        String hidden,
        String cacheSize,
        int fullSnapshotEvery,
        int writeBehindIdleMs,
        int slots,
        int dim,
        double zipfExponent,
        long seed,
        int warmupExamples,
        Path report) {

    static final String USAGE =
            "usage: bench-train [--parallelism 1,2] [--modes heap,rocksdb-cache,rocksdb]"
                    + " [--ids 1000000,10000000] [--examples 1000000]"
                    + " [--no-cache-examples 300000] [--timeout-s 300]"
                    + " [--checkpoint-ms 5000] [--batch-size 256] [--hidden 64,32]"
                    + " [--cache-size '256 mb'] [--full-every 10] [--write-behind-idle-ms 1000]"
                    + " [--slots 26] [--dim 16]"
                    + " [--zipf 1.1] [--seed 7] [--warmup-examples 1500000] [--out target/bench-train.md]";

    /** Where the embedding rows live. */
    enum Mode {
        /** Heap keyed state (hashmap backend), no row cache. */
        HEAP("heap", "hashmap", false),
        /** RocksDB keyed state behind the write-back row cache. */
        ROCKSDB_CACHE("rocksdb-cache", "rocksdb", true),
        /** RocksDB keyed state, every row access a state get/update. */
        ROCKSDB("rocksdb", "rocksdb", false);

        final String label;
        final String stateBackend;
        final boolean cache;

        Mode(String label, String stateBackend, boolean cache) {
            this.label = label;
            this.stateBackend = stateBackend;
            this.cache = cache;
        }

        static Mode of(String label) {
            for (Mode m : values()) {
                if (m.label.equals(label.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException(
                    "--modes: unknown mode '"
                            + label
                            + "'; use heap, rocksdb-cache or rocksdb; "
                            + USAGE);
        }
    }

    static BenchOptions parse(String[] args) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(USAGE + "; got '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        List<String> known =
                List.of(
                        "parallelism",
                        "modes",
                        "ids",
                        "examples",
                        "no-cache-examples",
                        "timeout-s",
                        "checkpoint-ms",
                        "batch-size",
                        "hidden",
                        "cache-size",
                        "full-every",
                        "write-behind-idle-ms",
                        "slots",
                        "dim",
                        "zipf",
                        "seed",
                        "warmup-examples",
                        "out");
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + "; " + USAGE);
            }
        }
        List<Integer> parallelisms = new ArrayList<>();
        for (String s : m.getOrDefault("parallelism", "1,2").split(",")) {
            parallelisms.add(positiveInt("parallelism", s));
        }
        List<Mode> modes = new ArrayList<>();
        for (String s : m.getOrDefault("modes", "heap,rocksdb-cache,rocksdb").split(",")) {
            modes.add(Mode.of(s));
        }
        List<Long> ids = new ArrayList<>();
        for (String s : m.getOrDefault("ids", "1000000,10000000").split(",")) {
            ids.add((long) positiveInt("ids", s));
        }
        int slots = positiveInt("slots", m.getOrDefault("slots", "26"));
        if (slots > 255) {
            throw new IllegalArgumentException("--slots must be in 1..255, got " + slots);
        }
        for (long u : ids) {
            if (u < slots) {
                throw new IllegalArgumentException(
                        "--ids " + u + " is below --slots " + slots + " (one value per slot)");
            }
        }
        double zipf;
        try {
            zipf = Double.parseDouble(m.getOrDefault("zipf", "1.1"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--zipf must be a number, got " + m.get("zipf"), e);
        }
        if (!(zipf > 0) || !Double.isFinite(zipf)) {
            throw new IllegalArgumentException("--zipf must be > 0, got " + zipf);
        }
        String cache = m.getOrDefault("cache-size", "256 mb");
        try {
            MemorySize.parse(cache);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--cache-size must be a size such as '256 mb', got " + m.get("cache-size"), e);
        }
        String hidden = m.getOrDefault("hidden", "64,32");
        int examples = positiveInt("examples", m.getOrDefault("examples", "1000000"));
        return new BenchOptions(
                List.copyOf(parallelisms),
                List.copyOf(modes),
                List.copyOf(ids),
                examples,
                Math.min(
                        examples,
                        positiveInt(
                                "no-cache-examples",
                                m.getOrDefault("no-cache-examples", "300000"))),
                positiveInt("timeout-s", m.getOrDefault("timeout-s", "300")),
                positiveInt("checkpoint-ms", m.getOrDefault("checkpoint-ms", "5000")),
                positiveInt("batch-size", m.getOrDefault("batch-size", "256")),
                hidden,
                cache,
                positiveInt("full-every", m.getOrDefault("full-every", "10")),
                nonNegativeInt(
                        "write-behind-idle-ms", m.getOrDefault("write-behind-idle-ms", "1000")),
                slots,
                positiveInt("dim", m.getOrDefault("dim", "16")),
                zipf,
                Long.parseLong(m.getOrDefault("seed", "7")),
                nonNegativeInt("warmup-examples", m.getOrDefault("warmup-examples", "1500000")),
                Path.of(m.getOrDefault("out", "target/bench-train.md")));
    }

    /** Bytes of {@link #cacheSize}. */
    long cacheBytes() {
        return MemorySize.parse(cacheSize).getBytes();
    }

    /** The options as a command line that reproduces this run. */
    String commandLine() {
        return String.format(
                Locale.ROOT,
                "./freshrank bench-train --parallelism %s --modes %s --ids %s --examples %d"
                        + " --no-cache-examples %d --timeout-s %d --checkpoint-ms %d --batch-size %d --hidden %s"
                        + " --cache-size '%s' --full-every %d --write-behind-idle-ms %d --slots %d"
                        + " --dim %d --zipf %s"
                        + " --seed %d --warmup-examples %d --out %s",
                join(parallelisms),
                String.join(",", modes.stream().map(x -> x.label).toList()),
                join(ids),
                examples,
                noCacheExamples,
                timeoutSeconds,
                checkpointMs,
                batchSize,
                hidden,
                cacheSize,
                fullSnapshotEvery,
                writeBehindIdleMs,
                slots,
                dim,
                zipfExponent,
                seed,
                warmupExamples,
                report);
    }

    private static String join(List<?> xs) {
        return String.join(",", xs.stream().map(String::valueOf).toList());
    }

    private static int nonNegativeInt(String option, String value) {
        return value.trim().equals("0") ? 0 : positiveInt(option, value);
    }

    private static int positiveInt(String option, String value) {
        int v;
        try {
            v = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + option + " must be a positive integer, got '" + value + "'", e);
        }
        if (v < 1) {
            throw new IllegalArgumentException(
                    "--" + option + " must be a positive integer, got " + v);
        }
        return v;
    }
}
