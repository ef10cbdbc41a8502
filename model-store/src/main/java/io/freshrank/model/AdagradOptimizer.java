package io.freshrank.model;

/**
 * Adagrad (Duchi et al., JMLR 2011) with optional L2, stateless: the squared-gradient accumulator
 * is passed in (it lives with the parameters: an embedding row's optimizer slot in keyed state, or
 * the trainer's dense state).
 */
public final class AdagradOptimizer {
    private final float learningRate;
    private final float l2;

    public AdagradOptimizer(float learningRate, float l2) {
        this.learningRate = learningRate;
        this.l2 = l2;
    }

    /**
     * {@code accum[a+i] += g_i^2; param[p+i] -= lr * g_i / sqrt(accum[a+i])} with {@code g_i =
     * grad[g+i] + l2 * param[p+i]}, for i in [0, len).
     */
    public void apply(float[] param, int p, float[] accum, int a, float[] grad, int g, int len) {
        throw new UnsupportedOperationException("being implemented");
    }

    public float learningRate() {
        return learningRate;
    }
}
