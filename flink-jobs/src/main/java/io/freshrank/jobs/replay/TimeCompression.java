package io.freshrank.jobs.replay;

/**
 * Maps original event times to replayed ones: {@code t -> startMs + floor((t - originMs) /
 * factor)}. The map is non-decreasing, so the order of events is kept (ties may appear when gaps
 * shrink below a millisecond), and a gap {@code g} becomes {@code g / factor} up to one millisecond
 * of rounding. Immutable.
 *
 * @param originMs the original time mapped to {@code startMs}
 * @param startMs replayed time of {@code originMs}
 * @param factor compression factor, finite and {@code > 0}
 */
public record TimeCompression(long originMs, long startMs, double factor) {

    public TimeCompression {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException(
                    "compression factor must be finite and > 0; got " + factor);
        }
    }

    /** The replayed time of original time {@code originalMs}. */
    public long apply(long originalMs) {
        if (factor == 1.0) {
            return startMs + (originalMs - originMs);
        }
        return startMs + (long) Math.floor((originalMs - originMs) / factor);
    }
}
