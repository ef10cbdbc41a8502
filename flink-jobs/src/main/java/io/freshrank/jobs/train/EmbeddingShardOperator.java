package io.freshrank.jobs.train;

import io.freshrank.features.FeatureSpec;
import io.freshrank.features.SlotSpec;
import io.freshrank.jobs.publish.SnapshotParts;
import io.freshrank.model.AdagradOptimizer;
import io.freshrank.model.RowInitializer;
import io.freshrank.store.FileEntry;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.RowFileWriter;
import io.freshrank.store.SnapshotStaging;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * One shard of the embedding table: the rows of the feature ids in this subtask's key-group range,
 * in keyed state keyed by the raw 64-bit id. Input 1 looks rows up for a batch (creating and
 * admitting rows as ids occur); input 2 applies summed gradients with the slot's optimizer. Both
 * inputs arrive partitioned by {@link ShardRouter}, so every id in a record belongs to this subtask
 * and the operator switches the key per id.
 *
 * <p>Guardrails: a gradient with a non-finite value is counted and dropped, never written; a
 * gradient for an id without an admitted row (expired, never admitted) is counted and dropped.
 */
public class EmbeddingShardOperator extends AbstractStreamOperator<TrainerInput>
        implements TwoInputStreamOperator<LookupRequest, GradientUpdate, TrainerInput> {
    private static final long serialVersionUID = 1L;

    /** Name of the keyed row state; renaming it is a state migration. */
    public static final String ROW_STATE = "embedding-row";

    /** Standard deviation of a new row's factor entries. */
    static final float INIT_SCALE = 0.01f;

    private final String specJson;

    /** Model store root, or null to publish nothing. */
    private final String storePath;

    private transient FeatureSpec spec;
    private transient ValueState<EmbeddingRow> rows;
    private transient Map<Integer, SlotSpec> slots;
    private transient Map<Integer, AdagradOptimizer> optimizers;
    private transient int rowWidth;
    private transient Counter rowsAdmitted;
    private transient Counter gradientsApplied;
    private transient Counter nonFiniteGradients;
    private transient Counter gradientsWithoutRow;

    public EmbeddingShardOperator(FeatureSpec spec, String storePath) {
        this.specJson = spec.toJson();
        this.storePath = storePath;
    }

    @Override
    public void open() throws Exception {
        super.open();
        spec = FeatureSpec.fromJson(specJson);
        rowWidth = spec.uniformDim() + 1;
        slots = new HashMap<>();
        optimizers = new HashMap<>();
        for (SlotSpec s : spec.embeddedSlots()) {
            slots.put(s.id(), s);
            optimizers.put(
                    s.id(), new AdagradOptimizer(s.optimizer().learningRate(), s.optimizer().l2()));
        }
        rows =
                getPartitionedState(
                        new ValueStateDescriptor<>(
                                ROW_STATE, TypeInformation.of(EmbeddingRow.class)));
        var metrics = getMetricGroup();
        rowsAdmitted = metrics.counter("rowsAdmitted");
        gradientsApplied = metrics.counter("rowGradientsApplied");
        nonFiniteGradients = metrics.counter("nonFiniteGradients");
        gradientsWithoutRow = metrics.counter("gradientsWithoutRow");
    }

    @Override
    public void processElement1(StreamRecord<LookupRequest> element) throws Exception {
        LookupRequest req = element.getValue();
        int n = req.ids.length;
        LookupResponse resp = new LookupResponse();
        resp.batchId = req.batchId;
        resp.rowWidth = rowWidth;
        resp.ids = req.ids;
        resp.present = new boolean[n];
        resp.rows = new float[n * rowWidth];
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (int k = 0; k < n; k++) {
            long id = req.ids[k];
            setCurrentKey(id);
            EmbeddingRow row = rows.value();
            if (row == null || !row.admitted()) {
                row = countOccurrence(id, row, req.counts[k], now);
            }
            if (row != null && row.admitted()) {
                resp.present[k] = true;
                System.arraycopy(row.vector, 0, resp.rows, k * rowWidth, rowWidth);
            }
        }
        output.collect(new StreamRecord<>(TrainerInput.of(resp)));
    }

    /** Counts occurrences of a not-yet-admitted id and admits it at the slot's threshold. */
    private EmbeddingRow countOccurrence(long id, EmbeddingRow row, int occurrences, long now)
            throws Exception {
        SlotSpec slot = slots.get(io.freshrank.features.FeatureHasher.slotId(id));
        if (occurrences <= 0 || slot == null) {
            return row;
        }
        if (row == null) {
            row = new EmbeddingRow();
        }
        row.count += occurrences;
        if (row.count >= slot.admissionThreshold()) {
            row.vector = RowInitializer.initialRow(id, slot.dim(), INIT_SCALE);
            row.accumulator = new float[rowWidth];
            Arrays.fill(row.accumulator, slot.optimizer().initialAccumulator());
            rowsAdmitted.inc();
        }
        row.lastUpdateMs = now;
        rows.update(row);
        return row;
    }

    @Override
    public void processElement2(StreamRecord<GradientUpdate> element) throws Exception {
        GradientUpdate g = element.getValue();
        if (g.rowWidth != rowWidth) {
            nonFiniteGradients.inc(g.ids.length);
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (int k = 0; k < g.ids.length; k++) {
            int off = k * rowWidth;
            if (!allFinite(g.grads, off, rowWidth)) {
                nonFiniteGradients.inc();
                continue;
            }
            long id = g.ids[k];
            setCurrentKey(id);
            EmbeddingRow row = rows.value();
            if (row == null || !row.admitted()) {
                gradientsWithoutRow.inc();
                continue;
            }
            optimizers
                    .get(io.freshrank.features.FeatureHasher.slotId(id))
                    .apply(row.vector, 0, row.accumulator, 0, g.grads, off, rowWidth);
            row.count++;
            row.lastUpdateMs = now;
            rows.update(row);
            gradientsApplied.inc();
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (storePath != null) {
            stageRows(context.getCheckpointId());
        }
    }

    /**
     * Phase 1 of publishing: writes every admitted row of this shard into the staging directory of
     * version {@code checkpointId}, plus its part descriptor. Runs inside the checkpoint's
     * synchronous part, so the file holds exactly the rows of the checkpoint.
     */
    private void stageRows(long checkpointId) throws Exception {
        SnapshotStaging staging = new LocalModelStore(Path.of(storePath)).stage(checkpointId);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        FileEntry entry;
        try (RowFileWriter writer =
                        staging.openRows(SnapshotStaging.rowsFileName(subtask), rowWidth);
                Stream<Long> keys =
                        this.<Long>getKeyedStateBackend()
                                .getKeys(ROW_STATE, VoidNamespace.INSTANCE)) {
            Iterator<Long> it = keys.iterator();
            while (it.hasNext()) {
                Long id = it.next();
                setCurrentKey(id);
                EmbeddingRow row = rows.value();
                if (row != null && row.admitted()) {
                    writer.append(id, row.vector);
                }
            }
            entry = writer.finish();
        }
        SnapshotParts.write(staging.directory(), entry);
    }

    static boolean allFinite(float[] a, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }
}
