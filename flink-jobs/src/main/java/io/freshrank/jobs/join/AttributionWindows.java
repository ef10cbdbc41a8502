package io.freshrank.jobs.join;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.schema.avro.ActionType;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.flink.util.TimeUtils;

/**
 * The attribution window of every action type ({@code freshrank.join.windows}, e.g. {@code
 * click=15min,like=1h,conversion=3d}); types not listed get the default window ({@code
 * freshrank.join.attribution-window}). An action of type {@code T} is attributed to its impression
 * when its event time is in {@code [impression, impression + window(T)]}. Every type but {@link
 * ActionType#UNKNOWN} is a label task. Immutable.
 */
public final class AttributionWindows implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final List<ActionType> LABEL_TYPES =
            Arrays.stream(ActionType.values()).filter(t -> t != ActionType.UNKNOWN).toList();

    /** Window per {@link ActionType} ordinal, in ms. */
    private final long[] windowMs;

    private AttributionWindows(long[] windowMs) {
        this.windowMs = windowMs;
    }

    /** Every label type with the same window. */
    public static AttributionWindows uniform(Duration window) {
        return parse("", window);
    }

    /**
     * Parses {@code type=duration} pairs separated by commas (type names case-insensitive,
     * durations as Flink parses them: {@code 500ms}, {@code 15min}, {@code 1h}, {@code 3d}); blank
     * means no overrides. Throws naming the key and the bad entry.
     */
    public static AttributionWindows parse(String spec, Duration defaultWindow) {
        String key = FreshrankOptions.JOIN_WINDOWS.key();
        long[] ms = new long[ActionType.values().length];
        Arrays.fill(ms, positiveMs(FreshrankOptions.ATTRIBUTION_WINDOW.key(), defaultWindow));
        boolean[] set = new boolean[ms.length];
        if (spec != null && !spec.isBlank()) {
            for (String entry : spec.split(",")) {
                int eq = entry.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(
                            key
                                    + ": expected type=duration (e.g. click=15min), got '"
                                    + entry
                                    + "'");
                }
                ActionType type = labelType(key, entry.substring(0, eq).strip());
                if (set[type.ordinal()]) {
                    throw new IllegalArgumentException(
                            key + ": " + label(type) + " is listed twice in '" + spec + "'");
                }
                set[type.ordinal()] = true;
                ms[type.ordinal()] = positiveMs(key, duration(key, entry.substring(eq + 1)));
            }
        }
        return new AttributionWindows(ms);
    }

    /** The window of {@code type}, in ms. */
    public long windowMs(ActionType type) {
        return windowMs[type.ordinal()];
    }

    /** The window of the action type with ordinal {@code ordinal}, in ms. */
    public long windowMs(int ordinal) {
        return windowMs[ordinal];
    }

    /** The longest window of any label type, in ms. */
    public long longestMs() {
        long max = 0;
        for (ActionType t : LABEL_TYPES) {
            max = Math.max(max, windowMs(t));
        }
        return max;
    }

    /**
     * How long an impression waits under {@code policy}: the longest window under {@link
     * EmissionPolicy#WINDOW}, the click window under the click-driven policies.
     */
    public long closeAfterMs(EmissionPolicy policy) {
        return policy == EmissionPolicy.WINDOW ? longestMs() : windowMs(ActionType.CLICK);
    }

    /** The action types that are label tasks: every type but {@link ActionType#UNKNOWN}. */
    public static List<ActionType> labelTypes() {
        return Collections.unmodifiableList(new ArrayList<>(LABEL_TYPES));
    }

    /** The label name of an action type: its lower-case name. */
    public static String label(ActionType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttributionWindows w && Arrays.equals(windowMs, w.windowMs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(windowMs);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (ActionType t : LABEL_TYPES) {
            b.append(b.length() == 0 ? "" : ",").append(label(t)).append('=');
            b.append(Duration.ofMillis(windowMs(t)));
        }
        return b.toString();
    }

    private static ActionType labelType(String key, String name) {
        for (ActionType t : LABEL_TYPES) {
            if (label(t).equals(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                key + ": unknown action type '" + name + "', expected one of " + LABEL_TYPES);
    }

    private static Duration duration(String key, String text) {
        try {
            return TimeUtils.parseDuration(text.strip());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    key + ": cannot parse duration '" + text.strip() + "' (e.g. 15min, 1h, 3d)", e);
        }
    }

    private static long positiveMs(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, got " + d);
        }
        return d.toMillis();
    }
}
