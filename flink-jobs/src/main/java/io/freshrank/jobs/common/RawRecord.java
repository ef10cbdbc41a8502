package io.freshrank.jobs.common;

/**
 * A Kafka record as read, before decoding: the payload plus its coordinates, so a record that
 * cannot be decoded can be dead-lettered with where it came from. A Flink POJO.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestampMs;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestampMs, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestampMs = timestampMs;
        this.value = value;
    }

    /** Where it came from, for logs (never the payload). */
    public String coordinates() {
        return topic + "/" + partition + "@" + offset;
    }
}
