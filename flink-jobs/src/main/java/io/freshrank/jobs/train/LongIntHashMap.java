package io.freshrank.jobs.train;

/**
 * A map from long keys to non-negative int values without boxing: open addressing with linear
 * probing, insert and lookup only (the trainer builds one per batch and drops it). Zero is a legal
 * key. Not thread-safe.
 */
public final class LongIntHashMap {
    private long[] keys;
    private int[] values;
    private int mask;
    private int size;
    private int zeroValue = -1;

    public LongIntHashMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        mask = cap - 1;
    }

    /**
     * Maps {@code key} to {@code value} unless it is mapped already.
     *
     * @return whether it was added
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public boolean putIfAbsent(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("values must be >= 0, got " + value);
        }
        if (key == 0) {
            if (zeroValue >= 0) {
                return false;
            }
            zeroValue = value;
            return true;
        }
        int i = slot(key);
        while (keys[i] != 0) {
            if (keys[i] == key) {
                return false;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return true;
    }

    /** The value of {@code key}, or -1. */
    public int get(long key) {
        if (key == 0) {
            return zeroValue;
        }
        int i = slot(key);
        while (keys[i] != 0) {
            if (keys[i] == key) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    public int size() {
        return size + (zeroValue >= 0 ? 1 : 0);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = slot(oldKeys[j]);
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }
}
