package io.freshrank.schema;

import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.util.Map;

/**
 * Semantic checks applied after decoding: required ids present, times in a sane range, numeric
 * values finite. Stateless and thread-safe.
 */
public final class EventValidator {
    /** 2000-01-01T00:00:00Z. */
    public static final long DEFAULT_MIN_TIME_MS = 946_684_800_000L;

    /** 2100-01-01T00:00:00Z. */
    public static final long DEFAULT_MAX_TIME_MS = 4_102_444_800_000L;

    private final long minTimeMs;
    private final long maxTimeMs;

    public EventValidator(long minTimeMs, long maxTimeMs) {
        if (minTimeMs >= maxTimeMs) {
            throw new IllegalArgumentException(
                    "event time range is empty: min " + minTimeMs + " >= max " + maxTimeMs);
        }
        this.minTimeMs = minTimeMs;
        this.maxTimeMs = maxTimeMs;
    }

    public static EventValidator defaults() {
        return new EventValidator(DEFAULT_MIN_TIME_MS, DEFAULT_MAX_TIME_MS);
    }

    public DecodeResult<Impression> check(Impression imp) {
        if (isBlank(imp.getImpressionId())) {
            return DecodeResult.invalid(
                    InvalidReason.MISSING_FIELD, "Impression.impressionId is empty");
        }
        if (isBlank(imp.getRequestId())) {
            return DecodeResult.invalid(
                    InvalidReason.MISSING_FIELD, "Impression.requestId is empty");
        }
        if (imp.getPosition() < 0) {
            return DecodeResult.invalid(
                    InvalidReason.INVALID_VALUE,
                    "Impression.position is negative: " + imp.getPosition());
        }
        String timeProblem = checkTime("Impression.eventTimeMs", imp.getEventTimeMs());
        if (timeProblem != null) {
            return DecodeResult.invalid(InvalidReason.TIME_OUT_OF_RANGE, timeProblem);
        }
        String nonFinite = firstNonFinite(imp.getFeatures());
        if (nonFinite != null) {
            return DecodeResult.invalid(InvalidReason.NON_FINITE, nonFinite);
        }
        Float p = imp.getOracleProbability();
        if (p != null && !(p >= 0f && p <= 1f)) {
            return DecodeResult.invalid(
                    Float.isFinite(p) ? InvalidReason.INVALID_VALUE : InvalidReason.NON_FINITE,
                    "Impression.oracleProbability outside [0,1]: " + p);
        }
        return DecodeResult.valid(imp);
    }

    public DecodeResult<Action> check(Action action) {
        if (isBlank(action.getActionId())) {
            return DecodeResult.invalid(InvalidReason.MISSING_FIELD, "Action.actionId is empty");
        }
        if (isBlank(action.getImpressionId())) {
            return DecodeResult.invalid(
                    InvalidReason.MISSING_FIELD, "Action.impressionId is empty");
        }
        String timeProblem = checkTime("Action.eventTimeMs", action.getEventTimeMs());
        if (timeProblem != null) {
            return DecodeResult.invalid(InvalidReason.TIME_OUT_OF_RANGE, timeProblem);
        }
        if (!Float.isFinite(action.getValue())) {
            return DecodeResult.invalid(
                    InvalidReason.NON_FINITE, "Action.value is " + action.getValue());
        }
        return DecodeResult.valid(action);
    }

    private String checkTime(String field, long t) {
        if (t < minTimeMs || t > maxTimeMs) {
            return field + "=" + t + " outside [" + minTimeMs + ", " + maxTimeMs + "]";
        }
        return null;
    }

    /** The name of the first non-finite numeric feature, or null. */
    static String firstNonFinite(Features f) {
        if (f == null) {
            return null;
        }
        for (Map.Entry<String, Float> e : f.getNumeric().entrySet()) {
            Float v = e.getValue();
            if (v == null || !Float.isFinite(v)) {
                return "numeric feature '" + e.getKey() + "' is " + v;
            }
        }
        return null;
    }

    private static boolean isBlank(CharSequence s) {
        return s == null || s.toString().isBlank();
    }
}
