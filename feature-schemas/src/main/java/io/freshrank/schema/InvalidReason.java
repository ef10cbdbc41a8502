package io.freshrank.schema;

/**
 * Why an event was rejected. The name is what lands in a dead letter's {@code reason} and metric
 * labels.
 */
public enum InvalidReason {
    /** The bytes are not a single-object encoded Avro record (bad header or corrupt body). */
    UNDECODABLE,
    /** The writer-schema fingerprint is not one of the released versions this reader knows. */
    UNKNOWN_SCHEMA,
    /** A required field is missing or empty (e.g. an impression id). */
    MISSING_FIELD,
    /** A value is outside its allowed range (a negative position, a probability above 1, ...). */
    INVALID_VALUE,
    /** A numeric feature or value is NaN or infinite. */
    NON_FINITE,
    /** The event time is outside the sane range the job accepts. */
    TIME_OUT_OF_RANGE,
    /** An action whose impression never arrived within the grace period. */
    ORPHAN_ACTION,
    /** An event that arrived after its window had been finalized beyond the allowed lateness. */
    LATE
}
