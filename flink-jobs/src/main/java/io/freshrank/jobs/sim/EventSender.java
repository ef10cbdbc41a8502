package io.freshrank.jobs.sim;

import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link SimEvent}s to Kafka for the simulator and the dataset replayers: impressions to one
 * topic, actions to another, keyed by the impression id, the value Avro single-object encoded.
 * Sends are asynchronous; every record handed over, acknowledged or failed is counted, and failures
 * are logged with topic and key (never payloads): the first {@value #LOG_FIRST}, then every {@value
 * #LOG_EVERY}th. The counters may be read from any thread.
 */
public final class EventSender {
    private static final Logger LOG = LoggerFactory.getLogger(EventSender.class);

    /** Failures logged individually before logging only every {@link #LOG_EVERY}th. */
    private static final long LOG_FIRST = 10;

    private static final long LOG_EVERY = 1000;

    private final Producer<byte[], byte[]> producer;
    private final String impressionsTopic;
    private final String actionsTopic;
    private final String owner;
    private final EventCodec<Impression> impressionCodec = EventCodec.of(Impression.class);
    private final EventCodec<Action> actionCodec = EventCodec.of(Action.class);
    private final AtomicLong impressionsSent = new AtomicLong();
    private final AtomicLong actionsSent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param owner who sends, for the log line when a send throws ("simulator", "replay")
     */
    public EventSender(
            Producer<byte[], byte[]> producer,
            String impressionsTopic,
            String actionsTopic,
            String owner) {
        this.producer = producer;
        this.impressionsTopic = impressionsTopic;
        this.actionsTopic = actionsTopic;
        this.owner = owner;
    }

    /**
     * Checks a producer builder's targets: exactly one of {@code bootstrapServers} and {@code
     * producer}, and two distinct, non-blank topics.
     *
     * @param owner who builds, for the messages ("simulator", "replay")
     * @throws IllegalArgumentException if not
     */
    public static void checkTargets(
            String owner,
            String bootstrapServers,
            Object producer,
            String impressionsTopic,
            String actionsTopic) {
        if ((bootstrapServers == null) == (producer == null)) {
            throw new IllegalArgumentException(
                    owner
                            + " producer needs exactly one of bootstrapServers (e.g."
                            + " 127.0.0.1:9092) or producer; got "
                            + (producer == null ? "neither" : "both"));
        }
        if (impressionsTopic == null || impressionsTopic.isBlank()) {
            throw new IllegalArgumentException(owner + " producer needs impressionsTopic");
        }
        if (actionsTopic == null || actionsTopic.isBlank()) {
            throw new IllegalArgumentException(owner + " producer needs actionsTopic");
        }
        if (impressionsTopic.equals(actionsTopic)) {
            throw new IllegalArgumentException(
                    "impressionsTopic and actionsTopic must differ; both are '"
                            + actionsTopic
                            + "'");
        }
    }

    /**
     * Encodes and sends one event. An exception of the producer's {@code send} is counted, logged
     * and rethrown: it ends the owner's run.
     */
    public void send(SimEvent event) {
        boolean isImpression = event instanceof SimEvent.ImpressionEvent;
        String topic;
        byte[] value;
        if (event instanceof SimEvent.ImpressionEvent imp) {
            topic = impressionsTopic;
            value = impressionCodec.encode(imp.impression());
        } else {
            topic = actionsTopic;
            value = actionCodec.encode(((SimEvent.ActionEvent) event).action());
        }
        String key = event.impressionId();
        try {
            producer.send(
                    new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value),
                    new CountingCallback(topic, key));
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.error("send to {} failed for key {}; stopping the {}", topic, key, owner, e);
            throw e;
        }
        (isImpression ? impressionsSent : actionsSent).incrementAndGet();
    }

    /**
     * Sends a record as given, counted in {@link #acknowledged()} / {@link #failed()} like the
     * events.
     *
     * @param keyText the key as logged on failure
     */
    public Future<RecordMetadata> sendRaw(String topic, byte[] key, byte[] value, String keyText) {
        return producer.send(
                new ProducerRecord<>(topic, key, value), new CountingCallback(topic, keyText));
    }

    public long impressionsSent() {
        return impressionsSent.get();
    }

    public long actionsSent() {
        return actionsSent.get();
    }

    /** Impressions and actions handed to the producer. */
    public long sent() {
        return impressionsSent.get() + actionsSent.get();
    }

    /** Records the broker acknowledged. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Records that failed (asynchronously or in {@code send}). */
    public long failed() {
        return failed.get();
    }

    /** Counts the outcome of one send and logs a failure with the record's coordinates. */
    private final class CountingCallback implements Callback {
        private final String topic;
        private final String key;

        CountingCallback(String topic, String key) {
            this.topic = topic;
            this.key = key;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception == null) {
                acknowledged.incrementAndGet();
                return;
            }
            long n = failed.incrementAndGet();
            if (n <= LOG_FIRST || n % LOG_EVERY == 0) {
                LOG.warn(
                        "send to {} failed for key {} ({} failures so far): {}",
                        topic,
                        key,
                        n,
                        exception.toString());
            }
        }
    }
}
