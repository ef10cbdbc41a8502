package io.freshrank.jobs.common;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@link BytesRecord}s to one topic (a named class: a lambda here fails Flink's type
 * extraction).
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
        return new ProducerRecord<>(topic, null, timestamp, element.key, element.value);
    }
}
