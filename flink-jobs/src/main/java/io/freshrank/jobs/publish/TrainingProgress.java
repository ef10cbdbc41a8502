package io.freshrank.jobs.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshrank.store.ExampleOffsets;
import io.freshrank.store.SnapshotManifest;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * How far training has read the examples topic: per partition, the highest offset trained and the
 * newest example event time trained from it. Each trainer subtask keeps one (cumulative since the
 * job first started; restored from its checkpoint); the publisher merges every subtask's at commit
 * time into the version's provenance.
 *
 * <p>Merging takes, per partition, the maximum offset and event time over subtasks: under aligned
 * checkpoints every example read before the barrier is trained before the trainers snapshot, and a
 * partition is read in offset order, so every offset up to the maximum is trained into the version.
 * The watermark is the smallest, over partitions, of the newest event time trained from it (the
 * per-partition rule of Flink's Kafka source, without an out-of-orderness allowance; the train
 * job's sources emit no Flink watermarks). Partitions not yet read are absent and hold nothing
 * back.
 *
 * <p>Text form (staged per subtask and in operator state), format version 1: {@code
 * {"v":1,"offsets":{"0":1233},"eventTimes":{"0":1767225600000}}}. Not thread-safe.
 */
public final class TrainingProgress {
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Integer, Long> maxOffsets = new HashMap<>();
    private final Map<Integer, Long> maxEventTimes = new HashMap<>();

    /**
     * Records one trained example; a negative partition or offset (unknown origin, e.g. a test
     * source without Kafka) is ignored.
     */
    public void record(int partition, long offset, long eventTimeMs) {
        if (partition < 0 || offset < 0) {
            return;
        }
        maxOffsets.merge(partition, offset, Math::max);
        maxEventTimes.merge(partition, eventTimeMs, Math::max);
    }

    /** Takes, per partition, the larger offset and event time of this and {@code other}. */
    public void merge(TrainingProgress other) {
        other.maxOffsets.forEach((p, o) -> maxOffsets.merge(p, o, Math::max));
        other.maxEventTimes.forEach((p, t) -> maxEventTimes.merge(p, t, Math::max));
    }

    public boolean isEmpty() {
        return maxOffsets.isEmpty();
    }

    /** Per partition, the next offset to read: the highest trained offset + 1. */
    public Map<Integer, Long> nextOffsets() {
        Map<Integer, Long> out = new TreeMap<>();
        maxOffsets.forEach((p, o) -> out.put(p, o + 1));
        return out;
    }

    /** The smallest, over partitions read, of the newest event time trained; empty if none. */
    public OptionalLong watermarkMs() {
        return maxEventTimes.values().stream().mapToLong(Long::longValue).min();
    }

    /** The provenance entries {@link SnapshotManifest#EXAMPLES_OFFSETS} and watermark (if any). */
    public Map<String, String> provenance() {
        Map<String, String> out = new TreeMap<>();
        if (isEmpty()) {
            return out;
        }
        out.put(SnapshotManifest.EXAMPLES_OFFSETS, ExampleOffsets.format(nextOffsets()));
        out.put(SnapshotManifest.WATERMARK_MS, Long.toString(watermarkMs().getAsLong()));
        return out;
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", VERSION);
        ObjectNode offsets = root.putObject("offsets");
        new TreeMap<>(maxOffsets).forEach((p, o) -> offsets.put(Integer.toString(p), o));
        ObjectNode times = root.putObject("eventTimes");
        new TreeMap<>(maxEventTimes).forEach((p, t) -> times.put(Integer.toString(p), t));
        return root.toString();
    }

    /**
     * Parses {@link #toJson()}'s form.
     *
     * @throws IOException if it is not that form, naming the format versions when they differ
     */
    public static TrainingProgress fromJson(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        int v = root == null ? -1 : root.path("v").asInt(-1);
        if (v != VERSION) {
            throw new IOException(
                    "training progress has format version "
                            + v
                            + "; this reader supports "
                            + VERSION);
        }
        TrainingProgress out = new TrainingProgress();
        try {
            root.path("offsets")
                    .fields()
                    .forEachRemaining(
                            e ->
                                    out.maxOffsets.put(
                                            Integer.parseInt(e.getKey()), e.getValue().asLong()));
            root.path("eventTimes")
                    .fields()
                    .forEachRemaining(
                            e ->
                                    out.maxEventTimes.put(
                                            Integer.parseInt(e.getKey()), e.getValue().asLong()));
        } catch (NumberFormatException e) {
            throw new IOException("training progress has a non-numeric partition: " + json, e);
        }
        if (!out.maxOffsets.keySet().equals(out.maxEventTimes.keySet())) {
            throw new IOException(
                    "training progress lists other partitions for offsets and event times: "
                            + json);
        }
        return out;
    }
}
