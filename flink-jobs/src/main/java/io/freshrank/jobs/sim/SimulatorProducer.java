package io.freshrank.jobs.sim;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link TrafficSimulator}'s stream to Kafka: impressions to one topic, actions to
 * another, each record keyed by the impression id (so an impression and its actions land in the
 * same partition number when both topics have the same partition count) with the Avro single-object
 * encoding as value. The record timestamp is left to the producer (wall clock): event time travels
 * in the payload, and a timestamp far from the broker's clock could be rejected ({@code
 * log.message.timestamp.*.max.ms}) or expire by retention.
 *
 * <p>Pacing: with {@code speedup > 0}, event time advances {@code speedup} times faster than the
 * wall clock (speedup 20 turns the default 20 requests/s into 400 requests/s); with {@code speedup
 * <= 0} events are sent as fast as the producer accepts them. The run ends after {@code
 * maxRequests} requests, after {@code maxDuration} of wall time, or on {@link #stop()}; the events
 * already scheduled by then (the last requests' impressions and delayed actions) are sent without
 * pacing, so an impression's click is never cut off, then the producer is flushed. The records sent
 * by a run that ended after n requests are exactly those of {@code
 * TrafficSimulator.generate(config, n)}.
 *
 * <p>Delivery: sends are asynchronous. Every acknowledgement or failure is counted; failures are
 * logged with topic and key (never payloads). {@link RunSummary#failed()} tells whether anything
 * was lost. An exception thrown by {@code send} itself ends the run: it is counted, logged, the
 * producer is flushed and the exception rethrown.
 *
 * <p>Threading: call {@link #run()} once, from one thread. The counters, {@link #stop()} and {@link
 * #sendRaw} may be used from any thread. {@link #close()} closes the Kafka producer.
 */
public final class SimulatorProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorProducer.class);

    /** Default topic names, the defaults of {@code freshrank.topics.impressions / .actions}. */
    public static final String DEFAULT_IMPRESSIONS_TOPIC = "impressions";

    public static final String DEFAULT_ACTIONS_TOPIC = "actions";

    private final Producer<byte[], byte[]> producer;
    private final EventSender sender;
    private final SimulatorConfig simulatorConfig;
    private final double speedup;
    private final long maxRequests;
    private final Duration maxDuration;
    private final PacingClock clock;

    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopRequested;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rawSent = new AtomicLong();
    private final AtomicLong eventTimeMs = new AtomicLong(Long.MIN_VALUE);

    private SimulatorProducer(Builder b, Producer<byte[], byte[]> producer) {
        this.producer = producer;
        this.sender = new EventSender(producer, b.impressionsTopic, b.actionsTopic, "simulator");
        this.simulatorConfig = b.simulatorConfig;
        this.speedup = b.speedup;
        this.maxRequests = b.maxRequests;
        this.maxDuration = b.maxDuration;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Simulates and sends until a stop condition holds, sends the pending actions, flushes.
     *
     * @return counts and event-time range of what was sent
     * @throws IllegalStateException when called twice
     * @throws RuntimeException the exception of a failed {@code send} call (after flushing)
     */
    public RunSummary run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("run() may be called only once");
        }
        TrafficSimulator sim = new TrafficSimulator(simulatorConfig, maxRequests);
        long wallStart = clock.nanoTime();
        long maxNanos = maxDuration == null ? Long.MAX_VALUE : maxDuration.toNanos();
        long firstEventMs = Long.MIN_VALUE;
        long lastEventMs = Long.MIN_VALUE;
        boolean draining = false;
        boolean interrupted = false;
        try {
            while (sim.hasNext()) {
                if (!draining && (stopRequested || clock.nanoTime() - wallStart >= maxNanos)) {
                    sim.stopRequests();
                    draining = true;
                    LOG.info(
                            "simulator stopping after {} requests; sending {} pending events",
                            sim.requests(),
                            sim.pendingEvents());
                    continue;
                }
                SimEvent event = sim.next();
                if (firstEventMs == Long.MIN_VALUE) {
                    firstEventMs = event.eventTimeMs();
                }
                lastEventMs = event.eventTimeMs();
                // Once the last request exists, the rest is its tail of delayed actions.
                if (!draining && sim.requests() >= maxRequests) {
                    draining = true;
                }
                if (!draining && speedup > 0 && !interrupted) {
                    interrupted = !pace(wallStart, event.eventTimeMs() - firstEventMs);
                    if (interrupted) {
                        stopRequested = true;
                    }
                }
                sender.send(event);
                requests.set(sim.requests());
                eventTimeMs.set(event.eventTimeMs());
            }
        } finally {
            producer.flush();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        RunSummary summary =
                new RunSummary(
                        sim.requests(),
                        sender.impressionsSent(),
                        sender.actionsSent(),
                        sender.acknowledged(),
                        sender.failed(),
                        firstEventMs,
                        lastEventMs,
                        Duration.ofNanos(clock.nanoTime() - wallStart));
        if (summary.failed() > 0) {
            LOG.error(
                    "simulator run lost {} of {} records (see the warnings above)",
                    summary.failed(),
                    summary.impressionsSent() + summary.actionsSent());
        } else {
            LOG.info("simulator run done: {}", summary);
        }
        return summary;
    }

    /** Asks a running {@link #run()} to stop generating requests; safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Sends raw bytes as a record of {@code topic} (for example an undecodable record a test
     * plants). Counted in {@link #acknowledged()} / {@link #failed()} like every other send.
     *
     * @param key may be null
     */
    public Future<RecordMetadata> sendRaw(String topic, byte[] key, byte[] value) {
        Objects.requireNonNull(topic, "topic");
        rawSent.incrementAndGet();
        String keyText = key == null ? "null" : "<" + key.length + " raw bytes>";
        return sender.sendRaw(topic, key, value, keyText);
    }

    /** Blocks until every send so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    /** Requests generated so far. */
    public long requests() {
        return requests.get();
    }

    /** Impression records handed to the producer so far. */
    public long impressionsSent() {
        return sender.impressionsSent();
    }

    /** Action records handed to the producer so far. */
    public long actionsSent() {
        return sender.actionsSent();
    }

    /** Records sent through {@link #sendRaw}. */
    public long rawSent() {
        return rawSent.get();
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

    /** Waits until the event {@code eventOffsetMs} after the first is due; false if interrupted. */
    private boolean pace(long wallStart, long eventOffsetMs) {
        try {
            clock.awaitDue(wallStart, eventOffsetMs, speedup);
            return true;
        } catch (InterruptedException e) {
            LOG.info("simulator interrupted; stopping");
            return false;
        }
    }

    /**
     * What a {@link #run()} sent.
     *
     * @param requests requests simulated
     * @param impressionsSent impression records handed to the producer
     * @param actionsSent action records handed to the producer
     * @param acknowledged records acknowledged by the broker (including raw ones)
     * @param failed records that failed (including raw ones); 0 means nothing was lost
     * @param firstEventTimeMs event time of the first event ({@link Long#MIN_VALUE} if none)
     * @param lastEventTimeMs event time of the last event ({@link Long#MIN_VALUE} if none)
     * @param wallTime how long the run took
     */
    public record RunSummary(
            long requests,
            long impressionsSent,
            long actionsSent,
            long acknowledged,
            long failed,
            long firstEventTimeMs,
            long lastEventTimeMs,
            Duration wallTime) {}

    /**
     * Configures a {@link SimulatorProducer}; {@link #build()} validates and names what is missing.
     * Either {@link #bootstrapServers} (a {@link KafkaProducer} is created) or {@link #producer}
     * (for tests, e.g. Kafka's {@code MockProducer}) is required.
     */
    public static final class Builder {
        private String bootstrapServers;
        private Producer<byte[], byte[]> producer;
        private final Map<String, Object> producerProperties = new HashMap<>();
        private String impressionsTopic = DEFAULT_IMPRESSIONS_TOPIC;
        private String actionsTopic = DEFAULT_ACTIONS_TOPIC;
        private SimulatorConfig simulatorConfig = SimulatorConfig.defaults();
        private double speedup = 20.0;
        private long maxRequests = Long.MAX_VALUE;
        private Duration maxDuration;
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

        /** Use this producer instead of creating one; the simulator producer closes it. */
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

        public Builder simulatorConfig(SimulatorConfig config) {
            this.simulatorConfig = config;
            return this;
        }

        /** Event time per wall time; {@code <= 0} sends unpaced. Default 20. */
        public Builder speedup(double speedup) {
            this.speedup = speedup;
            return this;
        }

        /** Stop after this many requests (then send their pending actions). Default unbounded. */
        public Builder maxRequests(long maxRequests) {
            this.maxRequests = maxRequests;
            return this;
        }

        /** Stop generating requests after this much wall time. Default unbounded. */
        public Builder maxDuration(Duration maxDuration) {
            this.maxDuration = maxDuration;
            return this;
        }

        Builder clock(PacingClock clock) {
            this.clock = clock;
            return this;
        }

        public SimulatorProducer build() {
            EventSender.checkTargets(
                    "simulator", bootstrapServers, producer, impressionsTopic, actionsTopic);
            Objects.requireNonNull(simulatorConfig, "simulatorConfig");
            if (Double.isNaN(speedup) || Double.isInfinite(speedup)) {
                throw new IllegalArgumentException(
                        "speedup must be finite (<= 0 for unpaced); got " + speedup);
            }
            if (maxRequests < 0) {
                throw new IllegalArgumentException("maxRequests must be >= 0; got " + maxRequests);
            }
            if (maxDuration != null && maxDuration.isNegative()) {
                throw new IllegalArgumentException(
                        "maxDuration must not be negative; got " + maxDuration);
            }
            Producer<byte[], byte[]> p = producer != null ? producer : createProducer();
            return new SimulatorProducer(this, p);
        }

        private Producer<byte[], byte[]> createProducer() {
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "freshrank-simulator");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            props.putAll(producerProperties);
            return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
    }
}
