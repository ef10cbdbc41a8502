package io.freshrank.serving;

import io.freshrank.model.RowLookup;
import io.freshrank.store.EmbeddingTable;
import io.freshrank.store.RowPrecision;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The embedding rows of a served model: either a base table (a whole loaded snapshot), or an
 * overlay of one applied DELTA (its rows and its deleted ids) on top of its parent's rows, which it
 * references rather than copies. Applying a delta therefore costs the delta's size, not the
 * table's, and never touches the parent: requests that still score with the parent model are
 * unaffected.
 *
 * <p>A lookup walks from the newest overlay down: a row in the overlay wins; else an id the overlay
 * deleted has no row; else the parent decides. That is exactly the store's chain semantics (per
 * delta: deletes first, then rows, so a row deleted and re-added in one delta is present). Each
 * overlay adds up to two hash probes to every lookup that falls through it, so the server bounds
 * the depth and {@link #compact}s into a fresh base table beyond it.
 *
 * <p>Immutable once built; lookups are thread-safe (see {@link EmbeddingTable#row} for the FLOAT16
 * buffer contract, which lookups here pass through unchanged).
 */
final class ServedRows implements RowLookup {
    private static final IdSet NO_IDS = new IdSet(0);

    /** Null for a base. */
    private final ServedRows parent;

    /** Base: every row. Overlay: the delta's rows. */
    private final EmbeddingTable rows;

    /** Overlay: the ids the delta deleted. Base: empty. */
    private final IdSet deleted;

    private final int depth;
    private final int size;

    private ServedRows(ServedRows parent, EmbeddingTable rows, IdSet deleted, int size) {
        this.parent = parent;
        this.rows = rows;
        this.deleted = deleted;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.size = size;
    }

    /** Rows served straight from {@code table}. */
    static ServedRows base(EmbeddingTable table) {
        return new ServedRows(null, Objects.requireNonNull(table, "table"), NO_IDS, table.size());
    }

    /**
     * This model's rows with a delta applied on top: {@code deletedIds} removed, then {@code
     * deltaRows} put. Neither this object nor {@code deltaRows} is changed; {@code deltaRows} is
     * kept (not copied).
     *
     * @throws IllegalArgumentException if the delta's rows have another width or precision
     */
    ServedRows withDelta(EmbeddingTable deltaRows, long[] deletedIds) {
        if (deltaRows.rowWidth() != rows.rowWidth() || deltaRows.precision() != precision()) {
            throw new IllegalArgumentException(
                    "delta rows of width "
                            + deltaRows.rowWidth()
                            + " ("
                            + deltaRows.precision()
                            + ") cannot apply to rows of width "
                            + rows.rowWidth()
                            + " ("
                            + precision()
                            + ")");
        }
        IdSet ids = deletedIds.length == 0 ? NO_IDS : new IdSet(deletedIds.length);
        long[] visible = {size};
        for (long id : deletedIds) {
            if (ids.add(id) && contains(id)) {
                visible[0]--;
            }
        }
        deltaRows.forEachId(
                id -> {
                    if (ids.contains(id) || !contains(id)) {
                        visible[0]++;
                    }
                });
        return new ServedRows(this, deltaRows, ids, Math.toIntExact(visible[0]));
    }

    @Override
    public float[] row(long featureId) {
        ServedRows level = this;
        while (level.parent != null) {
            float[] r = level.rows.row(featureId);
            if (r != null) {
                return r;
            }
            if (level.deleted.contains(featureId)) {
                return null;
            }
            level = level.parent;
        }
        return level.rows.row(featureId);
    }

    boolean contains(long featureId) {
        ServedRows level = this;
        while (level.parent != null) {
            if (level.rows.contains(featureId)) {
                return true;
            }
            if (level.deleted.contains(featureId)) {
                return false;
            }
            level = level.parent;
        }
        return level.rows.contains(featureId);
    }

    /**
     * The same rows in one fresh base table: a copy of the base with every overlay applied oldest
     * first. Runs on the caller's thread and leaves this object untouched (requests keep using it
     * meanwhile). A base returns itself.
     */
    ServedRows compact() {
        if (parent == null) {
            return this;
        }
        Deque<ServedRows> overlays = new ArrayDeque<>();
        ServedRows level = this;
        while (level.parent != null) {
            overlays.addFirst(level);
            level = level.parent;
        }
        EmbeddingTable table = level.rows.copy();
        for (ServedRows o : overlays) {
            o.deleted.forEach(table::remove);
            o.rows.forEach(table::put);
        }
        if (table.size() != size) {
            throw new IllegalStateException(
                    "compaction produced " + table.size() + " rows, the overlays say " + size);
        }
        return base(table);
    }

    /** Overlays above the base table: 0 for a base. */
    int depth() {
        return depth;
    }

    /** Rows a lookup can find. */
    int size() {
        return size;
    }

    int rowWidth() {
        return rows.rowWidth();
    }

    RowPrecision precision() {
        return rows.precision();
    }

    /** The base table; for an overlay, the table at the bottom of the chain. */
    EmbeddingTable baseTable() {
        ServedRows level = this;
        while (level.parent != null) {
            level = level.parent;
        }
        return level.rows;
    }

    /** Heap bytes of every table and id set this chain holds (the base included). */
    long approximateBytes() {
        long sum = 0;
        for (ServedRows level = this; level != null; level = level.parent) {
            sum += level.rows.approximateBytes();
            if (level.deleted != NO_IDS) {
                sum += level.deleted.approximateBytes();
            }
        }
        return sum;
    }
}
