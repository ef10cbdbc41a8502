package io.freshrank.jobs.join;

import io.freshrank.schema.avro.ActionType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The join's keyed state for one impression id: the waiting impression (encoded), the actions seen
 * so far, and whether the example was emitted (kept as a tombstone for the grace period so
 * duplicates and late actions are recognised). A Flink POJO; the join always writes it back with
 * {@code update()} after changing it.
 */
public class JoinState {
    /** Encoded impression while it waits; null before it arrives and after emission. */
    public byte[] impression;

    public long impressionTimeMs;
    public long closeTimeMs;
    public boolean emitted;
    public long firstActionTimeMs = Long.MAX_VALUE;

    public String[] actionIds = new String[0];
    public int[] actionTypes = new int[0];
    public long[] actionTimes = new long[0];
    public float[] actionValues = new float[0];

    /** Encoded actions that arrived before their impression (dead-lettered if it never comes). */
    public byte[][] earlyActions = new byte[0][];

    public JoinState() {}

    public boolean hasImpression() {
        return impression != null;
    }

    public boolean seenAction(String actionId) {
        for (String id : actionIds) {
            if (id.equals(actionId)) {
                return true;
            }
        }
        return false;
    }

    /** Records an action; keeps its bytes when the impression has not arrived yet. */
    public void addAction(JoinInput a) {
        int n = actionIds.length;
        actionIds = Arrays.copyOf(actionIds, n + 1);
        actionTypes = Arrays.copyOf(actionTypes, n + 1);
        actionTimes = Arrays.copyOf(actionTimes, n + 1);
        actionValues = Arrays.copyOf(actionValues, n + 1);
        actionIds[n] = a.actionId;
        actionTypes[n] = a.actionType;
        actionTimes[n] = a.eventTimeMs;
        actionValues[n] = a.actionValue;
        firstActionTimeMs = Math.min(firstActionTimeMs, a.eventTimeMs);
        if (!hasImpression() && !emitted) {
            earlyActions = Arrays.copyOf(earlyActions, earlyActions.length + 1);
            earlyActions[earlyActions.length - 1] = a.action;
        }
    }

    /**
     * Labels from the actions inside {@code [impressionTimeMs, closeTimeMs]}: {@code click}, {@code
     * like}, {@code conversion} are 0/1, {@code dwell} sums dwell seconds. {@code click} is always
     * present.
     */
    public Map<String, Float> labels() {
        Map<String, Float> labels = new HashMap<>();
        labels.put(label(ActionType.CLICK), 0f);
        for (int i = 0; i < actionIds.length; i++) {
            if (actionTimes[i] < impressionTimeMs || actionTimes[i] > closeTimeMs) {
                continue;
            }
            ActionType type = ActionType.values()[actionTypes[i]];
            if (type == ActionType.UNKNOWN) {
                continue;
            }
            if (type == ActionType.DWELL) {
                labels.merge(label(type), actionValues[i], Float::sum);
            } else {
                labels.put(label(type), 1f);
            }
        }
        return labels;
    }

    /** The label name of an action type: its lower-case name. */
    public static String label(ActionType type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }
}
