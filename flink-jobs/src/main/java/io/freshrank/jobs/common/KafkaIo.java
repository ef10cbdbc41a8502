package io.freshrank.jobs.common;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/** Builds the jobs' Kafka sources and sinks from {@link FreshrankOptions}. */
public final class KafkaIo {
    private KafkaIo() {}

    public static String bootstrap(Configuration conf) {
        return conf.getOptional(FreshrankOptions.BOOTSTRAP_SERVERS)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "set "
                                                + FreshrankOptions.BOOTSTRAP_SERVERS.key()
                                                + " to the Kafka bootstrap servers"));
    }

    /**
     * A source of raw records of {@code topic}. A fresh job starts at the earliest offsets; a
     * restored job resumes from the offsets in its checkpoint.
     */
    public static KafkaSource<RawRecord> rawSource(
            Configuration conf, String topic, String groupSuffix) {
        KafkaSourceBuilder<RawRecord> b =
                KafkaSource.<RawRecord>builder()
                        .setBootstrapServers(bootstrap(conf))
                        .setTopics(topic)
                        .setGroupId(conf.get(FreshrankOptions.GROUP_PREFIX) + "-" + groupSuffix)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new RawRecordDeserializer())
                        .setProperty("isolation.level", "read_committed")
                        .setProperty("partition.discovery.interval.ms", "10000");
        if (conf.get(FreshrankOptions.BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /**
     * A source of a feedback topic the job writes itself (gradients, dense deltas): never bounded,
     * and polled with a short fetch wait ({@code fetch.max.wait.ms=5}) because its latency is the
     * training loop's staleness (the consumer default of 500 ms adds up to half a second to every
     * round trip on a quiet topic).
     */
    public static KafkaSource<RawRecord> feedbackSource(
            Configuration conf, String topic, String groupSuffix) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrap(conf))
                .setTopics(topic)
                .setGroupId(conf.get(FreshrankOptions.GROUP_PREFIX) + "-" + groupSuffix)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("fetch.max.wait.ms", "5")
                .setProperty("fetch.min.bytes", "1")
                .build();
    }

    /** An at-least-once sink of {@link BytesRecord}s to {@code topic}. */
    public static KafkaSink<BytesRecord> sink(Configuration conf, String topic) {
        return sink(conf, topic, SinkDelivery.atLeastOnce());
    }

    /**
     * A sink of {@link BytesRecord}s to {@code topic} with the given delivery. Exactly-once writes
     * in transactions with ids prefixed {@link SinkDelivery#transactionalIdPrefix(String)} and
     * timeout {@link SinkDelivery#transactionTimeout()}, committed when a checkpoint completes;
     * readers must use {@code isolation.level=read_committed} (as {@link #rawSource} does).
     */
    public static KafkaSink<BytesRecord> sink(
            Configuration conf, String topic, SinkDelivery delivery) {
        KafkaSinkBuilder<BytesRecord> b =
                KafkaSink.<BytesRecord>builder()
                        .setBootstrapServers(bootstrap(conf))
                        .setRecordSerializer(new BytesRecordSerializer(topic))
                        .setDeliveryGuarantee(delivery.mode().guarantee())
                        .setProperty("linger.ms", "5");
        if (delivery.mode() == DeliveryMode.EXACTLY_ONCE) {
            b.setTransactionalIdPrefix(delivery.transactionalIdPrefix(topic))
                    .setProperty(
                            "transaction.timeout.ms",
                            Long.toString(delivery.transactionTimeout().toMillis()));
        }
        return b.build();
    }
}
