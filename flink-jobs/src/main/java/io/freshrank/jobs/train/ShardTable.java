package io.freshrank.jobs.train;

import io.freshrank.features.FeatureHasher;
import io.freshrank.features.FeatureSpec;
import io.freshrank.features.SlotSpec;
import io.freshrank.model.RowClipping;
import io.freshrank.model.RowInitializer;
import io.freshrank.model.RowOptimizer;
import io.freshrank.model.RowOptimizers;

/**
 * The logic of one embedding shard, free of Flink: admission, lookups, gradient updates with the
 * slot's optimizer, the write-back cache in front of the {@link RowStore}, and idle expiry. The
 * Flink operator is a thin shell around it (it supplies the keyed-state store and the clock).
 *
 * <ul>
 *   <li><b>Admission.</b> An id without a row is counted in a count-min sketch; once its estimate
 *       reaches the slot's {@code admissionThreshold} it is admitted with probability {@code
 *       admissionProbability} per occurrence batch. Until then it is scored with a zero row and
 *       receives no updates.
 *   <li><b>Cache.</b> Entries (row + optimizer state) are read into the {@link RowCache} on first
 *       use and written back when evicted or on {@link #flush()} (before every checkpoint barrier),
 *       so hot ids run at heap speed and the long tail lives in the store. Without a cache every
 *       access reads and writes the store.
 *   <li><b>Guardrails.</b> A gradient with a non-finite value is dropped and counted; a row
 *       gradient's L2 norm is clipped to the slot's {@code clipNorm}.
 *   <li><b>Expiry.</b> A row not updated for longer than its slot's {@code idleExpiry} is removed.
 *   <li><b>Stored ids.</b> A {@link StoredIdFilter} holds every id written to the store; a miss in
 *       it skips the store read. Ids seen for the first time and ids below their admission
 *       threshold then cost no store access. Whoever opens the table over a non-empty store (a
 *       restore) must {@link #rebuildStoredIds} from the store's keys first.
 * </ul>
 *
 * Not thread-safe: one per shard subtask, used from the task thread.
 */
public final class ShardTable {
    /** What happened to one row gradient. */
    public enum GradientOutcome {
        APPLIED,
        CLIPPED,
        NO_ROW,
        NON_FINITE
    }

    /** Ids the stored-id filter's first stage holds at full precision, at least. */
    private static final long MIN_STORED_IDS = 1 << 20;

    private final RowStore store;
    private final RowCache cache;
    private final CountMinSketch sketch;
    private final int rowWidth;
    private final SlotSpec[] slots = new SlotSpec[FeatureHasher.MAX_SLOT_ID + 1];
    private final RowOptimizer[] optimizers = new RowOptimizer[FeatureHasher.MAX_SLOT_ID + 1];
    private final int[] stateWidths = new int[FeatureHasher.MAX_SLOT_ID + 1];
    private final int entryWidth;
    private final float[] scratchGrad;
    private StoredIdFilter storedIds = StoredIdFilter.withCapacity(MIN_STORED_IDS);

    private long admitted;
    private long storeReadsSkipped;
    private long expired;
    private ChangeListener listener = (id, removed) -> {};

    /**
     * Told about rows that are created, updated or removed (drives incremental snapshots), except
     * changes the cache still holds: without a cache every change; with one, every removal and
     * every changed entry written back on eviction. Changed entries still in the cache go to the
     * {@link FlushObserver} of the next {@link #flush(FlushObserver)}. Together the two see every
     * id changed since the previous flush, at least once. (Reporting every update instead cost a
     * hash-set insert per gradient, a sixth of the shard's time.)
     */
    @FunctionalInterface
    public interface ChangeListener {
        void changed(long id, boolean removed);
    }

    /** Sees each changed cached entry as {@link #flush(FlushObserver)} writes it back. */
    @FunctionalInterface
    public interface FlushObserver {
        /** The row of {@code id} is {@code data[offset .. offset + rowWidth)}; do not keep it. */
        void flushed(long id, float[] data, int offset) throws Exception;
    }

    public void setChangeListener(ChangeListener listener) {
        this.listener = listener;
    }

    /**
     * @param cache the write-back cache (entry width must be {@link #entryWidth(FeatureSpec)}), or
     *     null
     */
    public ShardTable(FeatureSpec spec, RowStore store, RowCache cache, CountMinSketch sketch) {
        this.store = store;
        this.cache = cache;
        this.sketch = sketch;
        this.rowWidth = spec.uniformDim() + 1;
        for (SlotSpec s : spec.embeddedSlots()) {
            slots[s.id()] = s;
            optimizers[s.id()] = optimizer(s);
            stateWidths[s.id()] = optimizers[s.id()].stateWidth(rowWidth);
        }
        this.entryWidth = entryWidth(spec);
        if (cache != null && cache.width() != entryWidth) {
            throw new IllegalArgumentException(
                    "cache width " + cache.width() + " != entry width " + entryWidth);
        }
        this.scratchGrad = new float[rowWidth];
    }

    /** Floats per cached entry: the row plus the widest optimizer state of any slot. */
    public static int entryWidth(FeatureSpec spec) {
        int rowWidth = spec.uniformDim() + 1;
        int maxState = 0;
        for (SlotSpec s : spec.embeddedSlots()) {
            maxState = Math.max(maxState, optimizer(s).stateWidth(rowWidth));
        }
        return rowWidth + maxState;
    }

    static RowOptimizer optimizer(SlotSpec s) {
        var o = s.optimizer();
        return RowOptimizers.create(
                o.type(),
                o.learningRate(),
                o.initialAccumulator(),
                o.l1(),
                o.l2(),
                o.beta(),
                o.beta1(),
                o.beta2(),
                o.epsilon());
    }

    public int rowWidth() {
        return rowWidth;
    }

    /**
     * Copies the row of {@code id} into {@code out[off .. off+rowWidth)} and returns true; or
     * returns false when the id has no admitted row. {@code occurrences} (training occurrences in
     * the current batch) count toward admission and may admit the id now.
     */
    public boolean lookup(long id, int occurrences, long nowMs, float[] out, int off)
            throws Exception {
        SlotSpec slot = slot(id);
        if (slot == null) {
            return false;
        }
        if (cache != null) {
            int c = cached(id);
            if (c >= 0) {
                System.arraycopy(cache.data(), cache.offset(c), out, off, rowWidth);
                return true;
            }
        } else {
            EmbeddingRow row = stored(id);
            if (row != null) {
                System.arraycopy(row.vector, 0, out, off, rowWidth);
                return true;
            }
        }
        if (occurrences <= 0 || !admit(id, slot, occurrences)) {
            return false;
        }
        float[] vector = RowInitializer.initialRow(id, slot.dim(), slot.initStddev());
        float[] state = new float[stateWidths[slot.id()]];
        optimizers[slot.id()].initState(vector, 0, state, 0, rowWidth);
        admitted++;
        if (cache != null) {
            int c = cache.insert(id, this::evict);
            float[] d = cache.data();
            int o = cache.offset(c);
            System.arraycopy(vector, 0, d, o, rowWidth);
            System.arraycopy(state, 0, d, o + rowWidth, state.length);
            cache.setCount(c, 0);
            cache.setLastUpdate(c, nowMs);
            cache.markDirty(c);
        } else {
            put(id, new EmbeddingRow(vector, state, 0, nowMs));
            listener.changed(id, false);
        }
        System.arraycopy(vector, 0, out, off, rowWidth);
        return true;
    }

    private boolean admit(long id, SlotSpec slot, int occurrences) {
        boolean probabilistic = slot.admissionProbability() < 1f;
        int estimate = 0;
        if (slot.admissionThreshold() > 1 || probabilistic) {
            estimate = sketch.add(id, occurrences);
            if (estimate < slot.admissionThreshold()) {
                return false;
            }
        }
        if (!probabilistic) {
            return true;
        }
        // Each of this batch's occurrences is an independent chance. The coin is a hash of the id
        // and its count,
        // not a random stream, so a replay after a restore (or at another parallelism) admits the
        // same ids.
        double pass = 1 - Math.pow(1 - slot.admissionProbability(), occurrences);
        return coin(id, estimate) < pass;
    }

    /**
     * A uniform number in [0, 1) determined by {@code id} and {@code attempt} (SplitMix64
     * finalizer).
     */
    static double coin(long id, long attempt) {
        long z = id * 0x9E3779B97F4A7C15L + attempt * 0xBF58476D1CE4E5B9L + 0x5EEDF00DL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    /** Applies one row gradient {@code grad[off .. off+rowWidth)} with the slot's optimizer. */
    public GradientOutcome applyGradient(long id, float[] grad, int off, long nowMs)
            throws Exception {
        SlotSpec slot = slot(id);
        for (int i = off; i < off + rowWidth; i++) {
            if (!Float.isFinite(grad[i])) {
                return GradientOutcome.NON_FINITE;
            }
        }
        if (slot == null) {
            return GradientOutcome.NO_ROW;
        }
        System.arraycopy(grad, off, scratchGrad, 0, rowWidth);
        boolean clipped =
                slot.clipNorm() > 0f
                        && RowClipping.clipL2(scratchGrad, 0, rowWidth, slot.clipNorm());
        RowOptimizer opt = optimizers[slot.id()];
        if (cache != null) {
            int c = cached(id);
            if (c < 0) {
                return GradientOutcome.NO_ROW;
            }
            int o = cache.offset(c);
            opt.apply(cache.data(), o, cache.data(), o + rowWidth, scratchGrad, 0, rowWidth);
            cache.setCount(c, cache.count(c) + 1);
            cache.setLastUpdate(c, nowMs);
            cache.markDirty(c);
            return clipped ? GradientOutcome.CLIPPED : GradientOutcome.APPLIED;
        } else {
            EmbeddingRow row = stored(id);
            if (row == null) {
                return GradientOutcome.NO_ROW;
            }
            opt.apply(row.vector, 0, row.optimizerState, 0, scratchGrad, 0, rowWidth);
            row.count++;
            row.lastUpdateMs = nowMs;
            store.put(id, row);
        }
        listener.changed(id, false);
        return clipped ? GradientOutcome.CLIPPED : GradientOutcome.APPLIED;
    }

    /**
     * The cache slot of {@code id}, reading its entry from the store on a miss; -1 when it has no
     * row.
     */
    private int cached(long id) throws Exception {
        int c = cache.find(id);
        if (c >= 0) {
            return c;
        }
        EmbeddingRow row = stored(id);
        if (row == null) {
            return -1;
        }
        c = cache.insert(id, this::evict);
        float[] d = cache.data();
        int o = cache.offset(c);
        System.arraycopy(row.vector, 0, d, o, rowWidth);
        System.arraycopy(row.optimizerState, 0, d, o + rowWidth, row.optimizerState.length);
        cache.setCount(c, row.count);
        cache.setLastUpdate(c, row.lastUpdateMs);
        return c;
    }

    private void writeBack(
            long id, float[] data, int offset, int width, long count, long lastUpdate)
            throws Exception {
        SlotSpec slot = slot(id);
        float[] vector = new float[rowWidth];
        float[] state = new float[stateWidths[slot.id()]];
        System.arraycopy(data, offset, vector, 0, rowWidth);
        System.arraycopy(data, offset + rowWidth, state, 0, state.length);
        put(id, new EmbeddingRow(vector, state, count, lastUpdate));
    }

    /** The stored entry of {@code id}, or null; no store read if the id was never written. */
    private EmbeddingRow stored(long id) throws Exception {
        if (!storedIds.mightContain(id)) {
            storeReadsSkipped++;
            return null;
        }
        return store.get(id);
    }

    /** Writes an entry to the store, recording its id as stored first. */
    private void put(long id, EmbeddingRow row) throws Exception {
        storedIds.add(id);
        store.put(id, row);
    }

    /**
     * Replaces the stored-id filter with one holding exactly {@code ids}: every id the store has an
     * entry for. Call it before the first access when the store is not empty (a restore), and
     * whenever all stored ids are at hand (the expiry sweep), to drop removed ids.
     */
    public void rebuildStoredIds(LongList ids) {
        StoredIdFilter f = StoredIdFilter.withCapacity(Math.max(2L * ids.size(), MIN_STORED_IDS));
        for (int i = 0; i < ids.size(); i++) {
            f.add(ids.get(i));
        }
        storedIds = f;
    }

    /** A changed entry leaves the cache: written back, and reported (see ChangeListener). */
    private void evict(long id, float[] data, int offset, int width, long count, long lastUpdate)
            throws Exception {
        writeBack(id, data, offset, width, count, lastUpdate);
        listener.changed(id, false);
    }

    /** Writes every changed cached entry to the store (before a checkpoint barrier). */
    public void flush() throws Exception {
        flush(null);
    }

    /**
     * Writes every changed cached entry to the store, in cache order, and shows each to {@code
     * observer} (if not null) after it is written.
     */
    public void flush(FlushObserver observer) throws Exception {
        if (cache == null) {
            return;
        }
        cache.flush(
                (id, data, offset, width, count, lastUpdate) -> {
                    writeBack(id, data, offset, width, count, lastUpdate);
                    if (observer != null) {
                        observer.flushed(id, data, offset);
                    }
                });
    }

    /**
     * Write-behind: writes changed cached entries not updated since {@code idleBeforeMs} to the
     * store, looking at up to {@code maxVisits} cache slots, and reports each to the {@link
     * ChangeListener} (as an eviction would). Spreads the store writes of cold rows over the
     * checkpoint interval instead of the pause before the barrier.
     *
     * @return entries written (0 without a cache)
     */
    public int writeBehind(long idleBeforeMs, int maxVisits) throws Exception {
        return cache == null ? 0 : cache.writeBehind(idleBeforeMs, maxVisits, this::evict);
    }

    /** Whether {@code id} is cached with changes not yet written to the store. */
    public boolean isDirty(long id) {
        if (cache == null) {
            return false;
        }
        int c = cache.peek(id);
        return c >= 0 && cache.dirty(c);
    }

    /** Whether a stored entry of {@code id} is idle past its slot's expiry at {@code nowMs}. */
    public boolean isExpired(long id, EmbeddingRow row, long nowMs) {
        SlotSpec slot = slot(id);
        return slot == null || nowMs - row.lastUpdateMs > slot.idleExpiry().toMillis();
    }

    /**
     * Drops idle cached entries and the store's copies of them. Stored entries that are not cached
     * are expired by the caller with {@link #isExpired} and {@link #expireStored} (it owns the
     * store's key iteration).
     *
     * @return ids expired from the cache
     */
    public long[] expireCached(long nowMs) throws Exception {
        if (cache == null) {
            return new long[0];
        }
        LongList out = new LongList();
        cache.forEach(
                (c, id) -> {
                    SlotSpec slot = slot(id);
                    if (slot == null
                            || nowMs - cache.lastUpdate(c) > slot.idleExpiry().toMillis()) {
                        out.add(id);
                    }
                });
        for (int i = 0; i < out.size(); i++) {
            cache.remove(out.get(i));
            store.remove(out.get(i));
            listener.changed(out.get(i), true);
        }
        expired += out.size();
        return out.toArray();
    }

    /** Removes a stored (not cached) idle entry. */
    public void expireStored(long id) throws Exception {
        store.remove(id);
        expired++;
        listener.changed(id, true);
    }

    /**
     * Copies the row of {@code id} (not its optimizer state) into {@code out[0 .. rowWidth)} from
     * the cache if it is cached, else from the store, without counting an access; returns false if
     * the id has no row.
     */
    public boolean readRow(long id, float[] out) throws Exception {
        if (cache != null) {
            int c = cache.peek(id);
            if (c >= 0) {
                System.arraycopy(cache.data(), cache.offset(c), out, 0, rowWidth);
                return true;
            }
        }
        EmbeddingRow row = stored(id);
        if (row == null) {
            return false;
        }
        System.arraycopy(row.vector, 0, out, 0, rowWidth);
        return true;
    }

    /** Whether {@code id} is in the cache (its cached copy is authoritative). */
    public boolean isCached(long id) {
        return cache != null && cache.contains(id);
    }

    /** Ages the admission sketch. */
    public void halveSketch() {
        sketch.halve();
    }

    public CountMinSketch sketch() {
        return sketch;
    }

    public RowCache cache() {
        return cache;
    }

    public long admitted() {
        return admitted;
    }

    public long expired() {
        return expired;
    }

    /** Store reads skipped because the id was never written to the store. */
    public long storeReadsSkipped() {
        return storeReadsSkipped;
    }

    /** The filter of ids written to the store. */
    public StoredIdFilter storedIds() {
        return storedIds;
    }

    private SlotSpec slot(long id) {
        return slots[FeatureHasher.slotId(id)];
    }

    /** A growable list of longs. */
    static final class LongList {
        private long[] a = new long[16];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long get(int i) {
            return a[i];
        }

        void set(int i, long v) {
            a[i] = v;
        }

        /** Keeps the first {@code n} elements. */
        void truncate(int n) {
            if (n < 0 || n > this.n) {
                throw new IndexOutOfBoundsException("truncate to " + n + " of " + this.n);
            }
            this.n = n;
        }

        int size() {
            return n;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }

        void clear() {
            n = 0;
        }
    }
}
