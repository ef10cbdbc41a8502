package io.freshrank.deploy.bench;

import io.freshrank.deploy.local.LocalStack;
import io.freshrank.deploy.local.ProgressBar;
import io.freshrank.deploy.local.TopicTail;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Prediction;
import io.freshrank.store.LoadedModel;
import io.freshrank.store.LocalModelStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.CheckpointType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cell of the benchmark matrix on its own fresh {@link LocalStack}: fills the examples topic,
 * starts the training job with a bounded examples source, follows the predictions topic until every
 * example was trained (or the time limit), then measures the state (after one more checkpoint, so
 * RocksDB has flushed its memtables and a snapshot has been published) and stops everything.
 *
 * <p>Throughput is taken from the predictions' {@code trainedAtMs} (the trainer's wall clock):
 * examples between the 10% and the last prediction, by count, divided by the time between them.
 * Skipping the first 10% leaves out job start-up, JIT warm-up and the first snapshot.
 */
final class TrainRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrainRun.class);
    private static final String PREDICTIONS = FreshrankOptions.TOPIC_PREDICTIONS.defaultValue();
    private static final List<String> SHARD_METRICS =
            List.of(
                    "cacheHitRate",
                    "rowStoreReads",
                    "rowStoreWrites",
                    "rowStoreReadsSkipped",
                    "storedIdFilterBytes",
                    "cacheRows",
                    "cacheEvictions",
                    "rowsAdmitted",
                    "rowsExpired",
                    "rowLookups",
                    "rowGradientsApplied",
                    "gradientsWithoutRow",
                    "nonFiniteGradients",
                    "gradientsWrongWidth");

    private TrainRun() {}

    /**
     * What one run measured.
     *
     * @param parallelism job parallelism
     * @param mode state layout
     * @param universe upper bound of distinct ids in the input
     * @param distinctSeen distinct ids in the input
     * @param examples examples produced
     * @param trained predictions received (examples trained)
     * @param examplesPerSecond throughput between the 10% and the last prediction (NaN if too few)
     * @param measuredExamples examples in that window
     * @param measuredSeconds its length
     * @param maxGapSeconds longest time without a prediction inside the window
     * @param pausedSeconds time inside the window in gaps of >= 0.5 s without a prediction
     * @param firstPredictionSeconds from job submission to the first prediction
     * @param produceSeconds time to fill the examples topic
     * @param rows embedding rows in the latest snapshot (-1 if none was published)
     * @param snapshotVersion that snapshot's version (-1 if none)
     * @param rocksDb the RocksDB instances' files after the final checkpoint
     * @param heapReleasedBytes heap freed by cancelling the job (its state, cache and buffers)
     * @param shardMetrics the embedding shards' gauges at the end, aggregated over subtasks
     * @param loads each vertex's busy / back-pressured time, averaged over samples taken every 3 s
     *     from the 20% prediction to the last
     * @param checkpoints the job's checkpoint statistics at the end of training (null if unread)
     * @param cpu CPU used from the 10% prediction to the end of training (null if not reached)
     * @param cpuExamples examples trained in that span
     * @param topicBytes bytes each topic holds at the end (log segments over partitions)
     * @param notes what else happened (time limit, failures)
     */
    record Result(
            int parallelism,
            BenchOptions.Mode mode,
            long universe,
            long distinctSeen,
            long examples,
            long trained,
            double examplesPerSecond,
            double trainerExamplesPerSecond,
            double drainSeconds,
            long measuredExamples,
            double measuredSeconds,
            double maxGapSeconds,
            double pausedSeconds,
            double firstPredictionSeconds,
            double produceSeconds,
            long rows,
            long snapshotVersion,
            StateFootprint.RocksDbBytes rocksDb,
            long heapReleasedBytes,
            Map<String, FlinkRestProbe.Agg> shardMetrics,
            List<FlinkRestProbe.VertexLoad> loads,
            FlinkRestProbe.CheckpointStats checkpoints,
            CpuAccounting.Usage cpu,
            long cpuExamples,
            Map<String, Long> topicBytes,
            List<String> notes) {

        boolean finished() {
            return trained >= examples;
        }
    }

    /** Runs one cell; never leaves a broker, cluster or work directory behind. */
    static Result run(
            BenchOptions o,
            BenchOptions.Mode mode,
            int parallelism,
            long universe,
            BenchExamples.Generated data,
            Path spec,
            PrintStream out)
            throws Exception {
        Map<String, String> job = jobSettings(o, mode, spec);
        LocalStack.Settings settings =
                new LocalStack.Settings(
                        null,
                        parallelism,
                        Duration.ofMillis(o.checkpointMs()),
                        job,
                        mode.stateBackend);
        List<String> notes = new ArrayList<>();
        int n = data.payloads().size();
        try (LocalStack stack = LocalStack.start(settings)) {
            long t0 = System.nanoTime();
            BenchExamples.produce(
                    stack.bootstrapServers(),
                    FreshrankOptions.TOPIC_EXAMPLES.defaultValue(),
                    data.payloads());
            double produceSeconds = (System.nanoTime() - t0) / 1e9;

            List<byte[]> predictions = new ArrayList<>(n);
            List<FlinkRestProbe.VertexLoad> loads = List.of();
            Map<String, FlinkRestProbe.Agg> shard = Map.of();
            FlinkRestProbe.CheckpointStats checkpoints = null;
            double firstPrediction = Double.NaN;
            try (TopicTail tail =
                    new TopicTail(
                            stack.bootstrapServers(),
                            PREDICTIONS,
                            r -> {
                                synchronized (predictions) {
                                    predictions.add(r.value());
                                }
                            })) {
                JobID jobId = stack.startTraining();
                FlinkRestProbe probe = new FlinkRestProbe(stack.cluster().webUrl(), jobId);
                long submitted = System.nanoTime();
                long deadline = submitted + TimeUnit.SECONDS.toNanos(o.timeoutSeconds());
                ProgressBar bar = new ProgressBar(out);
                long lastCount = 0;
                long lastNanos = submitted;
                List<List<FlinkRestProbe.VertexLoad>> loadSamples = new ArrayList<>();
                long lastProbe = 0;
                long brokerPid = stack.broker().pid();
                CpuAccounting.Snapshot cpuStart = null;
                long cpuStartCount = 0;
                while (true) {
                    Thread.sleep(1000);
                    long count = tail.records();
                    long now = System.nanoTime();
                    if (count > 0 && Double.isNaN(firstPrediction)) {
                        firstPrediction = (now - submitted) / 1e9;
                    }
                    if (cpuStart == null && count >= n / 10) {
                        cpuStart = CpuAccounting.snapshot(brokerPid);
                        cpuStartCount = count;
                    }
                    if (count >= n / 5 && count < n && now - lastProbe >= 3_000_000_000L) {
                        lastProbe = now;
                        try {
                            loadSamples.add(probe.vertexLoads());
                        } catch (Exception e) {
                            LOG.warn("REST probe failed: {}", e.toString());
                        }
                    }
                    double rate = (count - lastCount) / Math.max(1e-3, (now - lastNanos) / 1e9);
                    lastCount = count;
                    lastNanos = now;
                    bar.update(
                            (double) count / n,
                            String.format(
                                    Locale.ROOT,
                                    "p=%d %s %,d ids | trained %,d/%,d (%,.0f/s)",
                                    parallelism,
                                    mode.label,
                                    universe,
                                    count,
                                    n,
                                    rate));
                    if (count >= n) {
                        break;
                    }
                    JobStatus status = stack.cluster().status(jobId);
                    if (status.isGloballyTerminalState()) {
                        notes.add("job ended early: " + status);
                        break;
                    }
                    if (now > deadline) {
                        notes.add(
                                String.format(
                                        Locale.ROOT,
                                        "time limit %d s: reached %.0f%%",
                                        o.timeoutSeconds(),
                                        100.0 * count / n));
                        break;
                    }
                }
                bar.done();
                loads = FlinkRestProbe.average(loadSamples);
                CpuAccounting.Usage cpu = null;
                long cpuExamples = 0;
                if (cpuStart != null) {
                    cpu = CpuAccounting.between(cpuStart, CpuAccounting.snapshot(brokerPid));
                    cpuExamples = tail.records() - cpuStartCount;
                }
                notes.add("load avg " + StateFootprint.loadAverage());
                long drainedAtMs = -1;
                if (!stack.cluster().status(jobId).isGloballyTerminalState()) {
                    // The last batches' gradients reach the shards after their predictions: the
                    // run ends when the shards have applied them all.
                    try {
                        Drain d = awaitGradientDrain(probe, deadline);
                        shard = d.metrics();
                        drainedAtMs = d.drainedAtMs();
                        checkpoints = probe.checkpoints();
                    } catch (Exception e) {
                        notes.add("REST metrics failed: " + e);
                    }
                    long checkpoint = finalCheckpoint(stack, jobId, notes);
                    awaitSnapshot(stack.storePath(), checkpoint, notes);
                }
                Map<String, Long> topicBytes =
                        StateFootprint.topicBytes(
                                stack.workDir().resolve("kafka").resolve("kafka-data"),
                                List.of(
                                        FreshrankOptions.TOPIC_EXAMPLES.defaultValue(),
                                        FreshrankOptions.TOPIC_GRADIENTS.defaultValue(),
                                        FreshrankOptions.TOPIC_PREDICTIONS.defaultValue(),
                                        FreshrankOptions.TOPIC_DENSE_UPDATES.defaultValue()));
                StateFootprint.RocksDbBytes rocks =
                        StateFootprint.rocksDb(stack.workDir().resolve("flink").resolve("tmp"));
                long heapRunning = StateFootprint.heapUsedAfterGc();
                cancel(stack, jobId);
                long heapCancelled = StateFootprint.heapUsedAfterGc();
                long[] rowsAndVersion = snapshotRows(stack.storePath(), notes);
                long[] times;
                synchronized (predictions) {
                    times = trainedAt(predictions);
                    predictions.clear();
                }
                Window w = window(times);
                double drainSeconds =
                        drainedAtMs < 0 || w.examples() == 0
                                ? Double.NaN
                                : Math.max(0, drainedAtMs - w.endMs()) / 1000.0;
                double sustained =
                        Double.isNaN(drainSeconds)
                                ? Double.NaN
                                : w.examples() / (w.seconds() + drainSeconds);
                return new Result(
                        parallelism,
                        mode,
                        universe,
                        data.distinctSeen(),
                        n,
                        times.length,
                        sustained,
                        w.rate(),
                        drainSeconds,
                        w.examples(),
                        w.seconds(),
                        w.maxGapSeconds(),
                        w.pausedSeconds(),
                        firstPrediction,
                        produceSeconds,
                        rowsAndVersion[0],
                        rowsAndVersion[1],
                        rocks,
                        heapRunning - heapCancelled,
                        shard,
                        loads,
                        checkpoints,
                        cpu,
                        cpuExamples,
                        topicBytes,
                        List.copyOf(notes));
            }
        }
    }

    static Map<String, String> jobSettings(BenchOptions o, BenchOptions.Mode mode, Path spec) {
        Map<String, String> job = new LinkedHashMap<>();
        job.put(FreshrankOptions.FEATURE_SPEC.key(), spec.toString());
        job.put(FreshrankOptions.BATCH_SIZE.key(), Integer.toString(o.batchSize()));
        job.put(FreshrankOptions.BOUNDED.key(), "true");
        job.put(FreshrankOptions.CACHE_BYTES.key(), mode.cache ? o.cacheSize() : "0");
        job.put(FreshrankOptions.HIDDEN.key(), o.hidden());
        job.put(
                FreshrankOptions.FULL_SNAPSHOT_EVERY.key(),
                Integer.toString(o.fullSnapshotEvery()));
        job.put(FreshrankOptions.WRITE_BEHIND_IDLE.key(), o.writeBehindIdleMs() + " ms");
        return job;
    }

    /**
     * Triggers a checkpoint and waits for it: the shards flush their caches into keyed state,
     * RocksDB flushes its memtables into SST files, and the snapshot of it is published.
     *
     * @return the checkpoint id, or -1 if it failed
     */
    private static long finalCheckpoint(LocalStack stack, JobID jobId, List<String> notes)
            throws InterruptedException {
        Exception last = null;
        // A checkpoint triggered while the finished examples source is still closing is declined
        // ("task is closing"): try again a few times.
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                return stack.cluster()
                        .miniCluster()
                        .triggerCheckpoint(jobId, CheckpointType.CONFIGURED)
                        .get(120, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                last = e;
                Thread.sleep(1000);
            }
        }
        notes.add("final checkpoint failed: " + last.getMessage());
        LOG.warn("final checkpoint of job {} failed", jobId, last);
        return -1;
    }

    /**
     * Waits until {@code LATEST} is at least {@code version} (publishing follows the checkpoint).
     */
    private static void awaitSnapshot(Path store, long version, List<String> notes)
            throws Exception {
        if (version < 0) {
            return;
        }
        LocalModelStore s = new LocalModelStore(store);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            OptionalLong latest = s.readLatestVersion();
            if (latest.isPresent() && latest.getAsLong() >= version) {
                return;
            }
            Thread.sleep(200);
        }
        notes.add("snapshot of checkpoint " + version + " not published within 60 s");
    }

    private static void cancel(LocalStack stack, JobID jobId) throws Exception {
        if (stack.cluster().status(jobId).isGloballyTerminalState()) {
            return;
        }
        stack.cluster().miniCluster().cancelJob(jobId).get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!stack.cluster().status(jobId).isGloballyTerminalState()
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** {@code [rows, version]} of the latest snapshot, or {@code [-1, -1]}. */
    private static long[] snapshotRows(Path store, List<String> notes) {
        try {
            Optional<LoadedModel> m = new LocalModelStore(store).loadLatest();
            if (m.isEmpty()) {
                notes.add("no snapshot published");
                return new long[] {-1, -1};
            }
            return new long[] {m.get().embeddings().size(), m.get().modelVersion()};
        } catch (Exception e) {
            notes.add("snapshot unreadable: " + e.getMessage());
            return new long[] {-1, -1};
        }
    }

    /** Sorted {@code trainedAtMs} of the decodable predictions. */
    private static long[] trainedAt(List<byte[]> payloads) {
        EventCodec<Prediction> codec = EventCodec.of(Prediction.class);
        long[] t = new long[payloads.size()];
        int k = 0;
        for (byte[] p : payloads) {
            var d = codec.decode(p);
            if (d.isValid()) {
                t[k++] = d.value().getTrainedAtMs();
            }
        }
        long[] out = Arrays.copyOf(t, k);
        Arrays.sort(out);
        return out;
    }

    /**
     * The measured window of a run.
     *
     * @param examples examples in the window
     * @param seconds its length
     * @param rate examples / seconds
     * @param maxGapSeconds longest time without a prediction inside the window
     * @param pausedSeconds time inside the window in gaps of at least 0.5 s without a prediction
     */
    record Window(
            long examples,
            double seconds,
            double rate,
            double maxGapSeconds,
            double pausedSeconds,
            long endMs) {}

    /** The shards' metrics once their gradient counters stopped moving, and when they last did. */
    record Drain(Map<String, FlinkRestProbe.Agg> metrics, long drainedAtMs) {}

    /**
     * Polls the shards' metrics until every gradient sent has been applied: the sum of their
     * gradient outcome counters stays the same for 4 s (the local cluster refreshes the metrics it
     * serves every second). Returns the time the sum last changed, which is late by up to that
     * refresh interval.
     */
    static Drain awaitGradientDrain(FlinkRestProbe probe, long deadlineNanos) throws Exception {
        double last = -1;
        long changedAtMs = System.currentTimeMillis();
        Map<String, FlinkRestProbe.Agg> metrics = probe.operatorMetrics(SHARD_METRICS);
        while (System.nanoTime() < deadlineNanos) {
            metrics = probe.operatorMetrics(SHARD_METRICS);
            double outcomes = 0;
            for (String k :
                    List.of(
                            "rowGradientsApplied",
                            "gradientsWithoutRow",
                            "nonFiniteGradients",
                            "gradientsWrongWidth")) {
                FlinkRestProbe.Agg a = metrics.get(k);
                outcomes += a == null ? 0 : a.sum();
            }
            long now = System.currentTimeMillis();
            if (outcomes != last) {
                last = outcomes;
                changedAtMs = now;
            } else if (now - changedAtMs >= 4_000) {
                break;
            }
            Thread.sleep(250);
        }
        return new Drain(metrics, changedAtMs);
    }

    /** Examples between the 10% and the last prediction (by count) over the time between them. */
    static Window window(long[] sortedTimes) {
        int m = sortedTimes.length;
        if (m < 20) {
            return new Window(0, 0, Double.NaN, Double.NaN, Double.NaN, -1);
        }
        int first = (int) Math.ceil(m * 0.1) - 1;
        int last = m - 1;
        double seconds = (sortedTimes[last] - sortedTimes[first]) / 1000.0;
        long examples = last - first;
        long maxGap = 0;
        long paused = 0;
        for (int i = first + 1; i <= last; i++) {
            long gap = sortedTimes[i] - sortedTimes[i - 1];
            maxGap = Math.max(maxGap, gap);
            if (gap >= 500) {
                paused += gap;
            }
        }
        return new Window(
                examples,
                seconds,
                seconds > 0 ? examples / seconds : Double.NaN,
                maxGap / 1000.0,
                paused / 1000.0,
                sortedTimes[last]);
    }
}
