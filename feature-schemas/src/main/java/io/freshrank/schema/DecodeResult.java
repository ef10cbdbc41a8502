package io.freshrank.schema;

import java.util.Objects;

/**
 * The outcome of decoding (and validating) one event: either a value or an invalid reason with a
 * detail message.
 *
 * @param <T> the event type
 */
public final class DecodeResult<T> {
    private final T value;
    private final InvalidReason reason;
    private final String detail;

    private DecodeResult(T value, InvalidReason reason, String detail) {
        this.value = value;
        this.reason = reason;
        this.detail = detail;
    }

    public static <T> DecodeResult<T> valid(T value) {
        return new DecodeResult<>(Objects.requireNonNull(value, "value"), null, null);
    }

    public static <T> DecodeResult<T> invalid(InvalidReason reason, String detail) {
        return new DecodeResult<>(null, Objects.requireNonNull(reason, "reason"), detail);
    }

    public boolean isValid() {
        return value != null;
    }

    /** The decoded event; only when {@link #isValid()}. */
    public T value() {
        if (value == null) {
            throw new IllegalStateException("invalid event has no value: " + reason + " " + detail);
        }
        return value;
    }

    /** The reason; only when not {@link #isValid()}. */
    public InvalidReason reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return isValid() ? "valid(" + value + ")" : "invalid(" + reason + ": " + detail + ")";
    }
}
