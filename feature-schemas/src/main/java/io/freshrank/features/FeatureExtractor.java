package io.freshrank.features;

import io.freshrank.schema.avro.Features;
import java.util.List;
import java.util.Map;

/**
 * Turns raw features (from an event or a ranking request) into a {@link FeatureVector}. Training
 * and serving both call this, so a feature means the same in both. Unknown slot names in the input
 * are ignored; missing categorical values map to the slot's missing id; missing numerics are 0.
 * Stateless and thread-safe.
 */
public final class FeatureExtractor {
    private final FeatureSpec spec;

    public FeatureExtractor(FeatureSpec spec) {
        this.spec = spec;
    }

    public FeatureSpec spec() {
        return spec;
    }

    public FeatureVector extract(Features f) {
        return extract(f.getCategorical(), f.getSequences(), f.getNumeric());
    }

    public FeatureVector extract(
            Map<String, String> categorical,
            Map<String, ? extends List<String>> sequences,
            Map<String, Float> numeric) {
        List<SlotSpec> emb = spec.embeddedSlots();
        long[][] ids = new long[emb.size()][];
        for (int s = 0; s < emb.size(); s++) {
            SlotSpec slot = emb.get(s);
            if (slot.kind() == SlotKind.CATEGORICAL) {
                String v = categorical == null ? null : categorical.get(slot.name());
                ids[s] =
                        new long[] {
                            v == null
                                    ? FeatureHasher.missingId(slot.id())
                                    : FeatureHasher.featureId(slot.id(), v)
                        };
            } else {
                List<String> vs = sequences == null ? null : sequences.get(slot.name());
                if (vs == null || vs.isEmpty()) {
                    ids[s] = new long[0];
                } else {
                    long[] out = new long[vs.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = FeatureHasher.featureId(slot.id(), vs.get(i));
                    }
                    ids[s] = out;
                }
            }
        }
        List<SlotSpec> num = spec.numericSlots();
        float[] values = new float[num.size()];
        for (int j = 0; j < values.length; j++) {
            Float v = numeric == null ? null : numeric.get(num.get(j).name());
            values[j] = v == null || !Float.isFinite(v) ? 0f : v;
        }
        return new FeatureVector(ids, values);
    }
}
