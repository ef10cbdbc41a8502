package io.freshrank.jobs.replay;

import io.freshrank.jobs.sim.EventSender;
import io.freshrank.jobs.sim.PacingClock;
import io.freshrank.jobs.sim.SimEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link DatasetReplay} to Kafka: impressions to one topic, actions to another, each
 * record keyed by the impression id (so an impression and its actions land in the same partition
 * number when both topics have the same partition count), the value Avro single-object encoded. The
 * record timestamp is left to the producer (wall clock): event time travels in the payload, and the
 * replay's original dates (2014, 2019) would fall outside a broker's timestamp checks and
 * retention.
 *
 * <p>Pacing: with {@code speedup > 0} the replayed event time advances {@code speedup} times faster
 * than the wall clock (on top of the replay's own compression); with {@code speedup <= 0} events
 * are sent as fast as the producer accepts them (the default, for bounded replays read by a bounded
 * label join). The run ends at the end of the replay or on {@link #stop()} (then the rest is not
 * sent and {@link RunSummary#complete()} is false); the producer is flushed either way.
 *
 * <p>Delivery: sends are asynchronous; every acknowledgement or failure is counted, failures are
 * logged with topic and key (never payloads). An exception thrown by {@code send} itself ends the
 * run: it is counted, logged, the producer flushed and the exception rethrown.
 *
 * <p>Threading: call {@link #run} once, from one thread. The counters and {@link #stop()} may be
 * used from any thread. {@link #close()} closes the Kafka producer.
 */
public final class ReplayProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayProducer.class);

    /** Default topic names, the defaults of {@code freshrank.topics.impressions / .actions}. */
    public static final String DEFAULT_IMPRESSIONS_TOPIC = "impressions";

    public static final String DEFAULT_ACTIONS_TOPIC = "actions";

    private final Producer<byte[], byte[]> producer;
    private final EventSender sender;
    private final double speedup;
    private final PacingClock clock;

    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopRequested;
    private final AtomicLong eventTimeMs = new AtomicLong(Long.MIN_VALUE);

    private ReplayProducer(Builder b, Producer<byte[], byte[]> producer) {
        this.producer = producer;
        this.sender = new EventSender(producer, b.impressionsTopic, b.actionsTopic, "replay");
        this.speedup = b.speedup;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends every event of a new pass over {@code replay} (paced or not), then flushes.
     *
     * @return what was sent, with the pass's counts of the file
     * @throws IllegalStateException when called twice
     * @throws RuntimeException the exception of a failed {@code send} call (after flushing)
     */
    public RunSummary run(DatasetReplay replay) {
        Objects.requireNonNull(replay, "replay");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("run() may be called only once");
        }
        long wallStart = clock.nanoTime();
        long firstEventMs = Long.MIN_VALUE;
        long lastEventMs = Long.MIN_VALUE;
        boolean complete = true;
        boolean interrupted = false;
        ReplayStats stats;
        try (ReplayIterator events = replay.events()) {
            while (events.hasNext()) {
                if (stopRequested) {
                    complete = false;
                    LOG.info("{} replay stopped after {} events", replay.name(), sent());
                    break;
                }
                SimEvent event = events.next();
                if (firstEventMs == Long.MIN_VALUE) {
                    firstEventMs = event.eventTimeMs();
                }
                lastEventMs = event.eventTimeMs();
                if (speedup > 0 && !pace(wallStart, event.eventTimeMs() - firstEventMs)) {
                    interrupted = true;
                    complete = false;
                    break;
                }
                if (stopRequested) { // asked to stop while pacing: do not send this one
                    complete = false;
                    LOG.info("{} replay stopped after {} events", replay.name(), sent());
                    break;
                }
                sender.send(event);
                eventTimeMs.set(event.eventTimeMs());
            }
            stats = events.stats();
        } finally {
            producer.flush();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        RunSummary summary =
                new RunSummary(
                        sender.impressionsSent(),
                        sender.actionsSent(),
                        sender.acknowledged(),
                        sender.failed(),
                        firstEventMs,
                        lastEventMs,
                        Duration.ofNanos(clock.nanoTime() - wallStart),
                        complete,
                        stats);
        if (summary.failed() > 0) {
            LOG.error(
                    "{} replay lost {} of {} records (see the warnings above)",
                    replay.name(),
                    summary.failed(),
                    sent());
        } else {
            LOG.info("{} replay done: {}", replay.name(), summary);
        }
        return summary;
    }

    /** Asks a running {@link #run} to stop; safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    /** Impression records handed to the producer so far. */
    public long impressionsSent() {
        return sender.impressionsSent();
    }

    /** Action records handed to the producer so far. */
    public long actionsSent() {
        return sender.actionsSent();
    }

    /** Records the broker acknowledged. */
    public long acknowledged() {
        return sender.acknowledged();
    }

    /** Records that failed (asynchronously or in {@code send}). */
    public long failed() {
        return sender.failed();
    }

    /** Event time of the last event sent, or {@link Long#MIN_VALUE} before the first. */
    public long eventTimeMs() {
        return eventTimeMs.get();
    }

    /** Closes the Kafka producer (waiting for pending sends). */
    @Override
    public void close() {
        producer.close();
    }

    private long sent() {
        return sender.sent();
    }

    /** Waits until the event {@code eventOffsetMs} after the first is due; false if interrupted. */
    private boolean pace(long wallStart, long eventOffsetMs) {
        try {
            clock.awaitDue(wallStart, eventOffsetMs, speedup);
            return true;
        } catch (InterruptedException e) {
            LOG.info("replay interrupted; stopping");
            return false;
        }
    }

    /**
     * What a {@link #run} sent.
     *
     * @param impressionsSent impression records handed to the producer
     * @param actionsSent action records handed to the producer
     * @param acknowledged records acknowledged by the broker
     * @param failed records that failed; 0 means nothing was lost
     * @param firstEventTimeMs event time of the first event ({@link Long#MIN_VALUE} if none)
     * @param lastEventTimeMs event time of the last event ({@link Long#MIN_VALUE} if none)
     * @param wallTime how long the run took
     * @param complete whether the whole replay was sent (false after stop or interrupt)
     * @param stats the pass's counts of the file (of what was read, when not complete)
     */
    public record RunSummary(
            long impressionsSent,
            long actionsSent,
            long acknowledged,
            long failed,
            long firstEventTimeMs,
            long lastEventTimeMs,
            Duration wallTime,
            boolean complete,
            ReplayStats stats) {}

    /**
     * Configures a {@link ReplayProducer}; {@link #build()} validates and names what is missing.
     * Either {@link #bootstrapServers} (a {@link KafkaProducer} is created) or {@link #producer}
     * (for tests, e.g. Kafka's {@code MockProducer}) is required.
     */
    public static final class Builder {
        private String bootstrapServers;
        private Producer<byte[], byte[]> producer;
        private final Map<String, Object> producerProperties = new HashMap<>();
        private String impressionsTopic = DEFAULT_IMPRESSIONS_TOPIC;
        private String actionsTopic = DEFAULT_ACTIONS_TOPIC;
        private double speedup;
        private PacingClock clock = PacingClock.SYSTEM;

        private Builder() {}

        /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:9092}. */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        /** An extra Kafka producer property (overrides the defaults set here). */
        public Builder producerProperty(String key, Object value) {
            producerProperties.put(key, value);
            return this;
        }

        /** Use this producer instead of creating one; the replay producer closes it. */
        public Builder producer(Producer<byte[], byte[]> producer) {
            this.producer = producer;
            return this;
        }

        public Builder impressionsTopic(String topic) {
            this.impressionsTopic = topic;
            return this;
        }

        public Builder actionsTopic(String topic) {
            this.actionsTopic = topic;
            return this;
        }

        /** Replayed event time per wall time; {@code <= 0} (the default) sends unpaced. */
        public Builder speedup(double speedup) {
            this.speedup = speedup;
            return this;
        }

        Builder clock(PacingClock clock) {
            this.clock = clock;
            return this;
        }

        public ReplayProducer build() {
            EventSender.checkTargets(
                    "replay", bootstrapServers, producer, impressionsTopic, actionsTopic);
            if (Double.isNaN(speedup) || Double.isInfinite(speedup)) {
                throw new IllegalArgumentException(
                        "speedup must be finite (<= 0 for unpaced); got " + speedup);
            }
            Objects.requireNonNull(clock, "clock");
            Producer<byte[], byte[]> p = producer != null ? producer : createProducer();
            return new ReplayProducer(this, p);
        }

        private Producer<byte[], byte[]> createProducer() {
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "freshrank-replay");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            props.putAll(producerProperties);
            return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
    }
}
