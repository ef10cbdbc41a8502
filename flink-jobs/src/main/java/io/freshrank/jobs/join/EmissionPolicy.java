package io.freshrank.jobs.join;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.schema.avro.EmissionKind;
import java.util.Arrays;
import java.util.Locale;

/**
 * When the label join emits an impression as a {@link io.freshrank.schema.avro.LabeledExample}
 * ({@code freshrank.join.emission-policy}). Each policy's contract, and what it costs in freshness,
 * bias and state, is in the package doc.
 */
public enum EmissionPolicy {
    /** Once per impression, at window close, with every label seen inside the window. */
    WINDOW,

    /**
     * Once per impression: at its first click inside the window ({@link
     * EmissionKind#EARLY_POSITIVE}), else as a negative at window close ({@link
     * EmissionKind#WINDOW_CLOSE}).
     */
    EARLY_POSITIVE,

    /**
     * A {@link EmissionKind#FAKE_NEGATIVE} at the impression's arrival, plus one {@link
     * EmissionKind#CORRECTION} at its first click inside the window (Ktena et al., "Addressing
     * Delayed Feedback for Continuous Training with Neural Networks in CTR prediction", RecSys
     * 2019).
     */
    FAKE_NEGATIVE;

    /**
     * The policy named {@code value} (case-insensitive, surrounding blanks ignored); throws naming
     * the config key and the allowed values otherwise.
     */
    public static EmissionPolicy parse(String value) {
        String key = FreshrankOptions.EMISSION_POLICY.key();
        if (value != null) {
            String name = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
            for (EmissionPolicy p : values()) {
                if (p.name().equals(name)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException(
                key + " must be one of " + Arrays.toString(values()) + ", got '" + value + "'");
    }
}
