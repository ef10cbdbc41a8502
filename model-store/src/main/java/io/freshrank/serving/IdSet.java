package io.freshrank.serving;

import java.util.function.LongConsumer;

/**
 * A set of feature ids (any {@code long}, 0 included) in a primitive open-addressing table (linear
 * probing, Fibonacci hashing, load factor at most 0.5): the ids a delta deletes, probed on every
 * lookup that falls through the delta's rows. Add-only; filled by one thread, then read by any
 * number once published through a happens-before edge.
 */
final class IdSet {
    private static final long PHI = 0x9E3779B97F4A7C15L;

    private long[] keys;
    private boolean[] used;
    private int bits;
    private int size;

    IdSet(int expected) {
        int b = 2;
        while (b < 30 && (1L << b) < 2L * expected) {
            b++;
        }
        allocate(b);
    }

    private void allocate(int newBits) {
        bits = newBits;
        keys = new long[1 << newBits];
        used = new boolean[1 << newBits];
    }

    private int slot(long id) {
        return (int) ((id * PHI) >>> (64 - bits));
    }

    /** Adds {@code id}; returns whether it was new. */
    boolean add(long id) {
        if (contains(id)) {
            return false;
        }
        if (2L * (size + 1) > (1L << bits)) {
            long[] oldKeys = keys;
            boolean[] oldUsed = used;
            allocate(bits + 1);
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldUsed[j]) {
                    insert(oldKeys[j]);
                }
            }
        }
        insert(id);
        size++;
        return true;
    }

    private void insert(long id) {
        int mask = (1 << bits) - 1;
        int i = slot(id);
        while (used[i]) {
            i = (i + 1) & mask;
        }
        keys[i] = id;
        used[i] = true;
    }

    boolean contains(long id) {
        if (size == 0) {
            return false;
        }
        int mask = (1 << bits) - 1;
        for (int i = slot(id); used[i]; i = (i + 1) & mask) {
            if (keys[i] == id) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return size;
    }

    void forEach(LongConsumer visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) {
                visitor.accept(keys[i]);
            }
        }
    }

    /** Heap bytes of the two arrays (16-byte headers). */
    long approximateBytes() {
        return 32L + keys.length * (long) Long.BYTES + ((used.length + 7L) & ~7L);
    }
}
