package io.freshrank.jobs.join;

import io.freshrank.jobs.common.FreshrankOptions;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Resolved, validated settings of the label join.
 *
 * @param windows attribution window per action type (event time)
 * @param orphanGrace how long actions wait for their impression, and emitted impressions are
 *     remembered
 * @param outOfOrderness watermark bound
 * @param idleness after which a silent source partition no longer holds back the watermark
 * @param emissionPolicy when impressions are emitted (see the package doc)
 * @param negativeSamplingRate probability with which a negative at window close is kept
 * @param stateTtlMargin added to the longest window and the grace period to give the state's TTL
 */
public record JoinConfig(
        AttributionWindows windows,
        Duration orphanGrace,
        Duration outOfOrderness,
        Duration idleness,
        EmissionPolicy emissionPolicy,
        double negativeSamplingRate,
        Duration stateTtlMargin)
        implements Serializable {

    public JoinConfig {
        if (windows == null) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_WINDOWS.key() + " must be set");
        }
        if (orphanGrace.isNegative()) {
            throw new IllegalArgumentException(
                    FreshrankOptions.ORPHAN_GRACE.key() + " must be >= 0, got " + orphanGrace);
        }
        if (emissionPolicy == null) {
            throw new IllegalArgumentException(
                    FreshrankOptions.EMISSION_POLICY.key() + " must be set");
        }
        new NegativeSampler(negativeSamplingRate); // validates the rate
        if (stateTtlMargin.isNegative()) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_STATE_TTL_MARGIN.key()
                            + " must be >= 0, got "
                            + stateTtlMargin);
        }
    }

    /**
     * One window for every action type, no sampling, the default TTL margin: the settings of the
     * operator tests.
     */
    public static JoinConfig of(Duration window, Duration orphanGrace, EmissionPolicy policy) {
        return new JoinConfig(
                AttributionWindows.uniform(window),
                orphanGrace,
                FreshrankOptions.OUT_OF_ORDERNESS.defaultValue(),
                FreshrankOptions.SOURCE_IDLENESS.defaultValue(),
                policy,
                1.0,
                FreshrankOptions.JOIN_STATE_TTL_MARGIN.defaultValue());
    }

    public static JoinConfig from(Configuration conf) {
        return new JoinConfig(
                AttributionWindows.parse(
                        conf.get(FreshrankOptions.JOIN_WINDOWS),
                        conf.get(FreshrankOptions.ATTRIBUTION_WINDOW)),
                conf.get(FreshrankOptions.ORPHAN_GRACE),
                conf.get(FreshrankOptions.OUT_OF_ORDERNESS),
                conf.get(FreshrankOptions.SOURCE_IDLENESS),
                EmissionPolicy.parse(conf.get(FreshrankOptions.EMISSION_POLICY)),
                conf.get(FreshrankOptions.NEGATIVE_SAMPLING_RATE),
                conf.get(FreshrankOptions.JOIN_STATE_TTL_MARGIN));
    }

    /** Same settings with another negative sampling rate. */
    public JoinConfig withNegativeSamplingRate(double rate) {
        return new JoinConfig(
                windows,
                orphanGrace,
                outOfOrderness,
                idleness,
                emissionPolicy,
                rate,
                stateTtlMargin);
    }

    /** Same settings with other attribution windows. */
    public JoinConfig withWindows(AttributionWindows w) {
        return new JoinConfig(
                w,
                orphanGrace,
                outOfOrderness,
                idleness,
                emissionPolicy,
                negativeSamplingRate,
                stateTtlMargin);
    }

    /**
     * TTL of the join's keyed state: longest window + orphan grace + margin. Timers clear the state
     * long before in normal operation; the TTL only bounds what a lost timer would leak.
     */
    public Duration stateTtl() {
        return Duration.ofMillis(windows.longestMs()).plus(orphanGrace).plus(stateTtlMargin);
    }
}
