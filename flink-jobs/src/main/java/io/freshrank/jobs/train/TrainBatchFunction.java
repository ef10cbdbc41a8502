package io.freshrank.jobs.train;

import io.freshrank.features.FeatureSpec;
import io.freshrank.features.FeatureVector;
import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.jobs.publish.SnapshotCommitter;
import io.freshrank.jobs.publish.SnapshotParts;
import io.freshrank.jobs.publish.StoreLocations;
import io.freshrank.jobs.publish.TrainingProgress;
import io.freshrank.metrics.RollingMetrics;
import io.freshrank.model.AdagradOptimizer;
import io.freshrank.model.BatchAssembler;
import io.freshrank.model.DeepFmModel;
import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Prediction;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotManifest;
import io.freshrank.store.SnapshotStaging;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The trainer: waits (keyed by batch id) until a batch and all its rows have arrived, then runs one
 * DeepFM step: score every example first (progressive validation: the prediction is made before the
 * model learns from the example), backpropagate, update the dense parameters with Adagrad, and send
 * each row's summed gradient to its shard through the gradients topic.
 *
 * <p>Dense parameters live in this function (operator state, checkpointed). With several trainer
 * subtasks each publishes the change it made every {@code syncBatches} batches to the dense-updates
 * topic, which is broadcast back to all subtasks; each adds the others' deltas. Staleness is
 * bounded by {@code syncBatches} batches plus the topic's round trip.
 */
public class TrainBatchFunction
        extends KeyedBroadcastProcessFunction<Long, TrainerInput, DenseDelta, GradientUpdate>
        implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<BytesRecord> PREDICTIONS = new OutputTag<>("predictions") {};
    public static final OutputTag<BytesRecord> DENSE_DELTAS = new OutputTag<>("dense-deltas") {};

    /** Broadcast state descriptor of the dense-updates input (nothing is stored in it). */
    public static final MapStateDescriptor<Integer, Long> DENSE_BROADCAST =
            new MapStateDescriptor<>("dense-updates", Types.INT, Types.LONG);

    private final String specJson;
    private final ModelConfig modelConfig;
    private final ShardRouter router;
    private final int syncBatches;
    private final String storePath;

    private transient ValueState<TrainBatch> pendingBatch;
    private transient ListState<LookupResponse> pendingLookups;
    private transient ValueState<Integer> lookupsReceived;
    private transient ListState<DenseCheckpoint> denseState;
    private transient ListState<String> progressState;
    private transient TrainingProgress progress;
    private transient LocalModelStore store;

    private transient DeepFmModel model;
    private transient BatchAssembler assembler;
    private transient AdagradOptimizer denseOptimizer;
    private transient DenseParameters params;
    private transient float[] accumulator;
    private transient float[] lastSynced;
    private transient float[] accumulatorSynced;
    private transient long steps;
    private transient long batchesSinceSync;
    private transient long deltaSequence;
    private transient int subtask;
    private transient int parallelism;
    private transient EventCodec<Prediction> predictionCodec;
    private transient RollingMetrics rolling;
    private transient Counter examplesTrained;
    private transient Counter nonFiniteDense;
    private transient volatile double lastLoss;
    private transient boolean publisher;
    private transient SnapshotCommitter committer;
    private transient long trainedExamples;
    private transient long newestEmitTimeMs;
    private transient long newestIngestMs;

    private transient float[] pooled;
    private transient float[] numeric;
    private transient float[] logits;
    private transient float[] denseGrad;
    private transient float[] pooledGrad;

    public TrainBatchFunction(
            FeatureSpec spec,
            ModelConfig modelConfig,
            ShardRouter router,
            int syncBatches,
            String storePath) {
        this.specJson = spec.toJson();
        this.modelConfig = modelConfig;
        this.router = router;
        this.syncBatches = syncBatches;
        this.storePath = storePath;
    }

    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        denseState =
                ctx.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "dense-parameters",
                                        TypeInformation.of(DenseCheckpoint.class)));
        model = new DeepFmModel(modelConfig);
        DenseCheckpoint restored = null;
        if (ctx.isRestored()) {
            for (DenseCheckpoint c : denseState.get()) {
                // Every subtask stores (nearly) the same synced copy; take the most trained one.
                if (restored == null || c.steps > restored.steps) {
                    restored = c;
                }
            }
        }
        if (restored != null) {
            params = new DenseParameters(restored.params.clone());
            accumulator = restored.accumulator.clone();
            steps = restored.steps;
        } else {
            params = model.initialParameters();
            accumulator = new float[params.size()];
            Arrays.fill(accumulator, modelConfig.denseInitialAccumulator());
        }
        lastSynced = params.values().clone();
        accumulatorSynced = accumulator.clone();
        // Union state: every subtask restores the merge of all, so no partition's progress is lost
        // when the trainer parallelism changes (merging is a per-partition maximum).
        progressState =
                ctx.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>("examples-progress", Types.STRING));
        progress = new TrainingProgress();
        if (ctx.isRestored()) {
            for (String json : progressState.get()) {
                progress.merge(TrainingProgress.fromJson(json));
            }
        }
        store = storePath == null ? null : StoreLocations.open(storePath);
        publisher = store != null && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        if (publisher) {
            OptionalLong latest = store.readLatestVersion();
            if (!ctx.isRestored() && latest.isPresent()) {
                throw new IllegalStateException(
                        "model store "
                                + storePath
                                + " already holds model version "
                                + latest.getAsLong()
                                + " from another run; point freshrank.store.path at an empty directory or"
                                + " restore this job from its checkpoint or savepoint");
            }
            FeatureSpec spec = FeatureSpec.fromJson(specJson);
            committer = new SnapshotCommitter(store, spec, modelConfig, router.parallelism());
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        denseState.update(
                List.of(new DenseCheckpoint(params.values().clone(), accumulator.clone(), steps)));
        progressState.update(List.of(progress.toJson()));
        if (store == null || !SnapshotParts.stageable(store, ctx.getCheckpointId())) {
            return;
        }
        // Phase 1 of publishing: what every trainer subtask has trained from the examples topic
        // and, from subtask 0, the dense parameters, exactly as in this checkpoint.
        SnapshotStaging staging = store.stage(ctx.getCheckpointId());
        SnapshotParts.writeProgress(
                staging, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), progress);
        if (publisher) {
            SnapshotParts.write(staging, staging.writeDense(SnapshotStaging.DENSE_FILE, params));
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        if (publisher) {
            Map<String, String> provenance = new HashMap<>();
            provenance.put(SnapshotManifest.TRAINED_EXAMPLES, Long.toString(trainedExamples));
            provenance.put(
                    SnapshotManifest.NEWEST_EXAMPLE_TIME_MS, Long.toString(newestEmitTimeMs));
            provenance.put(
                    SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS, Long.toString(newestIngestMs));
            provenance.put("denseSteps", Long.toString(steps));
            provenance.put("trainerParallelism", Integer.toString(parallelism));
            committer.commit(checkpointId, provenance);
        }
    }

    @Override
    public void open(OpenContext ctx) {
        pendingBatch =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "pending-batch", TypeInformation.of(TrainBatch.class)));
        pendingLookups =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-lookups",
                                        TypeInformation.of(LookupResponse.class)));
        lookupsReceived =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("lookups-received", Types.INT));
        assembler = new BatchAssembler(modelConfig);
        denseOptimizer = new AdagradOptimizer(modelConfig.denseLearningRate(), 0f);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        predictionCodec = EventCodec.of(Prediction.class);
        rolling = new RollingMetrics(10_000);
        var metrics = getRuntimeContext().getMetricGroup();
        examplesTrained = metrics.counter("examplesTrained");
        nonFiniteDense = metrics.counter("nonFiniteDenseGradients");
        metrics.gauge("rollingAuc", () -> rolling.auc());
        metrics.gauge("rollingLogLoss", () -> rolling.logLoss());
        metrics.gauge("lastBatchLoss", () -> lastLoss);
        metrics.gauge("denseSteps", () -> steps);
    }

    @Override
    public void processElement(TrainerInput in, ReadOnlyContext ctx, Collector<GradientUpdate> out)
            throws Exception {
        TrainBatch batch = pendingBatch.value();
        Integer received = lookupsReceived.value();
        int got = received == null ? 0 : received;
        if (in.batch != null) {
            batch = in.batch;
        } else {
            got++;
        }
        if (batch == null || got < batch.expectedLookups) {
            if (in.batch != null) {
                pendingBatch.update(batch);
            } else {
                pendingLookups.add(in.lookup);
                lookupsReceived.update(got);
            }
            return;
        }
        List<LookupResponse> lookups = new ArrayList<>();
        for (LookupResponse r : pendingLookups.get()) {
            lookups.add(r);
        }
        if (in.lookup != null) {
            lookups.add(in.lookup);
        }
        BatchRows rows = new BatchRows(lookups, modelConfig.rowWidth());
        pendingBatch.clear();
        pendingLookups.clear();
        lookupsReceived.clear();
        train(batch, rows, ctx, out);
    }

    private void train(
            TrainBatch batch, BatchRows rows, ReadOnlyContext ctx, Collector<GradientUpdate> out) {
        int n = batch.size;
        ensureBuffers(n);
        List<FeatureVector> xs = batch.vectors();
        assembler.assemble(xs, rows, pooled, numeric);
        lastLoss =
                model.trainStep(
                        params,
                        pooled,
                        numeric,
                        batch.labels,
                        lossWeights(batch),
                        n,
                        logits,
                        denseGrad,
                        pooledGrad);
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            float p = DeepFmModel.sigmoid(logits[i]);
            rolling.add(p, batch.labels[i], batch.oracle[i]);
            Prediction pred =
                    Prediction.newBuilder()
                            .setExampleId(batch.exampleIds[i])
                            .setRequestId(batch.requestIds[i])
                            .setScore(p)
                            .setLabel(batch.labels[i])
                            .setOracleProbability(
                                    Float.isNaN(batch.oracle[i]) ? null : batch.oracle[i])
                            .setHoldout(batch.holdout[i])
                            .setImpressionTimeMs(batch.impressionTimes[i])
                            .setEmitTimeMs(batch.emitTimes[i])
                            .setTrainedAtMs(now)
                            .setBatchId(batch.batchId)
                            .setTrainerSubtask(subtask)
                            .build();
            ctx.output(
                    PREDICTIONS,
                    new BytesRecord(
                            batch.exampleIds[i].getBytes(StandardCharsets.UTF_8),
                            predictionCodec.encode(pred)));
        }
        examplesTrained.inc(n);
        trainedExamples += n;
        for (int i = 0; i < n; i++) {
            newestEmitTimeMs = Math.max(newestEmitTimeMs, batch.emitTimes[i]);
            newestIngestMs = Math.max(newestIngestMs, batch.ingestTimes[i]);
            if (batch.sourcePartitions != null) {
                progress.record(
                        batch.sourcePartitions[i], batch.sourceOffsets[i], batch.emitTimes[i]);
            }
        }

        if (Floats.allFinite(denseGrad, 0, params.size())) {
            denseOptimizer.apply(params.values(), 0, accumulator, 0, denseGrad, 0, params.size());
            steps++;
        } else {
            nonFiniteDense.inc();
        }
        maybeSyncDense(ctx);

        float[] grads = new float[rows.data().length];
        assembler.scatter(xs, pooledGrad, rows, grads);
        for (GradientUpdate g : rows.gradients(batch.batchId, subtask, grads)) {
            out.collect(g);
        }
    }

    /**
     * The examples' loss weights. Fake negatives and their corrections (the join's FAKE_NEGATIVE
     * policy) get the fake-negative importance weights of Ktena et al. (RecSys 2019): with the
     * model's own prediction p (a constant, no gradient) a positive's loss is multiplied by 1 + p
     * and a negative's by (1 - p)(1 + p), which makes the biased stream (every impression a
     * negative first, clicks added again as positives) estimate the true click probability. Costs
     * one extra forward pass for batches that hold such examples.
     */
    private float[] lossWeights(TrainBatch batch) {
        boolean any = false;
        for (int i = 0; batch.fakeNegativeWeighted != null && i < batch.size; i++) {
            any |= batch.fakeNegativeWeighted[i] && batch.weights[i] > 0f;
        }
        if (!any) {
            return batch.weights;
        }
        model.forward(params, pooled, numeric, batch.size, logits);
        return FakeNegativeWeights.apply(
                batch.weights, batch.labels, batch.fakeNegativeWeighted, logits, batch.size);
    }

    private void maybeSyncDense(ReadOnlyContext ctx) {
        if (parallelism < 2 || ++batchesSinceSync < syncBatches) {
            return;
        }
        batchesSinceSync = 0;
        float[] now = params.values();
        float[] delta = new float[now.length];
        float[] accDelta = new float[now.length];
        for (int i = 0; i < now.length; i++) {
            delta[i] = now[i] - lastSynced[i];
            accDelta[i] = accumulator[i] - accumulatorSynced[i];
        }
        System.arraycopy(now, 0, lastSynced, 0, now.length);
        System.arraycopy(accumulator, 0, accumulatorSynced, 0, now.length);
        ctx.output(
                DENSE_DELTAS,
                new BytesRecord(
                        null,
                        DenseDeltaCodec.encode(
                                new DenseDelta(subtask, deltaSequence++, delta, accDelta))));
    }

    @Override
    public void processBroadcastElement(DenseDelta d, Context ctx, Collector<GradientUpdate> out) {
        if (d.producer == subtask || d.delta.length != params.size()) {
            return;
        }
        if (!Floats.allFinite(d.delta, 0, d.delta.length)) {
            nonFiniteDense.inc();
            return;
        }
        float[] p = params.values();
        for (int i = 0; i < p.length; i++) {
            p[i] += d.delta[i];
            // Others' changes are not ours to re-publish: move the sync base along with them.
            lastSynced[i] += d.delta[i];
        }
        // Adagrad's step size must shrink with every subtask's gradients, as it would on one
        // trainer.
        if (d.accumulatorDelta != null
                && d.accumulatorDelta.length == p.length
                && Floats.allFinite(d.accumulatorDelta, 0, p.length)) {
            for (int i = 0; i < p.length; i++) {
                accumulator[i] += d.accumulatorDelta[i];
                accumulatorSynced[i] += d.accumulatorDelta[i];
            }
        }
    }

    private void ensureBuffers(int n) {
        if (logits != null && logits.length >= n) {
            return;
        }
        int cap = Math.max(n, 256);
        pooled = new float[cap * modelConfig.numSlots() * modelConfig.rowWidth()];
        pooledGrad = new float[pooled.length];
        numeric = new float[cap * Math.max(1, modelConfig.numNumeric())];
        logits = new float[cap];
        denseGrad = new float[model.parameterCount()];
    }

    /** The dense parameters as checkpointed. A Flink POJO. */
    public static class DenseCheckpoint {
        public float[] params;
        public float[] accumulator;
        public long steps;

        public DenseCheckpoint() {}

        public DenseCheckpoint(float[] params, float[] accumulator, long steps) {
            this.params = params;
            this.accumulator = accumulator;
            this.steps = steps;
        }
    }
}
