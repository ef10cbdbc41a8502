package io.freshrank.jobs.train;

import java.util.Arrays;

/**
 * A set of longs without boxing: open addressing with linear probing over one {@code long[]}, and
 * backward-shift deletion (no tombstones). The shard tracks the ids changed or removed since its
 * previous snapshot in two of these; a {@code HashSet<Long>} there cost a fifth of the shard's time
 * (an allocation and a hash-map node per gradient).
 *
 * <p>Zero is a legal element (it is held in a flag, the table uses 0 as "empty"). Not thread-safe.
 */
public final class LongHashSet {
    private static final float MAX_LOAD = 0.5f;

    private long[] table;
    private int mask;
    private int size;
    private boolean hasZero;

    public LongHashSet() {
        this(16);
    }

    public LongHashSet(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, (int) Math.min(1 << 30, expected / MAX_LOAD)));
        if (cap < expected / MAX_LOAD) {
            cap <<= 1;
        }
        table = new long[cap];
        mask = cap - 1;
    }

    /**
     * @return whether the set changed
     */
    public boolean add(long v) {
        if (v == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        int i = slot(v);
        while (table[i] != 0) {
            if (table[i] == v) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = v;
        size++;
        if (size > table.length * MAX_LOAD) {
            grow();
        }
        return true;
    }

    public boolean contains(long v) {
        if (v == 0) {
            return hasZero;
        }
        int i = slot(v);
        while (table[i] != 0) {
            if (table[i] == v) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    /**
     * @return whether the set changed
     */
    public boolean remove(long v) {
        if (v == 0) {
            boolean had = hasZero;
            hasZero = false;
            return had;
        }
        int i = slot(v);
        while (table[i] != v) {
            if (table[i] == 0) {
                return false;
            }
            i = (i + 1) & mask;
        }
        // Backward-shift: move later members of the probe run into the hole so lookups that pass
        // through it still find them.
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            long e = table[j];
            if (e == 0) {
                break;
            }
            int home = slot(e);
            // e may move into the hole if its home is not cyclically inside (hole, j].
            boolean homeInRange = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeInRange) {
                table[hole] = e;
                hole = j;
            }
        }
        table[hole] = 0;
        size--;
        return true;
    }

    public int size() {
        return size + (hasZero ? 1 : 0);
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Removes every element; keeps the table's capacity unless it grew past {@code 1 << 16}. */
    public void clear() {
        if (table.length > 1 << 16) {
            table = new long[16];
            mask = 15;
        } else {
            Arrays.fill(table, 0);
        }
        size = 0;
        hasZero = false;
    }

    /** The elements, in no particular order. */
    public long[] toArray() {
        long[] out = new long[size()];
        int k = 0;
        if (hasZero) {
            out[k++] = 0;
        }
        for (long e : table) {
            if (e != 0) {
                out[k++] = e;
            }
        }
        return out;
    }

    private int slot(long v) {
        // Fibonacci hashing; ids are already well mixed in the low bits but not in every test.
        return (int) ((v * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        mask = table.length - 1;
        size = 0;
        for (long e : old) {
            if (e != 0) {
                int i = slot(e);
                while (table[i] != 0) {
                    i = (i + 1) & mask;
                }
                table[i] = e;
                size++;
            }
        }
    }
}
