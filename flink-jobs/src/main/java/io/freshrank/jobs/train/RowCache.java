package io.freshrank.jobs.train;

import io.freshrank.features.FeatureHasher;
import java.util.Arrays;
import java.util.Objects;

/**
 * A bounded write-back cache of training entries (row vector + optimizer state, occurrence count,
 * last-update time) keyed by a 64-bit feature id, kept in front of the RocksDB keyed state of an
 * embedding shard so that hot ids run at heap speed (a RocksDB get+update costs ~6-7 us, see
 * DESIGN.md "Training").
 *
 * <p><b>Layout.</b> Entries live in flat primitive slabs indexed by a <i>slot</i> in {@code [0,
 * capacity)}: {@code long[] ids}, {@code float[] data} ({@link #width()} floats per entry, at
 * {@link #offset(int)}; the caller defines what they mean, e.g. {@code [row | Adagrad
 * accumulator]}), {@code long[] counts}, {@code long[] lastUpdates} and one flag byte (live, dirty,
 * CLOCK reference bit). An open-addressing index ({@code int[]} of {@code slot + 1}, power-of-two
 * size, load factor at most 0.75 when full, linear probing, backward-shift deletion: Knuth, TAOCP
 * vol. 3, 6.4 Algorithm R, so there are no tombstones) maps an id to its slot. Nothing is allocated
 * after construction; {@link #heapBytes()} is within a few percent of the raw entry bytes.
 *
 * <p><b>Eviction.</b> CLOCK, i.e. second chance (Corbato 1968): when the cache is full, {@link
 * #insert} advances a hand over the slots, clearing set reference bits, and evicts the first entry
 * whose bit is clear. {@link #find} sets the bit of a hit; a new entry starts with a clear bit but
 * right behind the hand, so it survives a full revolution. An evicted <i>dirty</i> entry is handed
 * to the {@link EvictionSink} before its slot is reused; clean entries are dropped.
 *
 * <p><b>Slot validity.</b> A slot returned by {@link #find} or {@link #insert} stays valid until
 * the next {@link #insert} (which may evict it, even if it was just found), {@link #remove} of that
 * id, or {@link #clear}. Resolve and use one id at a time, or re-{@code find} after inserting. The
 * accessors do not check that a slot is live (an {@code assert} does, when enabled).
 *
 * <p><b>Threading.</b> Not thread-safe: one instance per operator subtask, used from the task
 * thread only (processing, timers and {@code prepareSnapshotPreBarrier} all run there).
 */
public final class RowCache {
    /** Largest index table (int[] of 2^30 entries = 4 GiB). */
    private static final int MAX_TABLE = 1 << 30;

    /** Largest capacity, so that the index stays at most 3/4 full. */
    public static final int MAX_CAPACITY = MAX_TABLE / 4 * 3;

    /** Largest array length the JVMs we run on allocate. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Heap bytes of an array header (compressed oops) */
    private static final int ARRAY_HEADER = 16;

    private static final byte LIVE = 1;
    private static final byte DIRTY = 2;
    private static final byte REFERENCED = 4;

    /**
     * Receives dirty entries leaving the cache (eviction) or being written back ({@link #flush}).
     * The arguments are views of the cache's slabs: copy what is needed, do not keep {@code data}.
     * It must not call back into the cache.
     */
    @FunctionalInterface
    public interface EvictionSink {
        /**
         * Writes one entry back (typically to keyed state). A thrown exception propagates out of
         * {@link #insert} or {@link #flush}, and the entry stays cached and dirty.
         */
        void evicted(long id, float[] data, int offset, int width, long count, long lastUpdate)
                throws Exception;
    }

    /**
     * Visits live entries ({@link #forEach}). It may read and write the entry through the cache's
     * accessors and may {@link #remove} entries (e.g. expiry); it must not {@link #insert}.
     */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(int slot, long id) throws Exception;
    }

    private final int capacity;
    private final int width;
    private final int mask;
    private final int[] table;
    private final long[] ids;
    private final float[] data;

    /** Occurrence counts; for a free slot, the next slot of the free list (or -1). */
    private final long[] counts;

    private final long[] lastUpdates;
    private final byte[] flags;

    private int size;

    /** Slots at or above this index have never been used since construction or clear(). */
    private int highWater;

    /** Head of the free list of removed slots below highWater, linked through counts[]; or -1. */
    private int freeHead = -1;

    private int hand;

    /** Next slot {@link #writeBehind} looks at. */
    private int writeBehindHand;

    private long hits;
    private long misses;
    private long evictions;
    private long dirtyEvictions;

    /**
     * @param capacityRows the number of entries held, 1..{@link #MAX_CAPACITY} and with {@code
     *     capacityRows * width} at most {@code Integer.MAX_VALUE - 8}
     * @param width floats per entry (row vector plus optimizer state), >= 1
     */
    public RowCache(int capacityRows, int width) {
        if (width < 1) {
            throw new IllegalArgumentException(
                    "width (floats per cached entry) must be >= 1, got " + width);
        }
        if (capacityRows < 1) {
            throw new IllegalArgumentException("capacityRows must be >= 1, got " + capacityRows);
        }
        if (capacityRows > maxCapacity(width)) {
            throw new IllegalArgumentException(
                    "capacityRows "
                            + capacityRows
                            + " is too large for width "
                            + width
                            + ": at most "
                            + maxCapacity(width)
                            + " (index <= 2^30 slots, capacityRows * width <= 2^31 - 9 floats);"
                            + " lower capacityRows");
        }
        this.capacity = capacityRows;
        this.width = width;
        int tableSize = tableSize(capacityRows);
        this.mask = tableSize - 1;
        this.table = new int[tableSize];
        this.ids = new long[capacityRows];
        this.data = new float[capacityRows * width];
        this.counts = new long[capacityRows];
        this.lastUpdates = new long[capacityRows];
        this.flags = new byte[capacityRows];
    }

    /**
     * The largest cache of rows of {@code width} floats whose {@link #heapBytes()} is at most
     * {@code maxBytes}.
     *
     * @throws IllegalArgumentException if {@code maxBytes} does not hold a single row
     */
    public static RowCache withMaxBytes(long maxBytes, int width) {
        if (width < 1) {
            throw new IllegalArgumentException(
                    "width (floats per cached entry) must be >= 1, got " + width);
        }
        if (heapBytes(1, width) > maxBytes) {
            throw new IllegalArgumentException(
                    "maxBytes "
                            + maxBytes
                            + " is below the size of a cache of one row of width "
                            + width
                            + " ("
                            + heapBytes(1, width)
                            + " bytes); raise maxBytes");
        }
        // heapBytes(c, width) grows with c, so binary-search the largest c that fits.
        int lo = 1;
        int hi = maxCapacity(width);
        while (lo < hi) {
            int mid = (int) (((long) lo + hi + 1) >>> 1);
            if (heapBytes(mid, width) <= maxBytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return new RowCache(lo, width);
    }

    /**
     * An upper bound of the heap bytes one cached row costs, index included: {@code 8 (id) + 4 *
     * width + 8 (count) + 8 (last update) + 1 (flags) + 11 (index)}. The index is a power of two
     * between 4/3 and 8/3 slots per row, so its share is 5.3..10.7 bytes; {@link #heapBytes()} is
     * the exact figure of an instance.
     */
    public static long bytesPerRow(int width) {
        if (width < 1) {
            throw new IllegalArgumentException(
                    "width (floats per cached entry) must be >= 1, got " + width);
        }
        return 8L + 4L * width + 8 + 8 + 1 + 11;
    }

    /**
     * Looks an id up. A hit sets the entry's reference bit; hits and misses are counted.
     *
     * @return the entry's slot, or -1 if the id is not cached
     */
    public int find(long id) {
        int t = table[probe(id)];
        if (t == 0) {
            misses++;
            return -1;
        }
        int slot = t - 1;
        flags[slot] |= REFERENCED;
        hits++;
        return slot;
    }

    /**
     * Whether an id is cached, without touching statistics or reference bits (for tests and
     * assertions).
     */
    public boolean contains(long id) {
        return table[probe(id)] != 0;
    }

    /**
     * The slot of a cached id, or -1, without touching statistics or reference bits (for reads that
     * are not accesses, such as snapshot staging).
     */
    public int peek(long id) {
        return table[probe(id)] - 1;
    }

    /**
     * Adds an entry for an id that is not cached and returns its slot. The new entry is clean, its
     * data zero, its count and last update 0, its reference bit clear: fill it in, and {@link
     * #markDirty} it unless it equals what the backing state holds. If the cache is full, one entry
     * is evicted by CLOCK first; if that entry is dirty it goes to {@code sink} before its slot is
     * reused. If the sink throws, the exception propagates and nothing changes but reference bits
     * and the CLOCK hand (the victim stays cached and dirty, the id is not added; a retry offers
     * the same victim again).
     *
     * @throws IllegalArgumentException if the id is already cached
     */
    public int insert(long id, EvictionSink sink) throws Exception {
        Objects.requireNonNull(sink, "sink");
        int pos = probe(id);
        if (table[pos] != 0) {
            throw new IllegalArgumentException(
                    "id "
                            + id
                            + " is already cached in slot "
                            + (table[pos] - 1)
                            + "; call find() before insert()");
        }
        int slot;
        if (size < capacity) {
            slot = allocate();
        } else {
            slot = evict(sink);
            pos = probe(id); // the deletion may have shifted entries
        }
        table[pos] = slot + 1;
        ids[slot] = id;
        int offset = slot * width;
        Arrays.fill(data, offset, offset + width, 0f);
        counts[slot] = 0;
        lastUpdates[slot] = 0;
        flags[slot] = LIVE;
        size++;
        return slot;
    }

    /**
     * Drops an entry without writing it back (expiry: the caller clears the backing state too).
     *
     * @return whether the id was cached
     */
    public boolean remove(long id) {
        int pos = probe(id);
        int t = table[pos];
        if (t == 0) {
            return false;
        }
        deleteAt(pos);
        release(t - 1);
        return true;
    }

    /**
     * Hands every dirty entry to {@code sink} and marks it clean; entries stay cached. Call before
     * each checkpoint barrier. If the sink throws, the entries written so far are clean and the
     * rest stay dirty.
     */
    public void flush(EvictionSink sink) throws Exception {
        Objects.requireNonNull(sink, "sink");
        for (int slot = 0; slot < highWater; slot++) {
            if ((flags[slot] & DIRTY) != 0) {
                sink.evicted(ids[slot], data, slot * width, width, counts[slot], lastUpdates[slot]);
                flags[slot] &= ~DIRTY;
            }
        }
    }

    /**
     * Write-behind between checkpoints: hands dirty entries last updated before {@code idleBefore}
     * to {@code sink} and marks them clean (they stay cached), so that the next {@link #flush} has
     * fewer to write. Visits at most {@code maxVisits} slots, continuing where the previous call
     * stopped (a hand that wraps around). If the sink throws, the entries written so far are clean
     * and the rest stay dirty.
     *
     * @return entries written back
     */
    public int writeBehind(long idleBefore, int maxVisits, EvictionSink sink) throws Exception {
        Objects.requireNonNull(sink, "sink");
        int written = 0;
        int end = highWater;
        for (int v = 0; v < maxVisits && end > 0; v++) {
            if (writeBehindHand >= end) {
                writeBehindHand = 0;
            }
            int slot = writeBehindHand++;
            if ((flags[slot] & DIRTY) != 0 && lastUpdates[slot] < idleBefore) {
                sink.evicted(ids[slot], data, slot * width, width, counts[slot], lastUpdates[slot]);
                flags[slot] &= ~DIRTY;
                written++;
            }
        }
        return written;
    }

    /** Visits every live entry once, in slot order. See {@link EntryVisitor} for what it may do. */
    public void forEach(EntryVisitor visitor) throws Exception {
        Objects.requireNonNull(visitor, "visitor");
        for (int slot = 0; slot < highWater; slot++) {
            if ((flags[slot] & LIVE) != 0) {
                visitor.visit(slot, ids[slot]);
            }
        }
    }

    /** Drops every entry without writing anything back. Statistics are kept. */
    public void clear() {
        Arrays.fill(table, 0);
        Arrays.fill(flags, 0, highWater, (byte) 0);
        size = 0;
        highWater = 0;
        freeHead = -1;
        hand = 0;
        writeBehindHand = 0;
    }

    /** The data slab shared by all entries; an entry's floats are at {@code [offset, +width)}. */
    public float[] data() {
        return data;
    }

    public int offset(int slot) {
        assert live(slot) : "slot " + slot + " is not live";
        return slot * width;
    }

    public long id(int slot) {
        assert live(slot) : "slot " + slot + " is not live";
        return ids[slot];
    }

    public long count(int slot) {
        assert live(slot) : "slot " + slot + " is not live";
        return counts[slot];
    }

    public void setCount(int slot, long count) {
        assert live(slot) : "slot " + slot + " is not live";
        counts[slot] = count;
    }

    public long lastUpdate(int slot) {
        assert live(slot) : "slot " + slot + " is not live";
        return lastUpdates[slot];
    }

    public void setLastUpdate(int slot, long lastUpdate) {
        assert live(slot) : "slot " + slot + " is not live";
        lastUpdates[slot] = lastUpdate;
    }

    /** Marks an entry as changed since it was loaded or flushed, so it is written back. */
    public void markDirty(int slot) {
        assert live(slot) : "slot " + slot + " is not live";
        flags[slot] |= DIRTY;
    }

    public boolean dirty(int slot) {
        assert live(slot) : "slot " + slot + " is not live";
        return (flags[slot] & DIRTY) != 0;
    }

    /** Floats per entry. */
    public int width() {
        return width;
    }

    /** Live entries. */
    public int size() {
        return size;
    }

    /** Maximum number of entries. */
    public int capacity() {
        return capacity;
    }

    /** {@link #find} calls that found the id. */
    public long hits() {
        return hits;
    }

    /** {@link #find} calls that did not find the id. */
    public long misses() {
        return misses;
    }

    /** Entries evicted by CLOCK (clean or dirty). */
    public long evictions() {
        return evictions;
    }

    /** Evicted entries that were dirty and went to the sink. */
    public long dirtyEvictions() {
        return dirtyEvictions;
    }

    /** {@code hits / (hits + misses)}, or 0 before the first {@link #find}. */
    public double hitRate() {
        long lookups = hits + misses;
        return lookups == 0 ? 0.0 : (double) hits / lookups;
    }

    /**
     * Heap bytes of this cache's arrays, computed from their lengths (16-byte array headers, 8-byte
     * alignment); the object itself adds under 100 bytes.
     */
    public long heapBytes() {
        return arrayBytes(table.length, 4)
                + arrayBytes(ids.length, 8)
                + arrayBytes(data.length, 4)
                + arrayBytes(counts.length, 8)
                + arrayBytes(lastUpdates.length, 8)
                + arrayBytes(flags.length, 1);
    }

    @Override
    public String toString() {
        return "RowCache{size="
                + size
                + ", capacity="
                + capacity
                + ", width="
                + width
                + ", hits="
                + hits
                + ", misses="
                + misses
                + ", evictions="
                + evictions
                + ", dirtyEvictions="
                + dirtyEvictions
                + ", heapBytes="
                + heapBytes()
                + "}";
    }

    /** The position of {@code id} in the index, or the empty position where it would go. */
    private int probe(long id) {
        int pos = home(id);
        while (true) {
            int t = table[pos];
            if (t == 0 || ids[t - 1] == id) {
                return pos;
            }
            pos = (pos + 1) & mask;
        }
    }

    private int home(long id) {
        return (int) FeatureHasher.fmix64(id) & mask;
    }

    /**
     * Empties index position {@code pos} and shifts later entries of its probe run back into the
     * gap where their home allows it (Algorithm R), so that probing never needs tombstones.
     */
    private void deleteAt(int pos) {
        int gap = pos;
        int j = pos;
        while (true) {
            j = (j + 1) & mask;
            int t = table[j];
            if (t == 0) {
                break;
            }
            int home = home(ids[t - 1]);
            // The entry at j may move to the gap iff the gap lies cyclically in [home, j).
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                table[gap] = t;
                gap = j;
            }
        }
        table[gap] = 0;
    }

    private int allocate() {
        if (freeHead >= 0) {
            int slot = freeHead;
            freeHead = (int) counts[slot];
            return slot;
        }
        return highWater++;
    }

    private void release(int slot) {
        flags[slot] = 0;
        counts[slot] = freeHead;
        freeHead = slot;
        size--;
    }

    /** Evicts one entry by CLOCK (the cache is full) and returns its now unindexed slot. */
    private int evict(EvictionSink sink) throws Exception {
        while ((flags[hand] & REFERENCED) != 0) {
            flags[hand] &= ~REFERENCED;
            hand = hand + 1 == capacity ? 0 : hand + 1;
        }
        int victim = hand;
        assert live(victim) : "full cache with a free slot " + victim;
        boolean dirty = (flags[victim] & DIRTY) != 0;
        if (dirty) {
            // Before any change: if the sink throws, the victim stays cached and dirty.
            sink.evicted(
                    ids[victim], data, victim * width, width, counts[victim], lastUpdates[victim]);
            dirtyEvictions++;
        }
        hand = hand + 1 == capacity ? 0 : hand + 1;
        deleteAt(probe(ids[victim]));
        flags[victim] = 0;
        size--;
        evictions++;
        return victim;
    }

    private boolean live(int slot) {
        return slot >= 0 && slot < capacity && (flags[slot] & LIVE) != 0;
    }

    private static int maxCapacity(int width) {
        return Math.min(MAX_CAPACITY, MAX_ARRAY / width);
    }

    /** The smallest power of two with {@code capacity <= 3/4 * size} (and >= 2). */
    private static int tableSize(int capacity) {
        long min = ((long) capacity * 4 + 2) / 3;
        int size = 2;
        while (size < min) {
            size <<= 1;
        }
        return size;
    }

    private static long heapBytes(int capacity, int width) {
        return arrayBytes(tableSize(capacity), 4)
                + arrayBytes(capacity, 8) * 3
                + arrayBytes((long) capacity * width, 4)
                + arrayBytes(capacity, 1);
    }

    private static long arrayBytes(long length, int elementBytes) {
        return (ARRAY_HEADER + length * elementBytes + 7) & ~7L;
    }
}
