package io.freshrank.model;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1) as a
 * {@link RowOptimizer}, with bias correction by the row's own update count and an optional coupled
 * L2 penalty ({@code g + l2 * p}, not AdamW's decoupled decay).
 *
 * <p>Rows are updated only when touched, so {@code t} counts this row's updates and the moments
 * decay per update, not per wall-clock step ("lazy" Adam, as usual for sparse embeddings).
 *
 * <p>State layout ({@code 2n + 1} floats): first moments {@code m} at {@code [sOff, sOff + n)},
 * second moments {@code v} at {@code [sOff + n, sOff + 2n)}, and the update count {@code t} at
 * {@code sOff + 2n}, a float holding a whole number. Floats count exactly up to {@code 2^24}
 * (16,777,216 updates of one row); from there the count stays at {@code 2^24}. The count only feeds
 * the bias corrections {@code 1 - beta^t}, which are within {@code 1e-7} of 1 at {@code t = 2^24}
 * for any {@code beta <= 1 - 1e-6}, so the saturation changes nothing in practice. Arithmetic is in
 * double, state is stored as float. Immutable and thread-safe.
 *
 * @param learningRate step size, finite and {@code > 0}; the first step of each coordinate is about
 *     {@code learningRate} in size whatever the gradient scale
 * @param beta1 first-moment decay, in {@code [0, 1)}
 * @param beta2 second-moment decay, in {@code [0, 1)}
 * @param epsilon denominator guard, finite and {@code > 0}
 * @param l2 L2 penalty added to the gradient, finite and {@code >= 0}
 */
public record AdamRowOptimizer(
        float learningRate, float beta1, float beta2, float epsilon, float l2)
        implements RowOptimizer {

    /** The largest update count stored: floats hold every whole number up to 2^24 exactly. */
    public static final float MAX_STEP = 16_777_216f;

    public AdamRowOptimizer {
        RowOptimizers.requirePositive("learningRate", learningRate);
        RowOptimizers.requireUnitInterval("beta1", beta1);
        RowOptimizers.requireUnitInterval("beta2", beta2);
        RowOptimizers.requirePositive("epsilon", epsilon);
        RowOptimizers.requireNonNegative("l2", l2);
    }

    @Override
    public int stateWidth(int n) {
        return 2 * RowOptimizers.checkedLength(n) + 1;
    }

    @Override
    public void initState(float[] params, int pOff, float[] state, int sOff, int n) {
        java.util.Arrays.fill(state, sOff, sOff + 2 * n + 1, 0f);
    }

    @Override
    public void apply(
            float[] params, int pOff, float[] state, int sOff, float[] grad, int gOff, int n) {
        float t = state[sOff + 2 * n];
        if (t < MAX_STEP) {
            t += 1f;
        }
        state[sOff + 2 * n] = t;
        double correction1 = 1.0 - Math.pow(beta1, t);
        double correction2 = 1.0 - Math.pow(beta2, t);
        for (int i = 0; i < n; i++) {
            double p = params[pOff + i];
            double g = grad[gOff + i] + l2 * p;
            float m = (float) (beta1 * (double) state[sOff + i] + (1.0 - beta1) * g);
            float v = (float) (beta2 * (double) state[sOff + n + i] + (1.0 - beta2) * g * g);
            state[sOff + i] = m;
            state[sOff + n + i] = v;
            double step = learningRate * (m / correction1) / (Math.sqrt(v / correction2) + epsilon);
            params[pOff + i] = (float) (p - step);
        }
    }

    /** The update count stored in a state, for diagnostics. */
    public float step(float[] state, int sOff, int n) {
        return state[sOff + 2 * n];
    }

    @Override
    public String name() {
        return RowOptimizers.ADAM;
    }
}
