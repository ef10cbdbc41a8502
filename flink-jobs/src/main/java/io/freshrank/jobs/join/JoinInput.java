package io.freshrank.jobs.join;

/**
 * An impression or an action on its way into the join, keyed by {@link #impressionId}. For an
 * impression {@link #impression} holds its single-object encoded bytes; for an action {@link
 * #actionId} is set. A Flink POJO.
 */
public class JoinInput {
    public String impressionId;
    public long eventTimeMs;

    /** Encoded impression; null for actions. */
    public byte[] impression;

    public String actionId;

    /** {@link io.freshrank.schema.avro.ActionType} ordinal. */
    public int actionType;

    public float actionValue;

    /** Encoded action (kept to dead-letter it if it is orphaned or late). */
    public byte[] action;

    public JoinInput() {}

    public static JoinInput impression(String impressionId, long eventTimeMs, byte[] bytes) {
        JoinInput in = new JoinInput();
        in.impressionId = impressionId;
        in.eventTimeMs = eventTimeMs;
        in.impression = bytes;
        return in;
    }

    public static JoinInput action(
            String impressionId,
            String actionId,
            int actionType,
            long eventTimeMs,
            float value,
            byte[] bytes) {
        JoinInput in = new JoinInput();
        in.impressionId = impressionId;
        in.actionId = actionId;
        in.actionType = actionType;
        in.eventTimeMs = eventTimeMs;
        in.actionValue = value;
        in.action = bytes;
        return in;
    }

    public boolean isImpression() {
        return impression != null;
    }
}
