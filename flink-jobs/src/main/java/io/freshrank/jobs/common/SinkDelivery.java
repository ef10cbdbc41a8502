package io.freshrank.jobs.common;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Resolved, validated delivery settings of a Kafka sink.
 *
 * @param mode exactly-once (transactions committed on checkpoint completion) or at-least-once
 * @param transactionalIdPrefix prefix of the sinks' Kafka transactional ids; each sink appends its
 *     topic. Must be unique per job on a Kafka cluster and stable across restarts of that job
 *     (lingering transactions of a failed run are found and aborted by it). Unused at least once.
 * @param transactionTimeout Kafka {@code transaction.timeout.ms} of the exactly-once producers:
 *     above the checkpoint interval (a transaction stays open from one checkpoint to the commit
 *     after the next) plus the expected downtime of a restart, and at most the broker's {@code
 *     transaction.max.timeout.ms}. Unused at least once.
 */
public record SinkDelivery(
        DeliveryMode mode, String transactionalIdPrefix, Duration transactionTimeout) {

    public SinkDelivery {
        if (mode == null) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_DELIVERY.key() + " must be set");
        }
        if (transactionalIdPrefix == null
                || transactionalIdPrefix.isBlank()
                || !transactionalIdPrefix.equals(transactionalIdPrefix.strip())) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_TRANSACTIONAL_ID_PREFIX.key()
                            + " must be non-blank without surrounding blanks, got '"
                            + transactionalIdPrefix
                            + "'");
        }
        if (transactionTimeout == null
                || transactionTimeout.isNegative()
                || transactionTimeout.isZero()
                || transactionTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_TRANSACTION_TIMEOUT.key()
                            + " must be positive and below 24 days, got "
                            + transactionTimeout);
        }
    }

    /** At-least-once delivery (the settings of the training job's sinks). */
    public static SinkDelivery atLeastOnce() {
        return new SinkDelivery(
                DeliveryMode.AT_LEAST_ONCE,
                FreshrankOptions.JOIN_TRANSACTIONAL_ID_PREFIX.defaultValue(),
                FreshrankOptions.JOIN_TRANSACTION_TIMEOUT.defaultValue());
    }

    /** The label join's delivery settings ({@code freshrank.join.delivery} and related keys). */
    public static SinkDelivery ofJoin(Configuration conf) {
        return new SinkDelivery(
                conf.get(FreshrankOptions.JOIN_DELIVERY),
                conf.get(FreshrankOptions.JOIN_TRANSACTIONAL_ID_PREFIX),
                conf.get(FreshrankOptions.JOIN_TRANSACTION_TIMEOUT));
    }

    /** The transactional id prefix of the sink writing {@code topic}. */
    public String transactionalIdPrefix(String topic) {
        return transactionalIdPrefix + "-" + topic;
    }

    /**
     * Checks the settings against the job's checkpoint interval ({@code <= 0}: checkpointing off).
     * Exactly-once commits only on checkpoint completion, so without checkpoints nothing would ever
     * become visible to {@code read_committed} consumers; and a transaction timeout not above the
     * interval would let the broker abort transactions before their commit.
     */
    public void checkCheckpointInterval(long checkpointIntervalMs) {
        if (mode != DeliveryMode.EXACTLY_ONCE) {
            return;
        }
        if (checkpointIntervalMs <= 0) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_DELIVERY.key()
                            + "=EXACTLY_ONCE commits only on checkpoints: enable checkpointing"
                            + " (execution.checkpointing.interval) or set "
                            + FreshrankOptions.JOIN_DELIVERY.key()
                            + "=AT_LEAST_ONCE");
        }
        if (transactionTimeout.toMillis() <= checkpointIntervalMs) {
            throw new IllegalArgumentException(
                    FreshrankOptions.JOIN_TRANSACTION_TIMEOUT.key()
                            + " ("
                            + transactionTimeout
                            + ") must exceed the checkpoint interval ("
                            + checkpointIntervalMs
                            + " ms) plus the expected restart time");
        }
    }
}
