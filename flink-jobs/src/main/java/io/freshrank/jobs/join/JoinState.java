package io.freshrank.jobs.join;

import io.freshrank.schema.avro.ActionType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The join's keyed state for one impression id: the impression (encoded, while an emission may
 * still need its features), the actions seen so far, and how far the impression got through its
 * emission policy. After the window closes it stays as a tombstone for the grace period so
 * duplicates and late actions are recognised. A Flink POJO; the join always writes it back with
 * {@code update()} after changing it.
 */
public class JoinState {
    /**
     * Encoded impression while an emission may still need it: until window close (WINDOW), the
     * first click or window close (EARLY_POSITIVE), the correction or window close (FAKE_NEGATIVE).
     * Null before the impression arrives and after that.
     */
    public byte[] impression;

    /** The impression arrived (stays true in the tombstone). */
    public boolean impressionSeen;

    public long impressionTimeMs;
    public long closeTimeMs;

    /** The window closed (its close-time emission, if any, is done); the state is a tombstone. */
    public boolean closed;

    /** The click example (EARLY_POSITIVE or CORRECTION) was emitted. */
    public boolean clickEmitted;

    public long firstActionTimeMs = Long.MAX_VALUE;

    public String[] actionIds = new String[0];
    public int[] actionTypes = new int[0];
    public long[] actionTimes = new long[0];
    public float[] actionValues = new float[0];

    /** Encoded actions that arrived before their impression (dead-lettered if it never comes). */
    public byte[][] earlyActions = new byte[0][];

    public JoinState() {}

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
        if (!impressionSeen) {
            earlyActions = Arrays.copyOf(earlyActions, earlyActions.length + 1);
            earlyActions[earlyActions.length - 1] = a.action;
        }
    }

    /**
     * Whether an action of type ordinal {@code type} at {@code eventTimeMs} is attributed: inside
     * {@code [impression, impression + window(type)]} (and never after the close).
     */
    public boolean attributed(int type, long eventTimeMs, AttributionWindows windows) {
        return eventTimeMs >= impressionTimeMs
                && eventTimeMs <= impressionTimeMs + windows.windowMs(type)
                && eventTimeMs <= closeTimeMs;
    }

    /** Event time of the earliest attributed click recorded so far; empty if there is none. */
    public OptionalLong earliestClickInWindow(AttributionWindows windows) {
        long earliest = Long.MAX_VALUE;
        boolean found = false;
        for (int i = 0; i < actionIds.length; i++) {
            if (actionTypes[i] == ActionType.CLICK.ordinal()
                    && attributed(actionTypes[i], actionTimes[i], windows)) {
                earliest = Math.min(earliest, actionTimes[i]);
                found = true;
            }
        }
        return found ? OptionalLong.of(earliest) : OptionalLong.empty();
    }

    /**
     * Labels from the attributed actions recorded so far, one per label type ({@link
     * AttributionWindows#labelTypes()}): {@code click}, {@code like}, {@code conversion} are 0/1,
     * {@code dwell} sums dwell seconds; 0 where no such action was attributed.
     */
    public Map<String, Float> labels(AttributionWindows windows) {
        Map<String, Float> labels = noFeedbackLabels();
        for (int i = 0; i < actionIds.length; i++) {
            if (actionTypes[i] == ActionType.UNKNOWN.ordinal()
                    || !attributed(actionTypes[i], actionTimes[i], windows)) {
                continue;
            }
            ActionType type = ActionType.values()[actionTypes[i]];
            if (type == ActionType.DWELL) {
                labels.merge(label(type), actionValues[i], Float::sum);
            } else {
                labels.put(label(type), 1f);
            }
        }
        return labels;
    }

    /** The labels of an impression without feedback (a fake negative): 0 for every label type. */
    public static Map<String, Float> noFeedbackLabels() {
        Map<String, Float> labels = new HashMap<>();
        for (ActionType t : AttributionWindows.labelTypes()) {
            labels.put(label(t), 0f);
        }
        return labels;
    }

    /** The label name of an action type: its lower-case name. */
    public static String label(ActionType type) {
        return AttributionWindows.label(type);
    }
}
