package io.freshrank.deploy.local;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.sim.SimulatorConfig;
import io.freshrank.jobs.sim.SimulatorProducer;
import io.freshrank.metrics.ProgressiveEvaluation;
import io.freshrank.metrics.RollingMetrics;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.Prediction;
import io.freshrank.serving.RankingServer;
import io.freshrank.serving.RankingServerConfig;
import io.freshrank.store.LocalModelStore;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./freshrank demo}: runs the whole system on the embedded default and prints what happened.
 * Starts the {@link LocalStack} (Kafka, Flink, model store), the label-join and training jobs, a
 * ranking server pulling the published snapshots, and the traffic simulator; shows a progress bar;
 * prints a summary and one ranking answered by the server over HTTP; stops everything it started.
 *
 * <p>Options: {@code --seconds N} (traffic duration, default 150), {@code --speedup X} (event time
 * per wall second, default 20), {@code --parallelism P} (default 2), {@code --checkpoint-ms N}
 * (default 2000), {@code --work-dir D} (keep everything there instead of a temp dir that is
 * deleted), {@code --seed N}.
 */
public final class DemoMain {
    private static final Logger LOG = LoggerFactory.getLogger(DemoMain.class);
    private static final PrintStream OUT = System.out;

    private DemoMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "150"));
        double speedup = Double.parseDouble(opts.getOrDefault("speedup", "20"));
        int parallelism = Integer.parseInt(opts.getOrDefault("parallelism", "2"));
        long checkpointMs = Long.parseLong(opts.getOrDefault("checkpoint-ms", "2000"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "7"));
        Path workDir = opts.containsKey("work-dir") ? Path.of(opts.get("work-dir")) : null;
        int code = run(seconds, speedup, parallelism, checkpointMs, seed, workDir);
        System.exit(code);
    }

    static int run(
            int seconds,
            double speedup,
            int parallelism,
            long checkpointMs,
            long seed,
            Path workDir)
            throws Exception {
        OUT.printf(
                Locale.ROOT,
                "Freshrank demo: %d s of simulated traffic at %.0fx event time, parallelism %d,"
                        + " checkpoints every %d ms%n",
                seconds,
                speedup,
                parallelism,
                checkpointMs);
        long t0 = System.nanoTime();
        LocalStack.Settings settings =
                new LocalStack.Settings(
                        workDir, parallelism, Duration.ofMillis(checkpointMs), Map.of());
        try (LocalStack stack = LocalStack.start(settings)) {
            OUT.printf(
                    Locale.ROOT,
                    "  Kafka broker (KRaft, pid %d) at %s; Flink MiniCluster (RocksDB) web UI %s%n",
                    stack.broker().pid(),
                    stack.bootstrapServers(),
                    stack.cluster().webUrl());
            stack.startJoin();
            stack.startTraining();
            try (RankingServer server =
                            RankingServer.start(
                                    new LocalModelStore(stack.storePath()),
                                    RankingServerConfig.defaults()
                                            .withPort(0)
                                            .withPollInterval(Duration.ofMillis(500)));
                    Watch watch = new Watch(stack.bootstrapServers())) {
                OUT.printf(
                        Locale.ROOT,
                        "  ranking server at %s, model store %s%n",
                        server.uri(),
                        stack.storePath());
                SimulatorConfig simConfig = SimulatorConfig.defaults().withSeed(seed);
                try (SimulatorProducer producer =
                        SimulatorProducer.builder()
                                .bootstrapServers(stack.bootstrapServers())
                                .simulatorConfig(simConfig)
                                .speedup(speedup)
                                .maxDuration(Duration.ofSeconds(seconds))
                                .build()) {
                    plantBadRecords(producer, simConfig);
                    Thread traffic = new Thread(producer::run, "simulator");
                    traffic.start();
                    ProgressBar bar = new ProgressBar(OUT);
                    long trafficStart = System.nanoTime();
                    while (traffic.isAlive()) {
                        traffic.join(1000);
                        double elapsed = (System.nanoTime() - trafficStart) / 1e9;
                        bar.update(elapsed / seconds, watch.status(producer, server, elapsed));
                    }
                    bar.update(1, watch.status(producer, server, seconds));
                    bar.done();
                    OUT.println("  traffic stopped; letting the pipeline drain ...");
                    watch.awaitQuiet(Duration.ofSeconds(20));
                    printSummary(producer, watch, server, stack, t0);
                    printExampleRanking(server, simConfig);
                }
            }
        }
        OUT.printf(
                Locale.ROOT,
                "Stopped Kafka, Flink and the ranking server; total %.0f s.%n",
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** Three undecodable impressions and one action for an impression that never exists. */
    private static void plantBadRecords(SimulatorProducer producer, SimulatorConfig sim) {
        for (int i = 0; i < 3; i++) {
            producer.sendRaw(
                    FreshrankOptions.TOPIC_IMPRESSIONS.defaultValue(),
                    null,
                    ("not an event " + i).getBytes(StandardCharsets.UTF_8));
        }
        Action orphan =
                Action.newBuilder()
                        .setActionId("orphan-action-1")
                        .setImpressionId("never-shown")
                        .setType(ActionType.CLICK)
                        .setEventTimeMs(sim.startTimeMs())
                        .setValue(1f)
                        .build();
        producer.sendRaw(
                FreshrankOptions.TOPIC_ACTIONS.defaultValue(),
                null,
                EventCodec.of(Action.class).encode(orphan));
    }

    private static void printSummary(
            SimulatorProducer producer,
            Watch watch,
            RankingServer server,
            LocalStack stack,
            long t0)
            throws Exception {
        ProgressiveEvaluation eval = watch.evaluation();
        long examples = watch.examples.get();
        long impressions = producer.impressionsSent();
        LocalModelStore store = new LocalModelStore(stack.storePath());
        int retained = store.committedVersions().size();
        long latest = store.readLatestVersion().orElse(-1);
        OUT.println();
        OUT.println("Summary");
        OUT.printf(
                Locale.ROOT,
                "  events in          %,d impressions + %,d actions (+ %d planted bad records)%n",
                impressions,
                producer.actionsSent(),
                4);
        OUT.printf(
                Locale.ROOT,
                "  examples out       %,d labelled examples (%,d impressions still inside their attribution"
                        + " window)%n",
                examples,
                Math.max(0, impressions - examples));
        OUT.printf(
                Locale.ROOT,
                "  dead letters       %,d %s%n",
                watch.deadLetterTotal(),
                watch.deadLetterReasons());
        OUT.printf(
                Locale.ROOT, "  trained examples   %,d (progressive validation)%n", eval.count());
        double auc = eval.aucOfLast(0.2);
        double oracle = eval.oracleAucOfLast(0.2);
        OUT.printf(
                Locale.ROOT,
                "  progressive AUC    %.4f over the last 20%% of examples; oracle AUC %.4f (gap %.4f)%n",
                auc,
                oracle,
                oracle - auc);
        OUT.printf(
                Locale.ROOT,
                "  snapshots          latest version %d (%d retained); server swapped %d times, serving"
                        + " version %d%n",
                latest,
                retained,
                server.puller().swapCount(),
                server.puller().currentVersion());
        OUT.printf(Locale.ROOT, "  wall time          %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static void printExampleRanking(RankingServer server, SimulatorConfig sim)
            throws Exception {
        StringBuilder body = new StringBuilder();
        body.append("{\"context\":{\"categorical\":{\"user_id\":\"u17\",\"user_segment\":\"s3\",")
                .append("\"device\":\"d0\",\"position\":\"0\"}},\"candidates\":[");
        for (int i = 0; i < 10; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"id\":\"item-")
                    .append(i * 7)
                    .append("\",\"categorical\":{\"item_id\":\"i")
                    .append(i * 7)
                    .append("\",\"item_category\":\"c")
                    .append((i * 7) % sim.itemCategories())
                    .append("\"}}");
        }
        body.append("],\"topK\":5}");
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> resp =
                client.send(
                        HttpRequest.newBuilder(server.uri().resolve("/rank"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        OUT.println();
        OUT.println(
                "Example ranking: POST "
                        + server.uri().resolve("/rank")
                        + " (10 candidates, top 5)");
        OUT.println("  HTTP " + resp.statusCode() + " " + resp.body());
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "usage: demo [--seconds N] [--speedup X] [--parallelism P] [--checkpoint-ms N]"
                                + " [--work-dir DIR] [--seed N]; got '"
                                + args[i]
                                + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    /**
     * Follows the output topics: examples (count), predictions (metrics), dead letters (by reason).
     */
    static final class Watch implements AutoCloseable {
        final AtomicLong examples = new AtomicLong();
        private final ProgressiveEvaluation evaluation = new ProgressiveEvaluation();
        private final RollingMetrics rolling = new RollingMetrics(20_000);
        private final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();
        private final TopicTail examplesTail;
        private final TopicTail predictionsTail;
        private final TopicTail deadLettersTail;
        private long lastExamples;
        private long lastPredictions;
        private long lastNanos = System.nanoTime();

        Watch(String bootstrap) {
            examplesTail =
                    new TopicTail(
                            bootstrap,
                            FreshrankOptions.TOPIC_EXAMPLES.defaultValue(),
                            r -> examples.incrementAndGet());
            EventCodec<Prediction> pc = EventCodec.of(Prediction.class);
            predictionsTail =
                    new TopicTail(
                            bootstrap,
                            FreshrankOptions.TOPIC_PREDICTIONS.defaultValue(),
                            r -> {
                                var d = pc.decode(r.value());
                                if (d.isValid()) {
                                    Prediction p = d.value();
                                    double oracle =
                                            p.getOracleProbability() == null
                                                    ? Double.NaN
                                                    : p.getOracleProbability();
                                    synchronized (this) {
                                        evaluation.add(p.getScore(), p.getLabel(), oracle);
                                        rolling.add(p.getScore(), p.getLabel(), oracle);
                                    }
                                }
                            });
            EventCodec<DeadLetter> dc = EventCodec.of(DeadLetter.class);
            deadLettersTail =
                    new TopicTail(
                            bootstrap,
                            FreshrankOptions.TOPIC_DEAD_LETTERS.defaultValue(),
                            r -> {
                                var d = dc.decode(r.value());
                                String reason = d.isValid() ? d.value().getReason() : "UNREADABLE";
                                deadLetters
                                        .computeIfAbsent(reason, k -> new AtomicLong())
                                        .incrementAndGet();
                            });
        }

        synchronized ProgressiveEvaluation evaluation() {
            return evaluation;
        }

        long deadLetterTotal() {
            return deadLetters.values().stream().mapToLong(AtomicLong::get).sum();
        }

        String deadLetterReasons() {
            Map<String, Long> m = new TreeMap<>();
            deadLetters.forEach((k, v) -> m.put(k, v.get()));
            return m.toString();
        }

        synchronized String status(
                SimulatorProducer producer, RankingServer server, double elapsed) {
            long now = System.nanoTime();
            double dt = Math.max(1e-3, (now - lastNanos) / 1e9);
            long ex = examples.get();
            long pr = evaluation.count();
            double exRate = (ex - lastExamples) / dt;
            double prRate = (pr - lastPredictions) / dt;
            lastExamples = ex;
            lastPredictions = pr;
            lastNanos = now;
            long events = producer.impressionsSent() + producer.actionsSent();
            return String.format(
                    Locale.ROOT,
                    "events %,d (%,.0f/s) | examples %,d (%,.0f/s) | trained %,d (%,.0f/s) | AUC %.3f"
                            + " (oracle %.3f) | model v%d",
                    events,
                    events / Math.max(1, elapsed),
                    ex,
                    exRate,
                    pr,
                    prRate,
                    rolling.count() < 100 ? Double.NaN : rolling.auc(),
                    rolling.count() < 100 ? Double.NaN : rolling.oracleAuc(),
                    server.puller().currentVersion());
        }

        /** Waits until the trained count stops moving (or the timeout). */
        void awaitQuiet(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long last = -1;
            while (System.nanoTime() < deadline) {
                long now;
                synchronized (this) {
                    now = evaluation.count();
                }
                if (now == last && now >= examples.get()) {
                    return;
                }
                last = now;
                Thread.sleep(2000);
            }
            LOG.info("pipeline still busy after {}; summarising what has arrived", timeout);
        }

        @Override
        public void close() {
            examplesTail.close();
            predictionsTail.close();
            deadLettersTail.close();
        }
    }
}
