package io.freshrank.jobs.common;

/** A record to write to Kafka: key and value bytes (the topic is the sink's). A Flink POJO. */
public class BytesRecord {
    public byte[] key;
    public byte[] value;

    public BytesRecord() {}

    public BytesRecord(byte[] key, byte[] value) {
        this.key = key;
        this.value = value;
    }
}
