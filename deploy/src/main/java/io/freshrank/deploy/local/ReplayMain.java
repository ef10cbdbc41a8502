package io.freshrank.deploy.local;

import io.freshrank.features.FeatureSpec;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.replay.CsvReplay;
import io.freshrank.jobs.replay.CsvReplayConfig;
import io.freshrank.jobs.replay.DatasetReplay;
import io.freshrank.jobs.replay.ReplayDataset;
import io.freshrank.jobs.replay.ReplayOptions;
import io.freshrank.jobs.replay.ReplayProducer;
import io.freshrank.jobs.replay.ReplayStats;
import io.freshrank.metrics.MetricsSummary;
import io.freshrank.metrics.ProgressiveEvaluation;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.ListExample;
import io.freshrank.schema.avro.Prediction;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a public click log through the real pipeline on the embedded default and compares what
 * the label join emits with what the file contains:
 *
 * <pre>
 * ReplayMain --dataset mind|openbandit|criteo|avazu|csv --path FILE_OR_DIR [--limit N]
 *            [--compression X] [--train] [--parallelism P] [--checkpoint-ms N] [--window-ms N]
 *            [--click-delay-ms N] [--rows-per-second X] [--timeout-s N] [--work-dir DIR]
 *            [--spec SPEC.json] [--csv.impression-id COL --csv.time COL ...]
 * </pre>
 *
 * <p>A missing path prints {@code skipping: <path> not found} and exits 0 (evaluation scripts run
 * on machines without the data). Otherwise: counts the file ({@link DatasetReplay#expected()}),
 * starts the {@link LocalStack}, writes the whole replay to the impressions and actions topics
 * unpaced, then runs the label join bounded (it reads what is in the topics when it starts, and at
 * the end of its input the watermark jumps to the end, so every attribution window closes and is
 * flushed), counts the examples and their positive labels on the examples topic, the dead letters
 * by reason and the example lists (the join runs with {@code freshrank.join.lists=true}), and
 * prints a table. The attribution window is {@code --window-ms}, or by default the larger of 10 s
 * and twice the longest replayed action delay (the synthetic click delay after compression), so
 * every click in the file can be attributed. The exit code is 0 when every shown item came out as
 * exactly one example with the file's label, 1 otherwise.
 *
 * <p>{@code --train} also runs the training job on the dataset's spec (written from the classpath
 * resource to a temp file, since {@code freshrank.feature-spec} takes a path; {@code --spec} for a
 * CSV) and reports the progressive AUC over the last 20% of the examples in event-time order (every
 * prediction is made before the model learns from that example).
 *
 * <p>{@code --parallelism} defaults to 2, the partition count of the topics: each source subtask
 * then reads one partition in event-time order. With fewer subtasks than partitions one subtask
 * interleaves partitions and can run ahead of the watermark bound, which makes late actions.
 *
 * <p>CSV columns are given as {@code --csv.<key> value} with the keys of {@link
 * CsvReplayConfig#fromKeys}.
 */
public final class ReplayMain {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayMain.class);

    /** Exit code when the join's output differs from the file. */
    static final int MISMATCH = 1;

    private static final String USAGE =
            "usage: ReplayMain --dataset mind|openbandit|criteo|avazu|csv --path FILE_OR_DIR"
                    + " [--limit N] [--compression X] [--train] [--parallelism P]"
                    + " [--checkpoint-ms N] [--window-ms N] [--click-delay-ms N]"
                    + " [--rows-per-second X] [--timeout-s N] [--work-dir DIR] [--spec FILE]"
                    + " [--csv.KEY VALUE ...]";

    private ReplayMain() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Report report = run(options, System.out);
        // Flink and RocksDB leave non-daemon threads behind: exit explicitly.
        System.exit(report.exitCode());
    }

    /**
     * What the command line says.
     *
     * @param dataset a {@link ReplayDataset} name or {@code csv}
     * @param path the dataset file or directory
     * @param replay limit, compression, click delay, synthetic rate
     * @param train whether to run the training job too
     * @param parallelism parallelism of both jobs
     * @param checkpointInterval checkpoint interval of both jobs
     * @param window attribution window, or null for the default (see the class doc)
     * @param timeout how long to wait for each of the join and the training
     * @param workDir stack work directory kept after the run, or null for a temp dir
     * @param spec feature spec file for training, or null for the dataset's built-in spec
     * @param csv {@code --csv.*} settings (without the prefix)
     */
    record Options(
            String dataset,
            Path path,
            ReplayOptions replay,
            boolean train,
            int parallelism,
            Duration checkpointInterval,
            Duration window,
            Duration timeout,
            Path workDir,
            Path spec,
            Map<String, String> csv) {

        static Options parse(String[] args) {
            Map<String, String> m = new HashMap<>();
            Map<String, String> csv = new TreeMap<>();
            boolean train = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--train")) {
                    train = true;
                    continue;
                }
                if (!a.startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --option value; got '" + a + "'");
                }
                String key = a.substring(2);
                String value = args[++i];
                if (key.startsWith("csv.")) {
                    csv.put(key.substring(4), value);
                } else if (!KNOWN.contains(key)) {
                    throw new IllegalArgumentException("unknown option --" + key);
                } else {
                    m.put(key, value);
                }
            }
            if (!m.containsKey("dataset") || !m.containsKey("path")) {
                throw new IllegalArgumentException("--dataset and --path are required");
            }
            // validate names and CSV columns now, with the usage, rather than after starting
            if (m.get("dataset").equalsIgnoreCase("csv")) {
                CsvReplayConfig.fromKeys(csv);
            } else {
                ReplayDataset.fromName(m.get("dataset"));
                if (!csv.isEmpty()) {
                    throw new IllegalArgumentException("--csv.* settings need --dataset csv");
                }
            }
            ReplayOptions replay = ReplayOptions.defaults();
            if (m.containsKey("limit")) {
                replay = replay.withLimit(Long.parseLong(m.get("limit")));
            }
            if (m.containsKey("compression")) {
                replay = replay.withCompression(Double.parseDouble(m.get("compression")));
            }
            if (m.containsKey("click-delay-ms")) {
                replay = replay.withClickDelayMs(Long.parseLong(m.get("click-delay-ms")));
            }
            if (m.containsKey("rows-per-second")) {
                replay =
                        replay.withSyntheticRowsPerSecond(
                                Double.parseDouble(m.get("rows-per-second")));
            }
            int parallelism = Integer.parseInt(m.getOrDefault("parallelism", "2"));
            if (parallelism < 1) {
                throw new IllegalArgumentException("--parallelism must be >= 1");
            }
            return new Options(
                    m.get("dataset"),
                    Path.of(m.get("path")),
                    replay,
                    train,
                    parallelism,
                    Duration.ofMillis(Long.parseLong(m.getOrDefault("checkpoint-ms", "2000"))),
                    m.containsKey("window-ms")
                            ? Duration.ofMillis(Long.parseLong(m.get("window-ms")))
                            : null,
                    Duration.ofSeconds(Long.parseLong(m.getOrDefault("timeout-s", "900"))),
                    m.containsKey("work-dir") ? Path.of(m.get("work-dir")) : null,
                    m.containsKey("spec") ? Path.of(m.get("spec")) : null,
                    csv);
        }

        private static final Set<String> KNOWN =
                Set.of(
                        "dataset",
                        "path",
                        "limit",
                        "compression",
                        "parallelism",
                        "checkpoint-ms",
                        "window-ms",
                        "click-delay-ms",
                        "rows-per-second",
                        "timeout-s",
                        "work-dir",
                        "spec");
    }

    /**
     * The outcome of a run.
     *
     * @param dataset dataset name
     * @param skipped true when the path did not exist (nothing ran)
     * @param expected what the file contains (null when skipped)
     * @param window the attribution window used
     * @param examples example records on the examples topic
     * @param distinctExamples distinct example ids among them
     * @param positives examples with a label set to 1, by label name
     * @param deadLetters dead letters by reason
     * @param joinFinished whether the bounded join finished within the timeout
     * @param training progressive-validation metrics over the last 20% (null without --train)
     * @param predictions predictions received (0 without --train)
     * @param lists the example lists (the join runs with {@code freshrank.join.lists=true})
     */
    record Report(
            String dataset,
            boolean skipped,
            ReplayStats expected,
            Duration window,
            long examples,
            long distinctExamples,
            Map<String, Long> positives,
            Map<String, Long> deadLetters,
            boolean joinFinished,
            MetricsSummary training,
            long predictions,
            ListCounts lists) {

        static Report skipped(String dataset) {
            return new Report(
                    dataset,
                    true,
                    null,
                    null,
                    0,
                    0,
                    Map.of(),
                    Map.of(),
                    false,
                    null,
                    0,
                    new ListCounts(0, 0, 0, 0, 0));
        }

        long positiveClicks() {
            return positives.getOrDefault(ReplayStats.CLICK, 0L);
        }

        /** Whether every impression became exactly one example with the file's labels. */
        boolean matches() {
            return skipped
                    || (joinFinished
                            && examples == expected.impressions()
                            && distinctExamples == expected.impressions()
                            && positives.equals(expected.positives()));
        }

        int exitCode() {
            return matches() ? 0 : MISMATCH;
        }
    }

    /**
     * What the {@code example-lists} topic held.
     *
     * @param lists list records
     * @param requests distinct request ids among them
     * @param candidates candidates in all lists
     * @param overflow examples left out of lists over the maximum list size
     * @param largest candidates in the largest list
     */
    record ListCounts(long lists, long requests, long candidates, long overflow, long largest) {}

    static Report run(Options o, PrintStream out) throws Exception {
        if (!Files.exists(o.path())) {
            out.println("skipping: " + o.path() + " not found");
            return Report.skipped(o.dataset());
        }
        long t0 = System.nanoTime();
        DatasetReplay replay = open(o);
        ReplayStats expected = replay.expected();
        out.printf(
                Locale.ROOT,
                "Replaying %s from %s%n  file: %s%n",
                replay.name(),
                o.path(),
                expected);
        Duration window = o.window() != null ? o.window() : defaultWindow(expected);

        Map<String, String> job = new HashMap<>();
        job.put(FreshrankOptions.ATTRIBUTION_WINDOW.key(), window.toMillis() + " ms");
        // one list per replayed request, counted in the report
        job.put(FreshrankOptions.JOIN_LISTS.key(), "true");
        Path specFile = null;
        try {
            if (o.train()) {
                specFile = specFile(o, replay);
                job.put(FreshrankOptions.FEATURE_SPEC.key(), specFile.toString());
                job.put(FreshrankOptions.BATCH_TIMEOUT.key(), "100 ms");
            }
            LocalStack.Settings settings =
                    new LocalStack.Settings(
                            o.workDir(), o.parallelism(), o.checkpointInterval(), job);
            try (LocalStack stack = LocalStack.start(settings);
                    Outputs outputs = new Outputs(stack.bootstrapServers(), o.train())) {
                out.printf(
                        Locale.ROOT,
                        "  stack up in %.1f s: Kafka %s, Flink %s, parallelism %d, attribution"
                                + " window %d ms, compression %s%n",
                        (System.nanoTime() - t0) / 1e9,
                        stack.bootstrapServers(),
                        stack.cluster().webUrl(),
                        o.parallelism(),
                        window.toMillis(),
                        o.replay().compression());
                if (o.train()) {
                    // unbounded, it trains on examples as they appear; starting it first overlaps
                    // its deployment (and ND4J's first load) with producing
                    stack.startTraining();
                }
                produce(replay, expected, stack.bootstrapServers(), out);

                // Bounded: reads what the topics hold now, i.e. the whole replay.
                Configuration joinConf = stack.jobConfiguration();
                joinConf.set(FreshrankOptions.BOUNDED, true);
                JobID join = stack.startJoin(joinConf);
                long joinStart = System.nanoTime();
                boolean finished =
                        awaitJoin(stack, join, outputs, expected.impressions(), o.timeout(), out);
                out.printf(
                        Locale.ROOT,
                        "  label join %s after %.1f s%n",
                        finished ? "finished" : "stopped waiting",
                        (System.nanoTime() - joinStart) / 1e9);
                if (finished) {
                    long end =
                            endOffsets(
                                    stack.bootstrapServers(),
                                    topic(FreshrankOptions.TOPIC_EXAMPLES));
                    awaitCount("examples", outputs.examples::get, end, Duration.ofSeconds(60));
                    long dead =
                            endOffsets(
                                    stack.bootstrapServers(),
                                    topic(FreshrankOptions.TOPIC_DEAD_LETTERS));
                    awaitCount(
                            "dead letters",
                            outputs.deadLetterCount::get,
                            dead,
                            Duration.ofSeconds(60));
                    long lists =
                            endOffsets(
                                    stack.bootstrapServers(),
                                    topic(FreshrankOptions.TOPIC_EXAMPLE_LISTS));
                    awaitCount("lists", outputs.lists::get, lists, Duration.ofSeconds(60));
                }
                MetricsSummary training = null;
                long predictions = 0;
                if (o.train()) {
                    long target = outputs.exampleIds.size();
                    awaitTraining(outputs, target, o.timeout(), out);
                    ProgressiveEvaluation eval = outputs.evaluation();
                    predictions = eval.count();
                    training = eval.count() == 0 ? null : eval.summaryOfLast(0.2);
                }
                Report report =
                        new Report(
                                replay.name(),
                                false,
                                expected,
                                window,
                                outputs.examples.get(),
                                outputs.exampleIds.size(),
                                outputs.positives(),
                                outputs.deadLetters(),
                                finished,
                                training,
                                predictions,
                                outputs.listCounts());
                print(report, o, out, (System.nanoTime() - t0) / 1e9);
                return report;
            }
        } finally {
            if (specFile != null && o.spec() == null) {
                Files.deleteIfExists(specFile);
            }
        }
    }

    private static DatasetReplay open(Options o) {
        if (o.dataset().equalsIgnoreCase("csv")) {
            return CsvReplay.open(o.path(), CsvReplayConfig.fromKeys(o.csv()), o.replay());
        }
        return ReplayDataset.fromName(o.dataset()).open(o.path(), o.replay());
    }

    /** At least 10 s, and twice the longest replayed action delay (rounded up to a second). */
    static Duration defaultWindow(ReplayStats expected) {
        long twice = 2 * expected.maxActionDelayMs();
        long seconds = Math.max(10, (twice + 999) / 1000);
        return Duration.ofSeconds(seconds);
    }

    /** The spec the trainer reads: --spec, or the dataset's resource written to a temp file. */
    private static Path specFile(Options o, DatasetReplay replay) throws IOException {
        if (o.spec() != null) {
            FeatureSpec.load(o.spec()); // fail now, naming the file, rather than in the job
            return o.spec();
        }
        String resource = replay.specResource();
        if (resource == null) {
            throw new IllegalArgumentException(
                    "--train on a " + replay.name() + " replay needs --spec SPEC.json");
        }
        FeatureSpec.fromResource(resource);
        Path file = Files.createTempFile("freshrank-" + replay.name() + "-", ".spec.json");
        try (InputStream in = ReplayMain.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("spec resource " + resource + " vanished");
            }
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    private static void produce(
            DatasetReplay replay, ReplayStats expected, String bootstrap, PrintStream out)
            throws InterruptedException {
        long total = expected.impressions() + expected.totalActions();
        try (ReplayProducer producer =
                ReplayProducer.builder().bootstrapServers(bootstrap).build()) {
            ReplayProducer.RunSummary[] summary = new ReplayProducer.RunSummary[1];
            RuntimeException[] failure = new RuntimeException[1];
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    summary[0] = producer.run(replay);
                                } catch (RuntimeException e) {
                                    failure[0] = e;
                                }
                            },
                            "replay-producer");
            t.start();
            ProgressBar bar = new ProgressBar(out);
            while (t.isAlive()) {
                t.join(500);
                long sent = producer.impressionsSent() + producer.actionsSent();
                bar.update(
                        total == 0 ? 1 : sent / (double) total,
                        String.format(Locale.ROOT, "producing: %,d of %,d events", sent, total));
            }
            bar.done();
            if (failure[0] != null) {
                throw failure[0];
            }
            ReplayProducer.RunSummary s = summary[0];
            if (s.failed() > 0) {
                throw new IllegalStateException(
                        s.failed() + " records could not be written to Kafka; see the log");
            }
            out.printf(
                    Locale.ROOT,
                    "  produced %,d impressions + %,d actions in %.1f s%n",
                    s.impressionsSent(),
                    s.actionsSent(),
                    s.wallTime().toMillis() / 1e3);
        }
    }

    private static boolean awaitJoin(
            LocalStack stack,
            JobID join,
            Outputs outputs,
            long impressions,
            Duration timeout,
            PrintStream out)
            throws Exception {
        ProgressBar bar = new ProgressBar(out);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus status = stack.cluster().status(join);
            long ex = outputs.examples.get();
            // the bar reaches 100% only when the job has finished
            double fraction = impressions == 0 ? 0 : ex / (double) impressions;
            bar.update(
                    status == JobStatus.FINISHED ? 1 : Math.min(0.99, fraction),
                    String.format(
                            Locale.ROOT,
                            "label join %s: %,d of %,d examples",
                            status,
                            ex,
                            impressions));
            if (status == JobStatus.FINISHED) {
                bar.done();
                return true;
            }
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                bar.done();
                out.println("  label join did not finish: " + status);
                return false;
            }
            Thread.sleep(500);
        }
    }

    private static void awaitTraining(
            Outputs outputs, long target, Duration timeout, PrintStream out)
            throws InterruptedException {
        ProgressBar bar = new ProgressBar(out);
        long deadline = System.nanoTime() + timeout.toNanos();
        long n;
        while ((n = outputs.predictionCount.get()) < target && System.nanoTime() < deadline) {
            bar.update(
                    Math.min(0.99, n / (double) target),
                    String.format(Locale.ROOT, "training: %,d of %,d examples scored", n, target));
            Thread.sleep(500);
        }
        bar.update(
                1, String.format(Locale.ROOT, "training: %,d of %,d examples scored", n, target));
        bar.done();
    }

    /**
     * Waits until {@code count} reaches {@code target} or stops growing for 2 s. The target is the
     * topic's end offsets, an upper bound: with exactly-once sinks every committed transaction also
     * leaves a commit marker that takes an offset but is no record.
     */
    private static void awaitCount(String what, LongSupplier count, long target, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long stableSince = System.nanoTime();
        while (count.getAsLong() < target) {
            long now = System.nanoTime();
            long c = count.getAsLong();
            if (c != last) {
                last = c;
                stableSince = now;
            } else if (now - stableSince > 2_000_000_000L) {
                return;
            }
            if (now > deadline) {
                LOG.warn("read {} of {} {} records", c, target, what);
                return;
            }
            Thread.sleep(100);
        }
    }

    /** The sum of {@code topic}'s end offsets: its records, plus transaction markers if any. */
    static long endOffsets(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static String topic(org.apache.flink.configuration.ConfigOption<String> option) {
        return option.defaultValue();
    }

    private static void print(Report r, Options o, PrintStream out, double wallSeconds) {
        ReplayStats e = r.expected();
        out.println();
        String format = "%-11s %14s %14s %12s %16s  %s%n";
        out.printf(
                Locale.ROOT,
                format,
                "dataset",
                "impressions",
                "examples out",
                "clicks",
                "positives out",
                "dead letters by reason");
        out.printf(Locale.ROOT, format, "", "(in file)", "", "(in file)", "(click = 1)", "");
        out.printf(
                Locale.ROOT,
                format,
                r.dataset(),
                String.format(Locale.ROOT, "%,d", e.impressions()),
                String.format(Locale.ROOT, "%,d", r.examples()),
                String.format(Locale.ROOT, "%,d", e.clickedImpressions()),
                String.format(Locale.ROOT, "%,d", r.positiveClicks()),
                r.deadLetters().isEmpty() ? "none" : new TreeMap<>(r.deadLetters()).toString());
        out.println();
        out.printf(
                Locale.ROOT,
                "  requests %,d; distinct examples %,d; labels in file %s, in examples %s%n",
                e.requests(),
                r.distinctExamples(),
                new TreeMap<>(e.positives()),
                new TreeMap<>(r.positives()));
        out.printf(
                Locale.ROOT,
                "  rows skipped %s; out-of-order requests %d; replayed time %d .. %d (%s);"
                        + " window %d ms%n",
                new TreeMap<>(e.skippedRows()),
                e.outOfOrderRequests(),
                e.firstEventTimeMs(),
                e.lastEventTimeMs(),
                Duration.ofMillis(Math.max(0, e.lastEventTimeMs() - e.firstEventTimeMs())),
                r.window().toMillis());
        ListCounts l = r.lists();
        out.printf(
                Locale.ROOT,
                "  lists %,d of %,d requests (%,d in file); %,d candidates, %,d over the maximum"
                        + " list size; largest %,d%n",
                l.lists(),
                l.requests(),
                e.requests(),
                l.candidates(),
                l.overflow(),
                l.largest());
        if (o.train()) {
            MetricsSummary t = r.training();
            out.printf(
                    Locale.ROOT,
                    "  training: %,d examples scored; last 20%%: %s%n",
                    r.predictions(),
                    t == null ? "no predictions" : t.toString());
        }
        out.printf(
                Locale.ROOT,
                "  %s (%.0f s)%n",
                r.matches()
                        ? "OK: every shown item became one example with the file's labels"
                        : "MISMATCH: the join's output differs from the file",
                wallSeconds);
    }

    /** Follows the examples, dead letters and (with training) predictions topics. */
    private static final class Outputs implements AutoCloseable {
        final AtomicLong examples = new AtomicLong();
        final Set<String> exampleIds = ConcurrentHashMap.newKeySet();
        final AtomicLong deadLetterCount = new AtomicLong();
        final AtomicLong predictionCount = new AtomicLong();
        final AtomicLong lists = new AtomicLong();
        private final Set<String> listRequests = ConcurrentHashMap.newKeySet();
        private final AtomicLong listCandidates = new AtomicLong();
        private final AtomicLong listOverflow = new AtomicLong();
        private final AtomicLong largestList = new AtomicLong();
        private final Map<String, AtomicLong> positives = new ConcurrentHashMap<>();
        private final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();

        /** By example id: a prediction delivered twice (at-least-once) counts once. */
        private final Map<String, Prediction> predictions = new ConcurrentHashMap<>();

        private final List<TopicTail> tails = new ArrayList<>();

        Outputs(String bootstrap, boolean train) {
            EventCodec<LabeledExample> ec = EventCodec.of(LabeledExample.class);
            tails.add(
                    new TopicTail(
                            bootstrap,
                            topic(FreshrankOptions.TOPIC_EXAMPLES),
                            r -> {
                                DecodeResult<LabeledExample> d = ec.decode(r.value());
                                if (!d.isValid()) {
                                    count(deadLetters, "UNREADABLE_EXAMPLE");
                                    return;
                                }
                                LabeledExample ex = d.value();
                                exampleIds.add(ex.getExampleId());
                                ex.getLabels()
                                        .forEach(
                                                (label, v) -> {
                                                    if (v != null && v > 0f) {
                                                        count(positives, label);
                                                    }
                                                });
                                examples.incrementAndGet();
                            }));
            EventCodec<DeadLetter> dc = EventCodec.of(DeadLetter.class);
            tails.add(
                    new TopicTail(
                            bootstrap,
                            topic(FreshrankOptions.TOPIC_DEAD_LETTERS),
                            r -> {
                                DecodeResult<DeadLetter> d = dc.decode(r.value());
                                count(
                                        deadLetters,
                                        d.isValid() ? d.value().getReason() : "UNREADABLE");
                                deadLetterCount.incrementAndGet();
                            }));
            EventCodec<ListExample> lc = EventCodec.of(ListExample.class);
            tails.add(
                    new TopicTail(
                            bootstrap,
                            topic(FreshrankOptions.TOPIC_EXAMPLE_LISTS),
                            r -> {
                                DecodeResult<ListExample> d = lc.decode(r.value());
                                if (!d.isValid()) {
                                    count(deadLetters, "UNREADABLE_LIST");
                                    return;
                                }
                                ListExample list = d.value();
                                listRequests.add(list.getRequestId());
                                listCandidates.addAndGet(list.getCandidates().size());
                                listOverflow.addAndGet(list.getOverflowCount());
                                largestList.accumulateAndGet(
                                        list.getCandidates().size(), Math::max);
                                lists.incrementAndGet();
                            }));
            if (train) {
                EventCodec<Prediction> pc = EventCodec.of(Prediction.class);
                tails.add(
                        new TopicTail(
                                bootstrap,
                                topic(FreshrankOptions.TOPIC_PREDICTIONS),
                                r -> {
                                    DecodeResult<Prediction> d = pc.decode(r.value());
                                    if (d.isValid()
                                            && predictions.putIfAbsent(
                                                            d.value().getExampleId(), d.value())
                                                    == null) {
                                        predictionCount.incrementAndGet();
                                    }
                                }));
            }
        }

        private static void count(Map<String, AtomicLong> m, String key) {
            m.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        }

        Map<String, Long> positives() {
            return snapshot(positives);
        }

        ListCounts listCounts() {
            return new ListCounts(
                    lists.get(),
                    listRequests.size(),
                    listCandidates.get(),
                    listOverflow.get(),
                    largestList.get());
        }

        Map<String, Long> deadLetters() {
            return snapshot(deadLetters);
        }

        private static Map<String, Long> snapshot(Map<String, AtomicLong> m) {
            Map<String, Long> out = new LinkedHashMap<>();
            new TreeMap<>(m).forEach((k, v) -> out.put(k, v.get()));
            return out;
        }

        /**
         * Progressive evaluation over the predictions in event-time order (impression time, then
         * training time): the last 20% are the latest traffic, scored by a model trained on
         * everything before it.
         */
        ProgressiveEvaluation evaluation() {
            List<Prediction> sorted = new ArrayList<>(predictions.values());
            sorted.sort(
                    Comparator.comparingLong(Prediction::getImpressionTimeMs)
                            .thenComparingLong(Prediction::getTrainedAtMs));
            ProgressiveEvaluation eval = new ProgressiveEvaluation();
            for (Prediction p : sorted) {
                if (!p.getHoldout()) {
                    eval.add(p.getScore(), p.getLabel());
                }
            }
            return eval;
        }

        @Override
        public void close() {
            tails.forEach(TopicTail::close);
        }
    }
}
