package io.freshrank.deploy.bench;

import io.freshrank.deploy.local.LocalStack;
import io.freshrank.deploy.local.ProgressBar;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.sim.SimulatorConfig;
import io.freshrank.jobs.sim.SimulatorProducer;
import io.freshrank.serving.RankingServer;
import io.freshrank.serving.RankingServerConfig;
import io.freshrank.serving.SwapRecord;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotKind;
import io.freshrank.store.SnapshotManifest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ./freshrank bench-freshness}: how fresh the served model is on the embedded default. Runs
 * simulated traffic through the label join and the training job with checkpoints (and so snapshots)
 * every {@code --checkpoint-ms}, a ranking server polling the store, and reports for every
 * swapped-in version the delay from the newest example it was trained on reaching Kafka to the
 * server serving it (p50/p99), plus snapshot bytes per DELTA and per FULL. Options: {@code
 * --seconds N} (traffic, default 60), {@code --checkpoint-ms N} (default 2000), {@code --poll-ms N}
 * (server poll, default 100), {@code --parallelism P} (default 2), {@code --full-every N} (default
 * 10), {@code --emission-policy POLICY} (join policy; EARLY_POSITIVE makes a click reach the
 * trainer at once instead of at window close), {@code --delivery EXACTLY_ONCE|AT_LEAST_ONCE} (the
 * join's output; exactly-once examples become visible when the join's checkpoint commits).
 */
public final class FreshnessBenchmark {
    private static final PrintStream OUT = System.out;

    private FreshnessBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "60"));
        long checkpointMs = Long.parseLong(o.getOrDefault("checkpoint-ms", "2000"));
        long pollMs = Long.parseLong(o.getOrDefault("poll-ms", "100"));
        int parallelism = Integer.parseInt(o.getOrDefault("parallelism", "2"));
        String fullEvery = o.getOrDefault("full-every", "10");
        Map<String, String> job = new TreeMap<>();
        job.put(FreshrankOptions.FULL_SNAPSHOT_EVERY.key(), fullEvery);
        if (o.containsKey("emission-policy")) {
            job.put(FreshrankOptions.EMISSION_POLICY.key(), o.get("emission-policy"));
        }
        if (o.containsKey("delivery")) {
            job.put(FreshrankOptions.JOIN_DELIVERY.key(), o.get("delivery"));
        }
        String join =
                "join "
                        + job.getOrDefault(
                                FreshrankOptions.EMISSION_POLICY.key(),
                                FreshrankOptions.EMISSION_POLICY.defaultValue())
                        + ", "
                        + job.getOrDefault(
                                FreshrankOptions.JOIN_DELIVERY.key(),
                                FreshrankOptions.JOIN_DELIVERY.defaultValue().name());
        Report r = run(seconds, checkpointMs, pollMs, parallelism, job);
        String table = r.table(seconds, checkpointMs, pollMs, parallelism, fullEvery, join);
        OUT.println();
        OUT.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/bench-freshness.md"), table);
        System.exit(0);
    }

    static Report run(
            int seconds, long checkpointMs, long pollMs, int parallelism, Map<String, String> job)
            throws Exception {
        OUT.printf(
                Locale.ROOT,
                "Freshness benchmark: %d s of traffic, checkpoints every %d ms, server polls every %d ms,"
                        + " parallelism %d%n",
                seconds,
                checkpointMs,
                pollMs,
                parallelism);
        try (LocalStack stack =
                LocalStack.start(
                        new LocalStack.Settings(
                                null, parallelism, Duration.ofMillis(checkpointMs), job))) {
            stack.startJoin();
            stack.startTraining();
            try (RankingServer server =
                            RankingServer.start(
                                    new LocalModelStore(stack.storePath()),
                                    RankingServerConfig.defaults()
                                            .withPort(0)
                                            .withPollInterval(Duration.ofMillis(pollMs)));
                    SimulatorProducer producer =
                            SimulatorProducer.builder()
                                    .bootstrapServers(stack.bootstrapServers())
                                    .simulatorConfig(SimulatorConfig.defaults())
                                    .speedup(20)
                                    .maxDuration(Duration.ofSeconds(seconds))
                                    .build()) {
                Thread traffic = new Thread(producer::run, "simulator");
                traffic.start();
                ProgressBar bar = new ProgressBar(OUT);
                long t0 = System.nanoTime();
                while (traffic.isAlive()) {
                    traffic.join(1000);
                    double elapsed = (System.nanoTime() - t0) / 1e9;
                    var f = server.puller().freshness();
                    bar.update(
                            elapsed / seconds,
                            String.format(
                                    Locale.ROOT,
                                    "events %,d | served v%d | swaps %d | last delay %s ms",
                                    producer.impressionsSent() + producer.actionsSent(),
                                    server.puller().currentVersion(),
                                    server.puller().swapCount(),
                                    f.lastMs().isPresent()
                                            ? Long.toString(f.lastMs().getAsLong())
                                            : "-"));
                }
                bar.done();
                return Report.of(
                        server.puller().swapHistory(), new LocalModelStore(stack.storePath()));
            }
        }
    }

    /** What the run measured. */
    record Report(
            List<Long> delaysMs,
            List<Long> applyMs,
            List<Long> deltaBytes,
            List<Long> fullBytes,
            long deltaRows,
            long deltas,
            long fullRows,
            long fulls) {

        static Report of(List<SwapRecord> swaps, LocalModelStore store) throws IOException {
            List<Long> delays = new ArrayList<>();
            List<Long> apply = new ArrayList<>();
            List<Long> deltaBytes = new ArrayList<>();
            List<Long> fullBytes = new ArrayList<>();
            long deltaRows = 0;
            long deltas = 0;
            long fullRows = 0;
            long fulls = 0;
            // Skip the warm-up: the first swaps carry the ND4J start and the first full load.
            for (SwapRecord s : swaps.subList(Math.min(3, swaps.size()), swaps.size())) {
                if (s.kind() == SwapRecord.Kind.COMPACTION) {
                    continue;
                }
                s.freshnessDelayMs().ifPresent(delays::add);
                apply.add(s.applyMillis());
            }
            for (long v : store.committedVersions()) {
                SnapshotManifest m = store.readManifest(v);
                long rows =
                        m.files().stream()
                                .filter(f -> f.role() == io.freshrank.store.FileRole.ROWS)
                                .mapToLong(io.freshrank.store.FileEntry::records)
                                .sum();
                if (m.kind() == SnapshotKind.DELTA) {
                    deltaBytes.add(m.totalBytes());
                    deltaRows += rows;
                    deltas++;
                } else {
                    fullBytes.add(m.totalBytes());
                    fullRows += rows;
                    fulls++;
                }
            }
            return new Report(
                    delays, apply, deltaBytes, fullBytes, deltaRows, deltas, fullRows, fulls);
        }

        String table(
                int seconds,
                long checkpointMs,
                long pollMs,
                int parallelism,
                String fullEvery,
                String join) {
            StringBuilder b = new StringBuilder();
            b.append(
                    String.format(
                            Locale.ROOT,
                            "Freshness on the embedded default (%d s of simulated traffic at 20x, parallelism %d,"
                                    + " checkpoints every %d ms, FULL every %s, server poll %d ms, %s)%n%n",
                            seconds,
                            parallelism,
                            checkpointMs,
                            fullEvery,
                            pollMs,
                            join));
            b.append("| measure | p50 | p99 | max | samples |\n|---|---|---|---|---|\n");
            b.append(row("example ingest -> served (ms)", delaysMs));
            b.append(row("snapshot apply in server (ms)", applyMs));
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%n| snapshot kind | versions retained | mean bytes | mean rows |%n|---|---|---|---|%n"
                                    + "| DELTA | %d | %,.0f | %,.0f |%n| FULL | %d | %,.0f | %,.0f |%n",
                            deltas,
                            mean(deltaBytes),
                            deltas == 0 ? 0.0 : (double) deltaRows / deltas,
                            fulls,
                            mean(fullBytes),
                            fulls == 0 ? 0.0 : (double) fullRows / fulls));
            return b.toString();
        }

        private static String row(String name, List<Long> xs) {
            if (xs.isEmpty()) {
                return "| " + name + " | - | - | - | 0 |\n";
            }
            List<Long> s = new ArrayList<>(xs);
            Collections.sort(s);
            return String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %d |%n",
                    name,
                    s.get((int) Math.ceil(0.5 * s.size()) - 1),
                    s.get((int) Math.ceil(0.99 * s.size()) - 1),
                    s.get(s.size() - 1),
                    s.size());
        }

        private static double mean(List<Long> xs) {
            return xs.stream().mapToLong(Long::longValue).average().orElse(0);
        }
    }
}
