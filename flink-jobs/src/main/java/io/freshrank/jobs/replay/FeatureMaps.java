package io.freshrank.jobs.replay;

import io.freshrank.schema.avro.Features;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects one impression's raw features: empty values are left out (the model then uses the slot's
 * missing id, or 0 for a numeric), non-finite numerics too. Not thread-safe; one per item.
 */
final class FeatureMaps {
    private final Map<String, String> categorical = new HashMap<>();
    private final Map<String, List<String>> sequences = new HashMap<>();
    private final Map<String, Float> numeric = new HashMap<>();

    FeatureMaps categorical(String slot, String value) {
        if (value != null && !value.isEmpty()) {
            categorical.put(slot, value);
        }
        return this;
    }

    FeatureMaps sequence(String slot, List<String> values) {
        if (values != null && !values.isEmpty()) {
            sequences.put(slot, List.copyOf(values));
        }
        return this;
    }

    FeatureMaps numeric(String slot, double value) {
        if (Double.isFinite(value) && Float.isFinite((float) value)) {
            numeric.put(slot, (float) value);
        }
        return this;
    }

    Features build() {
        return new Features(categorical, sequences, numeric);
    }

    /** {@code sign(x) * ln(1 + |x|)}: log1p for counts, order-preserving for negatives. */
    static double signedLog1p(double x) {
        return Math.copySign(Math.log1p(Math.abs(x)), x);
    }
}
