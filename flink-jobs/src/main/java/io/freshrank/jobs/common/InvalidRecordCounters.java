package io.freshrank.jobs.common;

import io.freshrank.schema.InvalidReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The {@code numInvalidRecords} counters of one operator, one per {@link InvalidReason} (label
 * {@code reason}).
 */
public final class InvalidRecordCounters {
    private final Map<InvalidReason, Counter> counters = new EnumMap<>(InvalidReason.class);

    public InvalidRecordCounters(MetricGroup group) {
        for (InvalidReason r : InvalidReason.values()) {
            counters.put(r, group.addGroup("reason", r.name()).counter("numInvalidRecords"));
        }
    }

    public void inc(InvalidReason reason) {
        counters.get(reason).inc();
    }

    public long count(InvalidReason reason) {
        return counters.get(reason).getCount();
    }
}
