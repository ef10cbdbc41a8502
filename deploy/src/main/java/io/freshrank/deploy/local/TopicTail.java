package io.freshrank.deploy.local;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a topic from its beginning on a daemon thread and hands every record to a callback
 * (called from that thread only). Used by the demo and the tests to watch the jobs' outputs.
 */
public final class TopicTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);

    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong records = new AtomicLong();

    public TopicTail(
            String bootstrap, String topic, Consumer<ConsumerRecord<byte[], byte[]>> onRecord) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "freshrank-tail-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        thread =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                                c.subscribe(List.of(topic));
                                while (running.get()) {
                                    for (ConsumerRecord<byte[], byte[]> r :
                                            c.poll(Duration.ofMillis(200))) {
                                        onRecord.accept(r);
                                        records.incrementAndGet();
                                    }
                                }
                            } catch (RuntimeException e) {
                                if (running.get()) {
                                    LOG.error("tail of topic {} failed", topic, e);
                                }
                            }
                        },
                        "tail-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Records handed to the callback so far. */
    public long records() {
        return records.get();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
