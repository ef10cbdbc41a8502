package io.freshrank.features;

/**
 * The model input of one example: feature ids per embedded slot (in {@link
 * FeatureSpec#embeddedSlots()} order) and numeric values (in {@link FeatureSpec#numericSlots()}
 * order). A CATEGORICAL slot has exactly one id (the slot's missing id when absent); a SEQUENCE
 * slot has zero or more. Arrays are owned by the vector: do not mutate.
 *
 * @param ids ids[s] are the feature ids of embedded slot s
 * @param numeric numeric[j] is numeric slot j's value (0 when absent)
 */
public record FeatureVector(long[][] ids, float[] numeric) {
    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureVector v
                && java.util.Arrays.deepEquals(ids, v.ids)
                && java.util.Arrays.equals(numeric, v.numeric);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.deepHashCode(ids) + java.util.Arrays.hashCode(numeric);
    }

    @Override
    public String toString() {
        return "FeatureVector(ids="
                + java.util.Arrays.deepToString(ids)
                + ", numeric="
                + java.util.Arrays.toString(numeric)
                + ")";
    }
}
