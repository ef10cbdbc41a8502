package io.freshrank.metrics;

/** Capacity growth for the package's growable primitive buffers. */
final class Growth {
    /** The largest array most JVMs allocate. */
    static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    private Growth() {}

    /** A capacity of at least {@code needed}: 1.5x the current one, capped at the JVM limit. */
    static int nextCapacity(int current, int needed) {
        if (needed < 0 || needed > MAX_CAPACITY) {
            throw new IllegalStateException(
                    "metric buffer full: cannot hold "
                            + Integer.toUnsignedString(needed)
                            + " values");
        }
        long grown = Math.max((long) current + (current >> 1), 16L);
        return (int) Math.min(MAX_CAPACITY, Math.max(grown, needed));
    }
}
