package io.freshrank.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class SinkDeliveryTest {

    @Test
    void theJoinDefaultsToExactlyOnceWithAStablePrefixAndATimeoutBelowTheBrokerDefaultMax() {
        SinkDelivery d = SinkDelivery.ofJoin(new Configuration());
        assertThat(d.mode()).isEqualTo(DeliveryMode.EXACTLY_ONCE);
        assertThat(d.transactionalIdPrefix("examples")).isEqualTo("freshrank-label-join-examples");
        assertThat(d.transactionTimeout()).isLessThanOrEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void theOptionsAreParsed() {
        Configuration conf = new Configuration();
        conf.setString(FreshrankOptions.JOIN_DELIVERY.key(), "at_least_once");
        conf.setString(FreshrankOptions.JOIN_TRANSACTIONAL_ID_PREFIX.key(), "join-eu");
        conf.setString(FreshrankOptions.JOIN_TRANSACTION_TIMEOUT.key(), "2 min");
        SinkDelivery d = SinkDelivery.ofJoin(conf);
        assertThat(d.mode()).isEqualTo(DeliveryMode.AT_LEAST_ONCE);
        assertThat(d.transactionalIdPrefix("dead-letters")).isEqualTo("join-eu-dead-letters");
        assertThat(d.transactionTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void modesMapToTheFlinkGuarantees() {
        assertThat(DeliveryMode.EXACTLY_ONCE.guarantee().name()).isEqualTo("EXACTLY_ONCE");
        assertThat(DeliveryMode.AT_LEAST_ONCE.guarantee().name()).isEqualTo("AT_LEAST_ONCE");
    }

    @Test
    void badPrefixesAndTimeoutsNameTheirKey() {
        assertThatThrownBy(
                        () ->
                                new SinkDelivery(
                                        DeliveryMode.EXACTLY_ONCE, " ", Duration.ofMinutes(1)))
                .hasMessageContaining("freshrank.join.transactional-id-prefix");
        assertThatThrownBy(() -> new SinkDelivery(DeliveryMode.EXACTLY_ONCE, "p", Duration.ZERO))
                .hasMessageContaining("freshrank.join.transaction-timeout");
    }

    @Test
    void exactlyOnceNeedsCheckpointsShorterThanTheTransactionTimeout() {
        SinkDelivery exactlyOnce =
                new SinkDelivery(DeliveryMode.EXACTLY_ONCE, "p", Duration.ofSeconds(30));
        assertThatThrownBy(() -> exactlyOnce.checkCheckpointInterval(-1))
                .hasMessageContaining("freshrank.join.delivery")
                .hasMessageContaining("execution.checkpointing.interval");
        assertThatThrownBy(() -> exactlyOnce.checkCheckpointInterval(30_000))
                .hasMessageContaining("freshrank.join.transaction-timeout");
        exactlyOnce.checkCheckpointInterval(2_000);

        SinkDelivery atLeastOnce =
                new SinkDelivery(DeliveryMode.AT_LEAST_ONCE, "p", Duration.ofSeconds(30));
        atLeastOnce.checkCheckpointInterval(-1);
    }
}
