package io.freshrank.jobs.train;

import io.freshrank.features.FeatureSpec;
import io.freshrank.jobs.publish.BackgroundStaging;
import io.freshrank.jobs.publish.ShardPart;
import io.freshrank.jobs.publish.SnapshotParts;
import io.freshrank.jobs.publish.StoreLocations;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotKind;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of the embedding table: the rows of the feature ids in this subtask's key-group range,
 * in keyed state keyed by the raw 64-bit id, behind a write-back cache. Input 1 looks rows up for a
 * batch (admitting ids as they occur); input 2 applies summed gradients. Both inputs arrive
 * partitioned by {@link ShardRouter}, so every id in a record belongs to this subtask and the
 * operator switches the key per id. The logic lives in {@link ShardTable}; this class supplies
 * keyed state, the clock, checkpoints (cache flush before the barrier, the admission sketch in
 * operator state) and snapshot staging.
 *
 * <p>Checkpoint pause: keyed state must hold every row when the barrier passes, so the cache's
 * changed rows are written to it before the barrier. To keep that pause short, rows idle for {@link
 * ShardConfig#writeBehindIdleMs()} are written behind between checkpoints (on a timer, in small
 * time slices), and the snapshot part is copied out of the cache and written to the model store on
 * a background thread ({@link BackgroundStaging}).
 *
 * <p>Rescaling: rows move with their key groups. The admission sketch is union state: on restore
 * each subtask takes the element-wise maximum of all old sketches. An id's counts live in its
 * owner's sketch, so this never loses counts; it may over-count ids that collide with another
 * subtask's heavy ids (they reach admission slightly earlier), and it does not compound across
 * restores.
 */
public class EmbeddingShardOperator extends AbstractStreamOperator<TrainerInput>
        implements TwoInputStreamOperator<LookupRequest, GradientUpdate, TrainerInput> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingShardOperator.class);

    /** Name of the keyed row state; renaming it is a state migration. */
    public static final String ROW_STATE = "embedding-row";

    /** Name of the admission sketch's operator state. */
    public static final String SKETCH_STATE = "admission-sketch";

    private static final int SKETCH_DEPTH = 4;

    /** How often write-behind runs, and the time slice it may take each time. */
    static final long WRITE_BEHIND_INTERVAL_MS = 100;

    private static final long WRITE_BEHIND_SLICE_NS = 20_000_000;

    /** Cache slots write-behind looks at between two clock reads. */
    private static final int WRITE_BEHIND_CHUNK = 4096;

    private final String specJson;
    private final ShardConfig config;

    private transient FeatureSpec spec;
    private transient ValueState<EmbeddingRow> rows;
    private transient ListState<byte[]> sketchState;
    private transient CountMinSketch restoredSketch;
    private transient boolean restored;
    private transient ShardTable table;
    private transient int rowWidth;
    private transient LongHashSet touched;
    private transient LongHashSet removed;
    private transient long lastSnapshotId;
    private transient long nextHalveMs;
    private transient Counter lookups;
    private transient Counter gradientsApplied;
    private transient Counter gradientsClipped;
    private transient Counter nonFiniteGradients;
    private transient Counter gradientsWithoutRow;
    private transient Counter gradientsWrongWidth;
    private transient Counter storeReads;
    private transient Counter storeWrites;
    private transient Counter writtenBehind;
    private transient BackgroundStaging staging;

    public EmbeddingShardOperator(FeatureSpec spec, ShardConfig config) {
        this.specJson = spec.toJson();
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        sketchState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        SKETCH_STATE,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        restored = context.isRestored();
        if (restored) {
            for (byte[] bytes : sketchState.get()) {
                CountMinSketch s = CountMinSketch.fromBytes(bytes);
                if (restoredSketch == null) {
                    restoredSketch = s;
                } else if (s.width() == restoredSketch.width()
                        && s.depth() == restoredSketch.depth()
                        && s.seed() == restoredSketch.seed()) {
                    restoredSketch.mergeMax(s);
                }
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        spec = FeatureSpec.fromJson(specJson);
        rowWidth = spec.uniformDim() + 1;
        rows =
                getPartitionedState(
                        new ValueStateDescriptor<>(ROW_STATE, EmbeddingRowSerializer.INSTANCE));
        CountMinSketch sketch =
                restoredSketch != null
                        ? restoredSketch
                        : CountMinSketch.withMaxBytes(config.sketchBytes(), SKETCH_DEPTH, 0x5EEDL);
        int entryWidth = ShardTable.entryWidth(spec);
        RowCache cache =
                config.cacheBytes() > 0
                        ? RowCache.withMaxBytes(config.cacheBytes(), entryWidth)
                        : null;
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        table = new ShardTable(spec, new KeyedRowStore(), cache, sketch);
        if (restored) {
            // The stored-id filter is not checkpointed: rebuild it from the restored keys.
            long t0 = System.nanoTime();
            ShardTable.LongList keys = storedKeys();
            table.rebuildStoredIds(keys);
            LOG.info(
                    "shard {}: {} stored rows restored; stored-id filter rebuilt ({} KiB) in {} ms",
                    subtask,
                    keys.size(),
                    table.storedIds().bytes() / 1024,
                    (System.nanoTime() - t0) / 1_000_000);
        }
        touched = new LongHashSet(1 << 16);
        removed = new LongHashSet();
        // Changes are tracked only for incremental snapshots (the sets are cleared when staged).
        table.setChangeListener(
                config.storePath() == null
                        ? (id, isRemoved) -> {}
                        : (id, isRemoved) -> {
                            if (isRemoved) {
                                touched.remove(id);
                                removed.add(id);
                            } else {
                                touched.add(id);
                                removed.remove(id);
                            }
                        });
        lastSnapshotId = -1;

        var metrics = getMetricGroup();
        lookups = metrics.counter("rowLookups");
        gradientsApplied = metrics.counter("rowGradientsApplied");
        gradientsClipped = metrics.counter("rowGradientsClipped");
        nonFiniteGradients = metrics.counter("nonFiniteGradients");
        gradientsWithoutRow = metrics.counter("gradientsWithoutRow");
        gradientsWrongWidth = metrics.counter("gradientsWrongWidth");
        storeReads = metrics.counter("rowStoreReads");
        storeWrites = metrics.counter("rowStoreWrites");
        writtenBehind = metrics.counter("rowsWrittenBehind");
        metrics.gauge("rowsAdmitted", () -> table.admitted());
        metrics.gauge("rowsExpired", () -> table.expired());
        metrics.gauge("admissionSketchBytes", () -> table.sketch().bytes());
        metrics.gauge("storedIdFilterBytes", () -> table.storedIds().bytes());
        metrics.gauge("rowStoreReadsSkipped", () -> table.storeReadsSkipped());
        if (cache != null) {
            metrics.gauge("cacheHitRate", () -> table.cache().hitRate());
            metrics.gauge("cacheRows", () -> (long) table.cache().size());
            metrics.gauge("cacheHeapBytes", () -> table.cache().heapBytes());
            metrics.gauge("cacheEvictions", () -> table.cache().evictions());
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        nextHalveMs = now + config.sketchHalveIntervalMs();
        scheduleSweep(now);
        if (cache != null && config.writeBehindIdleMs() > 0) {
            getProcessingTimeService()
                    .registerTimer(now + WRITE_BEHIND_INTERVAL_MS, this::writeBehind);
        }
        if (config.storePath() != null) {
            staging = new BackgroundStaging("snapshot staging of shard " + subtask);
        }
    }

    /**
     * Writes cached rows idle for the configured time to keyed state, for at most one time slice,
     * and schedules the next round.
     */
    private void writeBehind(long now) throws Exception {
        long deadline = System.nanoTime() + WRITE_BEHIND_SLICE_NS;
        long idleBefore = now - config.writeBehindIdleMs();
        int chunks = table.cache().size() / WRITE_BEHIND_CHUNK + 1;
        long written = 0;
        for (int i = 0; i < chunks && System.nanoTime() < deadline; i++) {
            written += table.writeBehind(idleBefore, WRITE_BEHIND_CHUNK);
        }
        writtenBehind.inc(written);
        getProcessingTimeService()
                .registerTimer(
                        getProcessingTimeService().getCurrentProcessingTime()
                                + WRITE_BEHIND_INTERVAL_MS,
                        this::writeBehind);
    }

    @Override
    public void close() throws Exception {
        try {
            if (staging != null) {
                staging.close();
            }
        } finally {
            super.close();
        }
    }

    private void scheduleSweep(long now) {
        getProcessingTimeService().registerTimer(now + config.sweepIntervalMs(), this::sweep);
    }

    /** The ids of every row in this shard's keyed state. */
    private ShardTable.LongList storedKeys() throws Exception {
        ShardTable.LongList keys = new ShardTable.LongList();
        try (Stream<Long> stream =
                this.<Long>getKeyedStateBackend().getKeys(ROW_STATE, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        return keys;
    }

    /**
     * Expires idle rows (cache first, then the store), rebuilds the stored-id filter from the
     * remaining keys, and ages the sketch when due.
     */
    private void sweep(long now) throws Exception {
        long fromCache = table.expireCached(now).length;
        ShardTable.LongList keys = storedKeys();
        // The ids that keep their row are compacted to the front of keys, for the filter rebuild.
        int kept = 0;
        for (int i = 0; i < keys.size(); i++) {
            long id = keys.get(i);
            if (!table.isCached(id)) {
                setCurrentKey(id);
                EmbeddingRow row = rows.value();
                if (row != null && table.isExpired(id, row, now)) {
                    table.expireStored(id);
                    continue;
                }
            }
            keys.set(kept++, id);
        }
        long fromStore = keys.size() - kept;
        keys.truncate(kept);
        table.rebuildStoredIds(keys);
        if (fromCache + fromStore > 0) {
            LOG.info(
                    "expired {} idle rows ({} cached, {} stored)",
                    fromCache + fromStore,
                    fromCache,
                    fromStore);
        }
        if (now >= nextHalveMs) {
            table.halveSketch();
            nextHalveMs = now + config.sketchHalveIntervalMs();
        }
        scheduleSweep(now);
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
            resp.present[k] = table.lookup(req.ids[k], req.counts[k], now, resp.rows, k * rowWidth);
        }
        lookups.inc(n);
        output.collect(new StreamRecord<>(TrainerInput.of(resp)));
    }

    @Override
    public void processElement2(StreamRecord<GradientUpdate> element) throws Exception {
        GradientUpdate g = element.getValue();
        if (g.rowWidth != rowWidth) {
            gradientsWrongWidth.inc(g.ids.length);
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (int k = 0; k < g.ids.length; k++) {
            switch (table.applyGradient(g.ids[k], g.grads, k * rowWidth, now)) {
                case APPLIED -> gradientsApplied.inc();
                case CLIPPED -> {
                    gradientsApplied.inc();
                    gradientsClipped.inc();
                }
                case NO_ROW -> gradientsWithoutRow.inc();
                case NON_FINITE -> nonFiniteGradients.inc();
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        // Keyed state must hold every row when the state backend snapshots it: flush the cache.
        // With a model store the same pass stages the snapshot's rows (no records are processed
        // between this call and the state snapshot, so this is the checkpoint's content).
        long t0 = System.nanoTime();
        long writes = storeWrites.getCount();
        String staged = config.storePath() == null ? null : stageRows(checkpointId);
        if (staged == null) {
            table.flush();
        }
        LOG.info(
                "checkpoint {}: wrote {} changed cached rows to keyed state{} in {} ms",
                checkpointId,
                storeWrites.getCount() - writes,
                staged == null ? "" : " and collected " + staged + " for staging",
                (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        sketchState.update(List.of(table.sketch().toBytes()));
    }

    /**
     * Phase 1 of publishing, together with the cache flush: collects this shard's rows for version
     * {@code checkpointId} and hands them to the background writer, which stages them in the store
     * with a part descriptor. FULL (every admitted row) on the first snapshot since (re)start and
     * every {@code fullSnapshotEvery} checkpoints; otherwise DELTA: the rows changed and the ids
     * removed since this shard's previous snapshot, whose id is recorded as the delta's base. A
     * DELTA takes the changed cached rows from the flush itself, in cache order, and reads only the
     * changed rows the cache no longer holds as dirty (written behind or evicted).
     *
     * @return what was staged, or null if nothing was (the cache is not flushed then)
     */
    private String stageRows(long checkpointId) throws Exception {
        // A part that failed to be written fails this checkpoint (and the next restore starts
        // with a FULL).
        staging.awaitPrevious();
        LocalModelStore store = StoreLocations.open(config.storePath());
        if (!SnapshotParts.stageable(store, checkpointId)) {
            // Nothing is published for this checkpoint: what the flush writes stays changed.
            table.flush((id, data, offset) -> touched.add(id));
            return "nothing (version " + checkpointId + " is not stageable)";
        }
        SnapshotKind kind =
                lastSnapshotId < 0 || checkpointId % config.fullSnapshotEvery() == 0
                        ? SnapshotKind.FULL
                        : SnapshotKind.DELTA;
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        ShardPart part =
                new ShardPart(
                        checkpointId,
                        subtask,
                        kind,
                        lastSnapshotId,
                        rowWidth,
                        touched.size() + (table.cache() == null ? 0 : table.cache().size() / 4));
        float[] row = new float[rowWidth];
        if (kind == SnapshotKind.FULL) {
            table.flush();
            try (Stream<Long> keys =
                    this.<Long>getKeyedStateBackend().getKeys(ROW_STATE, VoidNamespace.INSTANCE)) {
                Iterator<Long> it = keys.iterator();
                while (it.hasNext()) {
                    addRow(part, it.next(), row);
                }
            }
        } else {
            for (long id : touched.toArray()) {
                if (!table.isDirty(id)) {
                    addRow(part, id, row);
                }
            }
            table.flush(
                    (id, data, offset) -> {
                        part.add(id, data, offset);
                        // Expired, then admitted again: the new row wins over the delete.
                        if (!removed.isEmpty()) {
                            removed.remove(id);
                        }
                    });
            part.setDeleted(removed.toArray());
        }
        touched.clear();
        removed.clear();
        lastSnapshotId = checkpointId;
        staging.submit(store, part);
        return part.describe();
    }

    /** Adds the row of {@code id} (cache first) to the part if it has one. */
    private void addRow(ShardPart part, long id, float[] scratch) throws Exception {
        if (table.readRow(id, scratch)) {
            part.add(id, scratch, 0);
        }
    }

    /** Keyed state as the table's store: switches the current key to the id. */
    private final class KeyedRowStore implements RowStore {
        @Override
        public EmbeddingRow get(long id) throws Exception {
            storeReads.inc();
            setCurrentKey(id);
            return rows.value();
        }

        @Override
        public void put(long id, EmbeddingRow row) throws Exception {
            storeWrites.inc();
            setCurrentKey(id);
            rows.update(row);
        }

        @Override
        public void remove(long id) throws Exception {
            setCurrentKey(id);
            rows.clear();
        }
    }
}
