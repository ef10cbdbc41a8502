package io.freshrank.jobs.join;

import io.freshrank.jobs.common.FreshrankOptions;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Resolved, validated settings of the label join.
 *
 * @param window attribution window (event time)
 * @param orphanGrace how long actions wait for their impression, and emitted impressions are
 *     remembered
 * @param outOfOrderness watermark bound
 * @param idleness after which a silent source partition no longer holds back the watermark
 * @param emissionPolicy when impressions are emitted (see the package doc)
 */
public record JoinConfig(
        Duration window,
        Duration orphanGrace,
        Duration outOfOrderness,
        Duration idleness,
        EmissionPolicy emissionPolicy) {

    public JoinConfig {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException(
                    FreshrankOptions.ATTRIBUTION_WINDOW.key() + " must be positive, got " + window);
        }
        if (orphanGrace.isNegative()) {
            throw new IllegalArgumentException(
                    FreshrankOptions.ORPHAN_GRACE.key() + " must be >= 0, got " + orphanGrace);
        }
        if (emissionPolicy == null) {
            throw new IllegalArgumentException(
                    FreshrankOptions.EMISSION_POLICY.key() + " must be set");
        }
    }

    public static JoinConfig from(Configuration conf) {
        return new JoinConfig(
                conf.get(FreshrankOptions.ATTRIBUTION_WINDOW),
                conf.get(FreshrankOptions.ORPHAN_GRACE),
                conf.get(FreshrankOptions.OUT_OF_ORDERNESS),
                conf.get(FreshrankOptions.SOURCE_IDLENESS),
                EmissionPolicy.parse(conf.get(FreshrankOptions.EMISSION_POLICY)));
    }
}
