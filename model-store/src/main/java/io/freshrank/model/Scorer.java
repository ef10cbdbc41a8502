package io.freshrank.model;

import io.freshrank.features.FeatureVector;
import java.util.List;

/**
 * Scores examples with a model: assemble pooled inputs from a {@link RowLookup}, run {@link
 * DeepFmModel#forward}, apply the sigmoid. The ranking server's only scoring path, and the same
 * forward pass the trainer uses. Holds preallocated buffers: not thread-safe, use one per thread
 * (each with its own {@link DeepFmModel}, whose ND4J buffers are not shareable either).
 */
public final class Scorer {
    /** Examples per forward call: bounds the buffers and keeps GEMMs in their efficient range. */
    public static final int CHUNK = 512;

    private final DeepFmModel model;
    private final BatchAssembler assembler;
    private float[] pooled;
    private float[] numeric;
    private float[] logits;

    public Scorer(DeepFmModel model) {
        this.model = model;
        this.assembler = new BatchAssembler(model.config());
    }

    public DeepFmModel model() {
        return model;
    }

    /**
     * Click probabilities of {@code examples}, in order (any count; processed in chunks
     * internally).
     */
    public float[] score(List<FeatureVector> examples, RowLookup rows, DenseParameters params) {
        int n = examples.size();
        float[] out = new float[n];
        if (n == 0) {
            return out;
        }
        ensureCapacity(Math.min(n, CHUNK));
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            int batch = to - from;
            assembler.assemble(examples.subList(from, to), rows, pooled, numeric);
            model.forward(params, pooled, numeric, batch, logits);
            for (int i = 0; i < batch; i++) {
                out[from + i] = DeepFmModel.sigmoid(logits[i]);
            }
        }
        return out;
    }

    private void ensureCapacity(int batch) {
        if (logits == null || logits.length < batch) {
            ModelConfig c = model.config();
            pooled = new float[batch * c.numSlots() * c.rowWidth()];
            numeric = new float[batch * c.numNumeric()];
            logits = new float[batch];
        }
    }
}
