package io.freshrank.jobs.join;

import io.freshrank.jobs.common.FreshrankOptions;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Resolved, validated settings of the list assembly ({@code freshrank.join.lists=true}).
 *
 * @param closeAfter how long after its impression an example's window closes under the join's
 *     emission policy: an {@code EARLY_POSITIVE} example is emitted before its window closes, so
 *     its list waits for {@code impression time + closeAfter} like its siblings
 * @param grace event time a list waits after the latest window close of its examples
 * @param maxListSize most candidates in one list (the lowest positions are kept)
 * @param stateTtl processing time after its last write at which a waiting list's state expires
 */
public record ListAssemblyConfig(
        Duration closeAfter, Duration grace, int maxListSize, Duration stateTtl)
        implements Serializable {

    public ListAssemblyConfig {
        if (closeAfter == null || closeAfter.isNegative()) {
            throw new IllegalArgumentException(
                    "the attribution window must be >= 0 for list assembly, got " + closeAfter);
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_LISTS_GRACE.key() + " must be >= 0, got " + grace);
        }
        if (maxListSize < 1) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_LISTS_MAX_SIZE.key()
                            + " must be >= 1, got "
                            + maxListSize);
        }
        if (stateTtl == null || stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_LISTS_STATE_TTL.key()
                            + " must be positive, got "
                            + stateTtl);
        }
    }

    /**
     * The list settings of {@code conf} for a join with emission policy {@code policy} whose
     * windows close {@code closeAfter} after the impression under that policy. Rejects {@link
     * EmissionPolicy#FAKE_NEGATIVE}: its examples are a negative per impression plus a correction
     * per click, so a list of them would hold every clicked impression twice with contradicting
     * labels, and waiting for the window close to merge them would be the {@code WINDOW} policy's
     * labels with fewer tasks.
     */
    public static ListAssemblyConfig from(
            Configuration conf, EmissionPolicy policy, Duration closeAfter) {
        if (policy == EmissionPolicy.FAKE_NEGATIVE) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_LISTS.key()
                            + "=true needs "
                            + FreshrankOptions.EMISSION_POLICY.key()
                            + "=WINDOW or EARLY_POSITIVE (FAKE_NEGATIVE emits an impression twice"
                            + " with contradicting labels); change the policy or set "
                            + FreshrankOptions.JOIN_LISTS.key()
                            + "=false");
        }
        return new ListAssemblyConfig(
                closeAfter,
                conf.get(FreshrankOptions.JOIN_LISTS_GRACE),
                conf.get(FreshrankOptions.JOIN_LISTS_MAX_SIZE),
                conf.get(FreshrankOptions.JOIN_LISTS_STATE_TTL));
    }
}
