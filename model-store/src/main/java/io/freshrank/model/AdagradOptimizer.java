package io.freshrank.model;

/**
 * Adagrad (Duchi et al., JMLR 2011) with optional L2, stateless: the squared-gradient accumulator
 * is passed in (it lives with the parameters: an embedding row's optimizer slot in keyed state, or
 * the trainer's dense state). Accumulators start at a positive value (the slot's initial
 * accumulator). Gradients are applied as given: callers drop non-finite gradients before calling.
 * Thread-safe (immutable); the arrays passed in are not guarded.
 */
public final class AdagradOptimizer {
    private final float learningRate;
    private final float l2;

    public AdagradOptimizer(float learningRate, float l2) {
        if (!(learningRate > 0f) || !(l2 >= 0f)) {
            throw new IllegalArgumentException(
                    "Adagrad needs learningRate > 0 and l2 >= 0; got " + learningRate + ", " + l2);
        }
        this.learningRate = learningRate;
        this.l2 = l2;
    }

    /**
     * {@code accum[a+i] += g_i^2; param[p+i] -= lr * g_i / sqrt(accum[a+i])} with {@code g_i =
     * grad[g+i] + l2 * param[p+i]}, for i in [0, len).
     */
    public void apply(float[] param, int p, float[] accum, int a, float[] grad, int g, int len) {
        for (int i = 0; i < len; i++) {
            float gi = grad[g + i] + l2 * param[p + i];
            float acc = accum[a + i] + gi * gi;
            accum[a + i] = acc;
            // acc == 0 only when g_i == 0 and the accumulator started at 0: the step is 0 then,
            // and 0/0 would write NaN into the parameter.
            if (acc > 0f) {
                param[p + i] -= learningRate * gi / (float) Math.sqrt(acc);
            }
        }
    }

    public float learningRate() {
        return learningRate;
    }

    public float l2() {
        return l2;
    }
}
