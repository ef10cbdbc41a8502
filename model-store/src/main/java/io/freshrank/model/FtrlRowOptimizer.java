package io.freshrank.model;

/**
 * FTRL-proximal with per-coordinate learning rates (McMahan et al., "Ad Click Prediction: a View
 * from the Trenches", KDD 2013, Algorithm 1) as a {@link RowOptimizer}.
 *
 * <p>The weights are a function of the state: {@code w_i = 0} if {@code |z_i| <= l1}, else {@code
 * w_i = -(z_i - sgn(z_i) l1) / ((beta + sqrt(n_i)) / alpha + l2)}. An update with gradient {@code
 * g_i} (taken at the current {@code w_i}) does {@code sigma = (sqrt(n_i + g_i^2) - sqrt(n_i)) /
 * alpha; z_i += g_i - sigma w_i; n_i += g_i^2} and then recomputes {@code w_i} from the closed
 * form, overwriting whatever the parameter held. With {@code l1 > 0} this is what makes the model
 * sparse: coordinates whose accumulated evidence {@code |z_i|} stays within {@code l1} are exactly
 * 0, so a coordinate that starts at 0 (such as a row's {@code w}) stays exactly 0 under gradient
 * noise until the evidence exceeds {@code l1}.
 *
 * <p>{@link #initState} inverts the closed form at {@code n = 0} ({@code z_i = -w_i (beta / alpha +
 * l2) - sgn(w_i) l1}), so freshly initialised weights survive into the first update instead of
 * being reset to 0. As {@code z} is a float, the weight recomputed from it matches the initial one
 * to float rounding of {@code z}: a relative error of about {@code 2^-24 (1 + l1 / ((beta / alpha +
 * l2) |w_i|))}, which grows for tiny initial weights when {@code l1} is large (a non-zero initial
 * weight never becomes 0 through this rounding alone). The encoded {@code z_i} carries the offset
 * {@code -sgn(w_i) l1} for good, so a non-zero initial weight starts just outside the l1 band, not
 * in its middle: L1 does not pull it to 0, pure-noise gradients zero it only when they happen to
 * move {@code z_i} inward (and may move it out again), and it becomes 0 for good only once the
 * gradients bring {@code z_i} well inside the band.
 *
 * <p>State layout ({@code 2n} floats): {@code z} at {@code [sOff, sOff + n)}, {@code n} at {@code
 * [sOff + n, sOff + 2n)}. Arithmetic is in double, state is stored as float. Immutable and
 * thread-safe.
 *
 * @param alpha learning-rate scale, finite and {@code > 0}
 * @param beta learning-rate smoothing, finite and {@code >= 0}
 * @param l1 L1 strength (sparsity), finite and {@code >= 0}
 * @param l2 L2 strength, finite and {@code >= 0}; {@code beta / alpha + l2} must be {@code > 0}
 *     (else the closed form divides by 0 before the first gradient)
 */
public record FtrlRowOptimizer(float alpha, float beta, float l1, float l2)
        implements RowOptimizer {

    public FtrlRowOptimizer {
        RowOptimizers.requirePositive("alpha", alpha);
        RowOptimizers.requireNonNegative("beta", beta);
        RowOptimizers.requireNonNegative("l1", l1);
        RowOptimizers.requireNonNegative("l2", l2);
        if (!(beta > 0f || l2 > 0f)) {
            throw new IllegalArgumentException(
                    "FTRL needs beta > 0 or l2 > 0 (else a weight is undefined before its first"
                            + " gradient); got beta = "
                            + beta
                            + ", l2 = "
                            + l2);
        }
    }

    @Override
    public int stateWidth(int n) {
        return 2 * RowOptimizers.checkedLength(n);
    }

    @Override
    public void initState(float[] params, int pOff, float[] state, int sOff, int n) {
        double denominator = (double) beta / alpha + l2;
        for (int i = 0; i < n; i++) {
            float w = params[pOff + i];
            float z = 0f;
            if (w != 0f) {
                double sign = Math.signum(w);
                z = (float) (-w * denominator - sign * l1);
                // Rounding may land z on the l1 boundary, which would zero the weight.
                if (!(Math.abs(z) > l1)) {
                    z = Math.nextAfter(z, -sign * Double.MAX_VALUE);
                }
            }
            state[sOff + i] = z;
            state[sOff + n + i] = 0f;
        }
    }

    @Override
    public void apply(
            float[] params, int pOff, float[] state, int sOff, float[] grad, int gOff, int n) {
        for (int i = 0; i < n; i++) {
            double g = grad[gOff + i];
            float w = params[pOff + i];
            float nOld = state[sOff + n + i];
            float nNew = (float) (nOld + g * g);
            // sigma telescopes to sqrt(n)/alpha only if it uses the stored (rounded) n values.
            double sigma = (Math.sqrt(nNew) - Math.sqrt(nOld)) / alpha;
            float z = (float) (state[sOff + i] + g - sigma * w);
            state[sOff + i] = z;
            state[sOff + n + i] = nNew;
            params[pOff + i] = weight(z, nNew);
        }
    }

    /** The closed-form weight of a coordinate with state {@code (z, n)}. */
    float weight(float z, float n) {
        if (Math.abs(z) <= l1) {
            return 0f;
        }
        double shrunk = z - Math.signum(z) * (double) l1;
        return (float) (-shrunk / ((beta + Math.sqrt(n)) / alpha + l2));
    }

    @Override
    public String name() {
        return RowOptimizers.FTRL;
    }
}
