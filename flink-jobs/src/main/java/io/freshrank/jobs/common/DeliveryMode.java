package io.freshrank.jobs.common;

import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * How a job's Kafka sink delivers records across failures ({@code freshrank.join.delivery} for the
 * label join's examples and dead letters).
 */
public enum DeliveryMode {
    /**
     * Records are written in Kafka transactions committed when the checkpoint that covers them
     * completes: a {@code read_committed} consumer sees every record exactly once, after up to one
     * checkpoint interval (plus the commit) of extra latency.
     */
    EXACTLY_ONCE(DeliveryGuarantee.EXACTLY_ONCE),

    /**
     * Records are visible as soon as the producer flushes them; after a failure the records written
     * since the last completed checkpoint are written again (duplicates).
     */
    AT_LEAST_ONCE(DeliveryGuarantee.AT_LEAST_ONCE);

    private final DeliveryGuarantee guarantee;

    DeliveryMode(DeliveryGuarantee guarantee) {
        this.guarantee = guarantee;
    }

    /** The Flink Kafka sink's guarantee for this mode. */
    public DeliveryGuarantee guarantee() {
        return guarantee;
    }
}
