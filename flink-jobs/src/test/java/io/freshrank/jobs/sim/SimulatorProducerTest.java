package io.freshrank.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class SimulatorProducerTest {
    private static final String IMPRESSIONS = "sim-impressions";
    private static final String ACTIONS = "sim-actions";
    private static final SimulatorConfig CONFIG = SimulatorConfig.builder().seed(3).build();

    private final EventCodec<Impression> impressionCodec = EventCodec.of(Impression.class);
    private final EventCodec<Action> actionCodec = EventCodec.of(Action.class);

    @Test
    void unpacedRunSendsTheSimulatedStreamKeyedByImpressionId() {
        MockProducer<byte[], byte[]> mock = mockProducer(true);
        SimulatorProducer producer =
                builder(mock).speedup(0).maxRequests(200).clock(new FakeClock()).build();

        SimulatorProducer.RunSummary summary = producer.run();
        producer.close();

        List<SimEvent> expected = TrafficSimulator.generate(CONFIG, 200);
        assertSentExactly(mock.history(), expected);
        long expectedImpressions =
                expected.stream().filter(e -> e instanceof SimEvent.ImpressionEvent).count();
        assertThat(summary.requests()).isEqualTo(200);
        assertThat(summary.impressionsSent()).isEqualTo(expectedImpressions).isEqualTo(2000);
        assertThat(summary.actionsSent()).isEqualTo(expected.size() - expectedImpressions);
        assertThat(summary.acknowledged()).isEqualTo(expected.size());
        assertThat(summary.failed()).isZero();
        assertThat(summary.firstEventTimeMs()).isEqualTo(CONFIG.startTimeMs());
        assertThat(summary.lastEventTimeMs())
                .isEqualTo(expected.get(expected.size() - 1).eventTimeMs());
        assertThat(producer.impressionsSent()).isEqualTo(summary.impressionsSent());
        assertThat(producer.actionsSent()).isEqualTo(summary.actionsSent());
        assertThat(producer.requests()).isEqualTo(200);
        assertThat(producer.eventTimeMs()).isEqualTo(summary.lastEventTimeMs());
        assertThat(mock.flushed()).isTrue();
        assertThat(mock.closed()).isTrue();
        assertThatThrownBy(producer::run).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pacedRunAdvancesEventTimeSpeedupTimesFasterThanTheClock() {
        FakeClock clock = new FakeClock();
        MockProducer<byte[], byte[]> mock = mockProducer(true);
        SimulatorProducer producer =
                builder(mock).speedup(20).maxRequests(400).clock(clock).build();

        SimulatorProducer.RunSummary summary = producer.run();

        List<SimEvent> expected = TrafficSimulator.generate(CONFIG, 400);
        long lastRequestMs = 0;
        for (SimEvent e : expected) {
            if (e instanceof SimEvent.ImpressionEvent imp
                    && imp.impression().getRequestId().equals("req-399")) {
                lastRequestMs = e.eventTimeMs();
            }
        }
        // Paced up to the last request; its tail of delayed actions goes out unpaced.
        double expectedNanos = (lastRequestMs - CONFIG.startTimeMs()) * 1e6 / 20;
        System.out.printf(
                "paced 400 requests over %.1f s of event time in %.3f s of fake wall time,"
                        + " %d sleeps%n",
                (lastRequestMs - CONFIG.startTimeMs()) / 1e3, clock.now / 1e9, clock.sleeps);
        assertThat((double) clock.now)
                .as("fake wall time (ns) after %s", summary)
                .isBetween(expectedNanos - 2e6, expectedNanos + 2e6);
        assertThat(summary.wallTime().toNanos()).isEqualTo(clock.now);
        assertSentExactly(mock.history(), expected);
    }

    @Test
    void maxDurationStopsRequestsAndStillSendsTheirActions() {
        FakeClock clock = new FakeClock();
        MockProducer<byte[], byte[]> mock = mockProducer(true);
        SimulatorProducer producer =
                builder(mock).speedup(20).maxDuration(Duration.ofSeconds(2)).clock(clock).build();

        SimulatorProducer.RunSummary summary = producer.run();

        // 2 s of wall time at speedup 20 is 40 s of event time: ~800 requests at 20/s
        assertThat(summary.requests()).as("%s", summary).isBetween(650L, 950L);
        assertSentExactly(mock.history(), TrafficSimulator.generate(CONFIG, summary.requests()));
        assertThat(summary.failed()).isZero();
    }

    @Test
    void stopEndsTheRunAndDrainsPendingActions() {
        MockProducer<byte[], byte[]> mock = mockProducer(true);
        SimulatorProducer[] holder = new SimulatorProducer[1];
        // the "other thread" calls stop() once 1 s of wall time has passed
        FakeClock clock =
                new FakeClock(
                        now -> {
                            if (now >= 1_000_000_000L) {
                                holder[0].stop();
                            }
                        });
        holder[0] = builder(mock).speedup(20).clock(clock).build();

        SimulatorProducer.RunSummary summary = holder[0].run();

        assertThat(summary.requests()).as("%s", summary).isBetween(300L, 500L);
        assertSentExactly(mock.history(), TrafficSimulator.generate(CONFIG, summary.requests()));
    }

    @Test
    void interruptStopsTheRunAndKeepsTheInterruptFlag() {
        MockProducer<byte[], byte[]> mock = mockProducer(true);
        FakeClock clock = new FakeClock();
        clock.interruptAfterSleeps = 50;
        SimulatorProducer producer = builder(mock).speedup(20).clock(clock).build();

        SimulatorProducer.RunSummary summary = producer.run();

        assertThat(Thread.interrupted()).as("interrupt flag restored").isTrue();
        assertThat(summary.requests()).isPositive();
        assertSentExactly(mock.history(), TrafficSimulator.generate(CONFIG, summary.requests()));
    }

    @Test
    void asynchronousFailuresAreCounted() {
        MockProducer<byte[], byte[]> mock = mockProducer(false);
        SimulatorProducer producer = builder(mock).speedup(0).build();

        producer.sendRaw(IMPRESSIONS, "k1".getBytes(StandardCharsets.UTF_8), new byte[] {1});
        producer.sendRaw(IMPRESSIONS, null, new byte[] {2});
        assertThat(mock.errorNext(new KafkaException("broker unavailable"))).isTrue();
        assertThat(mock.completeNext()).isTrue();

        assertThat(producer.rawSent()).isEqualTo(2);
        assertThat(producer.failed()).isEqualTo(1);
        assertThat(producer.acknowledged()).isEqualTo(1);
    }

    @Test
    void aFailingSendEndsTheRunCountedAndRethrown() {
        MockProducer<byte[], byte[]> mock = mockProducer(true);
        mock.sendException = new KafkaException("producer fenced");
        SimulatorProducer producer = builder(mock).speedup(0).maxRequests(10).build();

        assertThatThrownBy(producer::run).isSameAs(mock.sendException);
        assertThat(producer.failed()).isEqualTo(1);
        assertThat(producer.impressionsSent()).isZero();
    }

    @Test
    void sendRawPlantsUndecodableRecords() {
        MockProducer<byte[], byte[]> mock = mockProducer(true);
        SimulatorProducer producer = builder(mock).speedup(0).build();
        byte[] garbage = {(byte) 0xC3, 0x01, 0x00, 0x42};

        producer.sendRaw(ACTIONS, "bad".getBytes(StandardCharsets.UTF_8), garbage);

        ProducerRecord<byte[], byte[]> sent = mock.history().get(0);
        assertThat(sent.topic()).isEqualTo(ACTIONS);
        assertThat(sent.value()).isEqualTo(garbage);
        assertThat(actionCodec.decode(sent.value()).isValid()).isFalse();
        assertThat(producer.acknowledged()).isEqualTo(1);
    }

    @Test
    void builderNamesWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> SimulatorProducer.builder().build())
                .hasMessageContaining("bootstrapServers");
        assertThatThrownBy(
                        () ->
                                SimulatorProducer.builder()
                                        .bootstrapServers("127.0.0.1:9")
                                        .producer(mockProducer(true))
                                        .build())
                .hasMessageContaining("both");
        assertThatThrownBy(() -> builder(mockProducer(true)).actionsTopic(IMPRESSIONS).build())
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> builder(mockProducer(true)).impressionsTopic(" ").build())
                .hasMessageContaining("impressionsTopic");
        assertThatThrownBy(() -> builder(mockProducer(true)).speedup(Double.NaN).build())
                .hasMessageContaining("speedup");
    }

    private static SimulatorProducer.Builder builder(MockProducer<byte[], byte[]> mock) {
        return SimulatorProducer.builder()
                .producer(mock)
                .impressionsTopic(IMPRESSIONS)
                .actionsTopic(ACTIONS)
                .simulatorConfig(CONFIG);
    }

    private static MockProducer<byte[], byte[]> mockProducer(boolean autoComplete) {
        return new MockProducer<>(
                autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The records are the simulated events, in order per topic, keyed by impression id, decoding to
     * the simulator's records; and every action's impression was sent before it.
     */
    private void assertSentExactly(
            List<ProducerRecord<byte[], byte[]>> sent, List<SimEvent> expected) {
        List<ProducerRecord<byte[], byte[]>> impressions = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> actions = new ArrayList<>();
        Set<String> impressionIds = new HashSet<>();
        for (ProducerRecord<byte[], byte[]> r : sent) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.topic().equals(IMPRESSIONS)) {
                impressions.add(r);
                impressionIds.add(key);
            } else {
                assertThat(r.topic()).isEqualTo(ACTIONS);
                assertThat(impressionIds)
                        .as("impression of action %s sent first", key)
                        .contains(key);
                actions.add(r);
            }
        }
        int i = 0;
        int a = 0;
        for (SimEvent e : expected) {
            if (e instanceof SimEvent.ImpressionEvent imp) {
                assertThat(i).as("impressions sent").isLessThan(impressions.size());
                ProducerRecord<byte[], byte[]> r = impressions.get(i++);
                assertThat(new String(r.key(), StandardCharsets.UTF_8))
                        .isEqualTo(imp.impressionId());
                DecodeResult<Impression> decoded = impressionCodec.decode(r.value());
                assertThat(decoded.isValid()).as("%s", decoded).isTrue();
                assertThat(decoded.value()).isEqualTo(imp.impression());
            } else {
                SimEvent.ActionEvent act = (SimEvent.ActionEvent) e;
                assertThat(a).as("actions sent").isLessThan(actions.size());
                ProducerRecord<byte[], byte[]> r = actions.get(a++);
                assertThat(new String(r.key(), StandardCharsets.UTF_8))
                        .isEqualTo(act.impressionId());
                DecodeResult<Action> decoded = actionCodec.decode(r.value());
                assertThat(decoded.isValid()).as("%s", decoded).isTrue();
                assertThat(decoded.value()).isEqualTo(act.action());
            }
        }
        assertThat(i).as("impressions sent").isEqualTo(impressions.size());
        assertThat(a).as("actions sent").isEqualTo(actions.size());
    }

    /** A clock that advances only when the producer sleeps. */
    private static final class FakeClock implements PacingClock {
        private final LongConsumer onTime;
        long now;
        long sleeps;
        long interruptAfterSleeps = Long.MAX_VALUE;

        FakeClock() {
            this(t -> {});
        }

        FakeClock(LongConsumer onTime) {
            this.onTime = onTime;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            if (sleeps >= interruptAfterSleeps) {
                throw new InterruptedException("test interrupt");
            }
            sleeps++;
            now += nanos;
            onTime.accept(now);
        }
    }
}
