package io.freshrank.jobs.common;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@link BytesRecord}s to one topic (a named class: a lambda here fails Flink's type
 * extraction). Records get the producer's wall-clock timestamp, not the Flink record's event time:
 * event time travels in the payload, Kafka's time-based retention must not delete replayed or
 * simulated data whose event time lies in the past, and the trainer measures freshness from the
 * moment an example reached Kafka.
 */
public final class BytesRecordSerializer implements KafkaRecordSerializationSchema<BytesRecord> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public BytesRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            BytesRecord element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, element.key, element.value);
    }
}
