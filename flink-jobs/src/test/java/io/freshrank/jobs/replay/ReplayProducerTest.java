package io.freshrank.jobs.replay;

import static io.freshrank.jobs.replay.ReplayFixtures.drain;
import static io.freshrank.jobs.replay.ReplayFixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.jobs.sim.PacingClock;
import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class ReplayProducerTest {
    private static final String IMPRESSIONS = "replay-impressions";
    private static final String ACTIONS = "replay-actions";

    private final EventCodec<Impression> impressionCodec = EventCodec.of(Impression.class);
    private final EventCodec<Action> actionCodec = EventCodec.of(Action.class);

    @Test
    void unpacedRunSendsEveryEventInOrderKeyedByImpressionId() {
        MockProducer<byte[], byte[]> mock = mockProducer();
        MindReplay replay = MindReplay.open(fixture("mind"), ReplayOptions.defaults());
        ReplayProducer producer = builder(mock).clock(new FakeClock(t -> {})).build();

        ReplayProducer.RunSummary summary = producer.run(replay);
        producer.close();

        List<SimEvent> expected = drain(replay);
        assertSentExactly(mock.history(), expected);
        assertThat(summary.impressionsSent()).isEqualTo(10);
        assertThat(summary.actionsSent()).isEqualTo(4);
        assertThat(summary.acknowledged()).isEqualTo(14);
        assertThat(summary.failed()).isZero();
        assertThat(summary.complete()).isTrue();
        assertThat(summary.stats()).isEqualTo(replay.expected());
        assertThat(summary.firstEventTimeMs()).isEqualTo(expected.get(0).eventTimeMs());
        assertThat(summary.lastEventTimeMs()).isEqualTo(expected.get(13).eventTimeMs());
        assertThat(producer.eventTimeMs()).isEqualTo(summary.lastEventTimeMs());
        assertThat(mock.flushed()).isTrue();
        assertThat(mock.closed()).isTrue();
        assertThatThrownBy(() -> producer.run(replay)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pacedRunAdvancesEventTimeSpeedupTimesFasterThanTheClock() {
        FakeClock clock = new FakeClock(t -> {});
        MockProducer<byte[], byte[]> mock = mockProducer();
        OpenBanditReplay replay = OpenBanditReplay.open(fixture("obd"), ReplayOptions.defaults());
        ReplayProducer producer = builder(mock).speedup(60).clock(clock).build();

        ReplayProducer.RunSummary summary = producer.run(replay);

        double expectedNanos = (summary.lastEventTimeMs() - summary.firstEventTimeMs()) * 1e6 / 60;
        assertThat((double) clock.now).isBetween(expectedNanos - 1e6, expectedNanos + 1e6);
        assertThat(clock.sleeps).isEqualTo(6);
        assertSentExactly(mock.history(), drain(replay));
    }

    @Test
    void stopEndsTheRunEarly() {
        MockProducer<byte[], byte[]> mock = mockProducer();
        ReplayProducer[] holder = new ReplayProducer[1];
        // another thread calls stop() while the producer sleeps before its second event
        FakeClock clock = new FakeClock(now -> holder[0].stop());
        holder[0] = builder(mock).speedup(1000).clock(clock).build();

        ReplayProducer.RunSummary summary =
                holder[0].run(OpenBanditReplay.open(fixture("obd"), ReplayOptions.defaults()));

        assertThat(summary.complete()).isFalse();
        assertThat(mock.history()).hasSize(1);
        assertThat(summary.impressionsSent()).isEqualTo(1);
    }

    @Test
    void builderNamesWhatIsMissing() {
        assertThatThrownBy(() -> ReplayProducer.builder().build())
                .hasMessageContaining("bootstrapServers");
        assertThatThrownBy(
                        () ->
                                builder(mockProducer())
                                        .impressionsTopic("same")
                                        .actionsTopic("same")
                                        .build())
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> builder(mockProducer()).speedup(Double.NaN).build())
                .hasMessageContaining("speedup");
    }

    private ReplayProducer.Builder builder(MockProducer<byte[], byte[]> mock) {
        return ReplayProducer.builder()
                .producer(mock)
                .impressionsTopic(IMPRESSIONS)
                .actionsTopic(ACTIONS);
    }

    private static MockProducer<byte[], byte[]> mockProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void assertSentExactly(
            List<ProducerRecord<byte[], byte[]>> sent, List<SimEvent> expected) {
        assertThat(sent).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            SimEvent e = expected.get(i);
            ProducerRecord<byte[], byte[]> r = sent.get(i);
            assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .as("key of record %d", i)
                    .isEqualTo(e.impressionId());
            if (e instanceof SimEvent.ImpressionEvent imp) {
                assertThat(r.topic()).isEqualTo(IMPRESSIONS);
                assertThat(impressionCodec.decode(r.value()).value()).isEqualTo(imp.impression());
            } else {
                assertThat(r.topic()).isEqualTo(ACTIONS);
                assertThat(actionCodec.decode(r.value()).value())
                        .isEqualTo(((SimEvent.ActionEvent) e).action());
            }
        }
    }

    /** A clock that only moves when slept on; {@code onSleep} runs at every sleep. */
    private static final class FakeClock implements PacingClock {
        private final LongConsumer onSleep;
        long now;
        int sleeps;

        FakeClock(LongConsumer onSleep) {
            this.onSleep = onSleep;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            sleeps++;
            now += nanos;
            onSleep.accept(now);
        }
    }
}
