package io.freshrank.jobs.join;

import io.freshrank.jobs.common.FreshrankOptions;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Negative down-sampling ({@code freshrank.join.negative-sampling-rate}): keeps a negative with
 * probability {@code rate}, decided by a hash of its example id, so every run over the same input
 * (a replay after a restore included) keeps and drops the same examples. Rate 1 keeps everything.
 * Immutable.
 */
public final class NegativeSampler implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long FNV_OFFSET = 0xCBF29CE484222325L;
    private static final long FNV_PRIME = 0x100000001B3L;

    private final double rate;

    public NegativeSampler(double rate) {
        if (!(rate > 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException(
                    FreshrankOptions.NEGATIVE_SAMPLING_RATE.key()
                            + " must be in (0, 1] (1 = keep every negative), got "
                            + rate);
        }
        this.rate = rate;
    }

    public double rate() {
        return rate;
    }

    /** Whether the negative {@code exampleId} is kept. */
    public boolean keep(String exampleId) {
        return rate >= 1.0 || uniform(exampleId) < rate;
    }

    /**
     * A uniform draw in [0, 1) fixed by {@code exampleId}: FNV-1a over its UTF-8 bytes, then the
     * SplitMix64 finaliser so that ids differing in one character land far apart.
     */
    static double uniform(String exampleId) {
        long h = FNV_OFFSET;
        for (byte b : exampleId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * FNV_PRIME;
        }
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53;
    }
}
