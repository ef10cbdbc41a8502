package io.freshrank.features;

import java.time.Duration;

/**
 * One feature slot.
 *
 * @param id stable slot id, 1..255: the top 8 bits of every feature id of this slot. Never reuse or
 *     renumber an id (it would alias rows of two slots); a slot's name may change.
 * @param name the key in an event's feature maps
 * @param kind how the values are used
 * @param dim embedding dimension (ignored for NUMERIC)
 * @param admissionThreshold occurrences before an id gets its own row (1 = admit at first sight);
 *     below it the id is scored with a zero row and only counted (in a compact sketch)
 * @param admissionProbability probability with which an occurrence at or above the threshold admits
 *     the id (1 = always); lower values admit long-tail ids probabilistically
 * @param idleExpiry rows not updated for this long are dropped
 * @param initStddev standard deviation of a new row's factor entries (the first-order weight starts
 *     at 0)
 * @param clipNorm a row gradient's L2 norm is clipped to this (0 = no clipping)
 * @param optimizer how rows of this slot learn
 */
public record SlotSpec(
        int id,
        String name,
        SlotKind kind,
        int dim,
        int admissionThreshold,
        float admissionProbability,
        Duration idleExpiry,
        float initStddev,
        float clipNorm,
        OptimizerSpec optimizer) {

    public boolean embedded() {
        return kind != SlotKind.NUMERIC;
    }
}
