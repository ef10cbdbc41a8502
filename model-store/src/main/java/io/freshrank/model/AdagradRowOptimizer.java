package io.freshrank.model;

/**
 * Adagrad (Duchi et al., JMLR 2011) with optional L2 as a {@link RowOptimizer}: the same math as
 * {@link AdagradOptimizer}, bit for bit, with the accumulator kept in the row's state.
 *
 * <p>State layout ({@code n} floats): {@code state[sOff + i]} is the squared-gradient accumulator
 * of parameter {@code i}, initialised to {@code initialAccumulator}. Immutable and thread-safe.
 *
 * @param learningRate step size, finite and {@code > 0}
 * @param initialAccumulator initial accumulator, finite and {@code >= 0} (a positive value damps
 *     the first steps; with 0 the first step of a coordinate is {@code learningRate} in size)
 * @param l2 L2 penalty added to the gradient ({@code g + l2 * p}), finite and {@code >= 0}
 */
public record AdagradRowOptimizer(float learningRate, float initialAccumulator, float l2)
        implements RowOptimizer {

    public AdagradRowOptimizer {
        RowOptimizers.requirePositive("learningRate", learningRate);
        RowOptimizers.requireNonNegative("initialAccumulator", initialAccumulator);
        RowOptimizers.requireNonNegative("l2", l2);
    }

    @Override
    public int stateWidth(int n) {
        return RowOptimizers.checkedLength(n);
    }

    @Override
    public void initState(float[] params, int pOff, float[] state, int sOff, int n) {
        java.util.Arrays.fill(state, sOff, sOff + n, initialAccumulator);
    }

    /**
     * {@code acc_i += g_i^2; p_i -= lr * g_i / sqrt(acc_i)} with {@code g_i = grad_i + l2 * p_i}.
     * The expression is the one of {@link AdagradOptimizer#apply} (kept bitwise equal by a test):
     * this record cannot hold an {@code AdagradOptimizer} since that class is not serializable.
     */
    @Override
    public void apply(
            float[] params, int pOff, float[] state, int sOff, float[] grad, int gOff, int n) {
        for (int i = 0; i < n; i++) {
            float gi = grad[gOff + i] + l2 * params[pOff + i];
            float acc = state[sOff + i] + gi * gi;
            state[sOff + i] = acc;
            // acc == 0 only for a zero gradient on a zero accumulator: no step, and no 0/0.
            if (acc > 0f) {
                params[pOff + i] -= learningRate * gi / (float) Math.sqrt(acc);
            }
        }
    }

    @Override
    public String name() {
        return RowOptimizers.ADAGRAD;
    }
}
