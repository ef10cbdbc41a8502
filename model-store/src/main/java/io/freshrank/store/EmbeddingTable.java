package io.freshrank.store;

import io.freshrank.model.RowLookup;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * The serving-side embedding table: feature id to row ({@code float[dim + 1]}, the serving entry:
 * embedding only, no optimizer slots), in a primitive open-addressing hash map (linear probing,
 * Fibonacci hashing, load factor at most 0.6, backward-shift deletion: Knuth, TAOCP vol. 3, 6.4,
 * Algorithm R) so that a table of millions of rows costs one {@code long} and one reference per
 * slot instead of a boxed key and a map entry.
 *
 * <p>Rows are stored with a {@link RowPrecision}: {@link RowPrecision#FLOAT32} keeps the arrays it
 * is given; {@link RowPrecision#FLOAT16} packs them as IEEE half floats into paged {@code short}
 * arrays (no per-row object) and decodes on lookup.
 *
 * <p>Lookup contract: {@link #row} returns an array the caller must not mutate. With FLOAT16 it is
 * a buffer owned by the calling thread and this table, overwritten by that thread's next {@code
 * row} call on this table: consume (or copy) it before looking up the next id. The scorer does
 * ({@code io.freshrank.model.BatchAssembler} adds each row into its pooled input before the next
 * lookup), so FLOAT16 tables serve without allocating.
 *
 * <p>Threading: filled (and, for a delta, trimmed by {@link #remove}) by one thread while a
 * snapshot loads, then only read. Reads are safe from any number of threads once the table was
 * published through a happens-before edge (the server swaps models through an {@code
 * AtomicReference}); {@link #put} and {@link #remove} are not thread-safe.
 */
public final class EmbeddingTable implements RowLookup {
    private static final double MAX_LOAD = 0.6;
    private static final int MAX_BITS = 30;
    private static final long PHI = 0x9E3779B97F4A7C15L;
    private static final int MIN_PAGE_BITS = 6;
    private static final int MAX_PAGE_BITS = 14;
    private static final long ARRAY_HEADER = 16;

    private final int rowWidth;
    private final RowPrecision precision;
    private long[] keys;

    /** FLOAT32: the row of each slot, null = empty slot. Null with FLOAT16. */
    private float[][] rows;

    /** FLOAT16: 1 + the arena row of each slot, 0 = empty slot. Null with FLOAT32. */
    private int[] refs;

    private int bits;
    private int size;

    // FLOAT16 arena: row r lives in pages[r >>> pageBits] at ((r & pageMask) * rowWidth)
    private final int pageBits;
    private short[][] pages;
    private int arenaRows;
    private int[] freeRows;
    private int freeCount;
    private final ThreadLocal<float[]> scratch;

    /**
     * A FLOAT32 table.
     *
     * @param rowWidth floats per row (dim + 1); every row put must have this length
     * @param expectedRows rows the table should hold without resizing
     */
    public EmbeddingTable(int rowWidth, long expectedRows) {
        this(rowWidth, expectedRows, RowPrecision.FLOAT32);
    }

    /**
     * @param rowWidth floats per row (dim + 1); every row put must have this length
     * @param expectedRows rows the table should hold without resizing
     * @param precision how rows are kept in memory
     */
    public EmbeddingTable(int rowWidth, long expectedRows, RowPrecision precision) {
        if (rowWidth < 1) {
            throw new IllegalArgumentException("rowWidth must be >= 1, got " + rowWidth);
        }
        this.rowWidth = rowWidth;
        this.precision = Objects.requireNonNull(precision, "precision");
        int b = 4;
        while (b < MAX_BITS && (1L << b) * MAX_LOAD < expectedRows) {
            b++;
        }
        int p = MIN_PAGE_BITS;
        while (p < MAX_PAGE_BITS && (1L << p) < expectedRows) {
            p++;
        }
        this.pageBits = p;
        if (precision == RowPrecision.FLOAT16) {
            this.pages = new short[4][];
            this.freeRows = new int[0];
            this.scratch = ThreadLocal.withInitial(() -> new float[rowWidth]);
        } else {
            this.scratch = null;
        }
        allocate(b);
    }

    /** A copy sharing nothing mutable with {@code source} (FLOAT32 row arrays are shared). */
    private EmbeddingTable(EmbeddingTable source) {
        this.rowWidth = source.rowWidth;
        this.precision = source.precision;
        this.bits = source.bits;
        this.size = source.size;
        this.keys = source.keys.clone();
        this.rows = source.rows == null ? null : source.rows.clone();
        this.refs = source.refs == null ? null : source.refs.clone();
        this.pageBits = source.pageBits;
        if (source.pages != null) {
            this.pages = new short[source.pages.length][];
            for (int i = 0; i < pages.length; i++) {
                pages[i] = source.pages[i] == null ? null : source.pages[i].clone();
            }
            this.arenaRows = source.arenaRows;
            this.freeRows = Arrays.copyOf(source.freeRows, source.freeCount);
            this.freeCount = source.freeCount;
            this.scratch = ThreadLocal.withInitial(() -> new float[rowWidth]);
        } else {
            this.scratch = null;
        }
    }

    private void allocate(int newBits) {
        bits = newBits;
        keys = new long[1 << newBits];
        if (precision == RowPrecision.FLOAT16) {
            refs = new int[1 << newBits];
        } else {
            rows = new float[1 << newBits][];
        }
    }

    private int slot(long key) {
        return (int) ((key * PHI) >>> (64 - bits));
    }

    private boolean occupied(int i) {
        return rows != null ? rows[i] != null : refs[i] != 0;
    }

    /** The slot holding {@code featureId}, or -1. */
    private int find(long featureId) {
        int mask = (1 << bits) - 1;
        for (int i = slot(featureId); ; i = (i + 1) & mask) {
            if (!occupied(i)) {
                return -1;
            }
            if (keys[i] == featureId) {
                return i;
            }
        }
    }

    /**
     * The row of {@code featureId}, or null when absent. Do not mutate it; with {@link
     * RowPrecision#FLOAT16} it is this thread's decode buffer, valid until its next {@code row}
     * call on this table (see the class comment).
     */
    @Override
    public float[] row(long featureId) {
        int mask = (1 << bits) - 1;
        if (rows != null) {
            for (int i = slot(featureId); ; i = (i + 1) & mask) {
                float[] r = rows[i];
                if (r == null) {
                    return null;
                }
                if (keys[i] == featureId) {
                    return r;
                }
            }
        }
        for (int i = slot(featureId); ; i = (i + 1) & mask) {
            int ref = refs[i];
            if (ref == 0) {
                return null;
            }
            if (keys[i] == featureId) {
                return decode(ref - 1, scratch.get());
            }
        }
    }

    /** Whether {@code featureId} has a row. */
    public boolean contains(long featureId) {
        return find(featureId) >= 0;
    }

    /**
     * Maps {@code featureId} to {@code row}: FLOAT32 keeps the array (not copied; never mutate it
     * afterwards), FLOAT16 encodes it at once.
     *
     * @return the row it replaces (FLOAT16: a decoded copy), or null
     * @throws IllegalArgumentException if the row does not have {@link #rowWidth()} floats, or
     *     (FLOAT16) holds a finite value beyond the half range ±{@value HalfFloat#MAX_VALUE}
     */
    public float[] put(long featureId, float[] row) {
        if (row == null || row.length != rowWidth) {
            throw new IllegalArgumentException(
                    "row of feature id "
                            + featureId
                            + " must have "
                            + rowWidth
                            + " floats, got "
                            + (row == null ? "null" : row.length));
        }
        if (refs != null) {
            checkHalfRange(featureId, row);
        }
        int existing = find(featureId);
        if (existing >= 0) {
            if (rows != null) {
                float[] r = rows[existing];
                rows[existing] = row;
                return r;
            }
            float[] previous = decode(refs[existing] - 1, new float[rowWidth]);
            encode(refs[existing] - 1, row);
            return previous;
        }
        if (size + 1 > (1L << bits) * MAX_LOAD) {
            grow();
        }
        int mask = (1 << bits) - 1;
        int i = slot(featureId);
        while (occupied(i)) {
            i = (i + 1) & mask;
        }
        keys[i] = featureId;
        if (rows != null) {
            rows[i] = row;
        } else {
            int r = allocateRow();
            encode(r, row);
            refs[i] = r + 1;
        }
        size++;
        return null;
    }

    private static void checkHalfRange(long featureId, float[] row) {
        for (int c = 0; c < row.length; c++) {
            if (Float.isFinite(row[c]) && Math.abs(row[c]) > HalfFloat.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "row of feature id "
                                + featureId
                                + " has a value of magnitude "
                                + Math.abs(row[c])
                                + " at index "
                                + c
                                + ", beyond the FLOAT16 range (±"
                                + HalfFloat.MAX_VALUE
                                + "); store this model with FLOAT32 rows");
            }
        }
    }

    /**
     * Removes the row of {@code featureId}.
     *
     * @return whether it had one
     */
    public boolean remove(long featureId) {
        int gap = find(featureId);
        if (gap < 0) {
            return false;
        }
        if (refs != null) {
            freeRow(refs[gap] - 1);
        }
        int mask = (1 << bits) - 1;
        // shift back every later entry of the probe run whose home is not in (gap, j]
        for (int j = (gap + 1) & mask; occupied(j); j = (j + 1) & mask) {
            int home = slot(keys[j]);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                if (rows != null) {
                    rows[gap] = rows[j];
                } else {
                    refs[gap] = refs[j];
                }
                gap = j;
            }
        }
        keys[gap] = 0;
        if (rows != null) {
            rows[gap] = null;
        } else {
            refs[gap] = 0;
        }
        size--;
        return true;
    }

    private void grow() {
        if (bits >= MAX_BITS) {
            throw new IllegalStateException(
                    "embedding table is full at " + size + " rows (capacity 2^" + MAX_BITS + ")");
        }
        long[] oldKeys = keys;
        float[][] oldRows = rows;
        int[] oldRefs = refs;
        allocate(bits + 1);
        int mask = (1 << bits) - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            boolean used = oldRows != null ? oldRows[j] != null : oldRefs[j] != 0;
            if (used) {
                int i = slot(oldKeys[j]);
                while (occupied(i)) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                if (oldRows != null) {
                    rows[i] = oldRows[j];
                } else {
                    refs[i] = oldRefs[j];
                }
            }
        }
    }

    private int allocateRow() {
        if (freeCount > 0) {
            return freeRows[--freeCount];
        }
        int r = arenaRows++;
        int page = r >>> pageBits;
        if (page == pages.length) {
            pages = Arrays.copyOf(pages, pages.length * 2);
        }
        if (pages[page] == null) {
            pages[page] = new short[(1 << pageBits) * rowWidth];
        }
        return r;
    }

    private void freeRow(int r) {
        if (freeCount == freeRows.length) {
            freeRows = Arrays.copyOf(freeRows, Math.max(16, freeRows.length * 2));
        }
        freeRows[freeCount++] = r;
    }

    private void encode(int r, float[] row) {
        short[] page = pages[r >>> pageBits];
        int off = (r & ((1 << pageBits) - 1)) * rowWidth;
        for (int c = 0; c < rowWidth; c++) {
            page[off + c] = HalfFloat.fromFloat(row[c]);
        }
    }

    private float[] decode(int r, float[] out) {
        short[] page = pages[r >>> pageBits];
        int off = (r & ((1 << pageBits) - 1)) * rowWidth;
        for (int c = 0; c < rowWidth; c++) {
            out[c] = HalfFloat.toFloat(page[off + c]);
        }
        return out;
    }

    /**
     * An independent copy of this table (same precision, same rows) that can be changed without
     * affecting this one: a compaction starts from it instead of re-inserting every row. FLOAT32
     * row arrays are shared (tables never mutate them); everything else is copied.
     */
    public EmbeddingTable copy() {
        return new EmbeddingTable(this);
    }

    /** Rows in the table. */
    public int size() {
        return size;
    }

    /** Floats per row (dim + 1). */
    public int rowWidth() {
        return rowWidth;
    }

    /** How rows are kept in memory. */
    public RowPrecision precision() {
        return precision;
    }

    /**
     * Approximate heap footprint in bytes: the key and slot arrays plus the rows (FLOAT32: every
     * row array; FLOAT16: every allocated page), assuming compressed references and 16-byte array
     * headers.
     */
    public long approximateBytes() {
        long slots = 1L << bits;
        if (rows != null) {
            long rowBytes = ARRAY_HEADER + align(rowWidth * (long) Float.BYTES);
            return 2 * ARRAY_HEADER + slots * (Long.BYTES + 4) + size * rowBytes;
        }
        long pageBytes = ARRAY_HEADER + align((1L << pageBits) * rowWidth * Short.BYTES);
        long allocatedPages = 0;
        for (short[] p : pages) {
            if (p != null) {
                allocatedPages++;
            }
        }
        return 2 * ARRAY_HEADER
                + slots * (Long.BYTES + Integer.BYTES)
                + ARRAY_HEADER
                + align(pages.length * 4L)
                + allocatedPages * pageBytes
                + ARRAY_HEADER
                + align(freeRows.length * (long) Integer.BYTES);
    }

    private static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }

    /**
     * Visits every (id, row) pair, in no particular order. With FLOAT16 the row is a buffer reused
     * for the next pair: copy it to keep it ({@link #put} on a FLOAT16 table copies by encoding).
     */
    public void forEach(RowVisitor visitor) {
        if (rows != null) {
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] != null) {
                    visitor.visit(keys[i], rows[i]);
                }
            }
            return;
        }
        float[] buffer = new float[rowWidth];
        for (int i = 0; i < refs.length; i++) {
            if (refs[i] != 0) {
                visitor.visit(keys[i], decode(refs[i] - 1, buffer));
            }
        }
    }

    /** Visits every feature id that has a row, in no particular order, without decoding rows. */
    public void forEachId(LongConsumer visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (occupied(i)) {
                visitor.accept(keys[i]);
            }
        }
    }

    /** Receives the rows of {@link #forEach}. */
    @FunctionalInterface
    public interface RowVisitor {
        void visit(long featureId, float[] row);
    }
}
