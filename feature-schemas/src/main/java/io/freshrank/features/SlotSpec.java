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
 *     below it the slot's shared default row is used
 * @param idleExpiry rows not updated for this long are dropped
 * @param optimizer how rows of this slot learn
 */
public record SlotSpec(
        int id,
        String name,
        SlotKind kind,
        int dim,
        int admissionThreshold,
        Duration idleExpiry,
        OptimizerSpec optimizer) {

    public boolean embedded() {
        return kind != SlotKind.NUMERIC;
    }
}
