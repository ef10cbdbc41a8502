package io.freshrank.features;

/** How a slot's raw values become model input. */
public enum SlotKind {
    /** One raw value per example, one embedding row per distinct value. */
    CATEGORICAL,
    /** Zero or more raw values per example; their embedding rows are sum-pooled. */
    SEQUENCE,
    /** One float per example, fed to the dense tower (missing = 0). */
    NUMERIC
}
