package io.freshrank.store;

import io.freshrank.model.RowLookup;

/**
 * The serving-side embedding table: feature id to row ({@code float[dim + 1]}, the serving entry:
 * embedding only, no optimizer slots), in a primitive open-addressing hash map (linear probing,
 * Fibonacci hashing, load factor at most 0.6) so that a table of millions of rows costs one {@code
 * long} and one reference per slot instead of a boxed key and a map entry.
 *
 * <p>Threading: filled by one thread while a snapshot loads, then only read. Reads are safe from
 * any number of threads once the table was published through a happens-before edge (the server
 * swaps models through an {@code AtomicReference}); {@link #put} is not thread-safe.
 */
public final class EmbeddingTable implements RowLookup {
    private static final double MAX_LOAD = 0.6;
    private static final int MAX_BITS = 30;
    private static final long PHI = 0x9E3779B97F4A7C15L;

    private final int rowWidth;
    private long[] keys;
    private float[][] rows;
    private int bits;
    private int size;

    /**
     * @param rowWidth floats per row (dim + 1); every row put must have this length
     * @param expectedRows rows the table should hold without resizing
     */
    public EmbeddingTable(int rowWidth, long expectedRows) {
        if (rowWidth < 1) {
            throw new IllegalArgumentException("rowWidth must be >= 1, got " + rowWidth);
        }
        this.rowWidth = rowWidth;
        int b = 4;
        while (b < MAX_BITS && (1L << b) * MAX_LOAD < expectedRows) {
            b++;
        }
        allocate(b);
    }

    private void allocate(int newBits) {
        bits = newBits;
        keys = new long[1 << newBits];
        rows = new float[1 << newBits][];
    }

    private int slot(long key) {
        return (int) ((key * PHI) >>> (64 - bits));
    }

    /** The row of {@code featureId}, or null when absent. Do not mutate it. */
    @Override
    public float[] row(long featureId) {
        int mask = (1 << bits) - 1;
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

    /**
     * Maps {@code featureId} to {@code row} (kept, not copied).
     *
     * @return the row it replaces, or null
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
        if (size + 1 > (1L << bits) * MAX_LOAD) {
            grow();
        }
        int mask = (1 << bits) - 1;
        for (int i = slot(featureId); ; i = (i + 1) & mask) {
            float[] r = rows[i];
            if (r == null) {
                keys[i] = featureId;
                rows[i] = row;
                size++;
                return null;
            }
            if (keys[i] == featureId) {
                rows[i] = row;
                return r;
            }
        }
    }

    private void grow() {
        if (bits >= MAX_BITS) {
            throw new IllegalStateException(
                    "embedding table is full at " + size + " rows (capacity 2^" + MAX_BITS + ")");
        }
        long[] oldKeys = keys;
        float[][] oldRows = rows;
        allocate(bits + 1);
        int mask = (1 << bits) - 1;
        for (int j = 0; j < oldRows.length; j++) {
            if (oldRows[j] != null) {
                int i = slot(oldKeys[j]);
                while (rows[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                rows[i] = oldRows[j];
            }
        }
    }

    /** Rows in the table. */
    public int size() {
        return size;
    }

    /** Floats per row (dim + 1). */
    public int rowWidth() {
        return rowWidth;
    }

    /**
     * Approximate heap footprint in bytes: the key and reference arrays plus every row array
     * (assuming compressed references and 16-byte array headers).
     */
    public long approximateBytes() {
        long slots = 1L << bits;
        long rowBytes = 16L + ((rowWidth * (long) Float.BYTES + 7) & ~7L);
        return 2 * 16L + slots * (Long.BYTES + 4) + size * rowBytes;
    }

    /** Visits every (id, row) pair, in no particular order. */
    public void forEach(RowVisitor visitor) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != null) {
                visitor.visit(keys[i], rows[i]);
            }
        }
    }

    /** Receives the rows of {@link #forEach}. */
    @FunctionalInterface
    public interface RowVisitor {
        void visit(long featureId, float[] row);
    }
}
