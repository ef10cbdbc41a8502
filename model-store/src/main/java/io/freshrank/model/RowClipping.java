package io.freshrank.model;

/**
 * Gradient clipping by L2 norm (as in Pascanu et al., ICML 2013), applied per row before an
 * optimizer update so one outlier example cannot throw a row far away. Thread-safe (stateless).
 */
public final class RowClipping {
    private RowClipping() {}

    /**
     * Scales {@code grad[off .. off + n)} in place so that its L2 norm is at most {@code maxNorm}
     * (to float rounding: at most one part in 10^7 above), keeping its direction. {@code maxNorm <=
     * 0} or {@code +Infinity} disables clipping. The norm is computed in double, so finite
     * gradients never overflow it; a slice with a non-finite value is left as is (callers drop
     * non-finite gradients, clipping does not repair them).
     *
     * @return true if the slice was scaled
     * @throws IllegalArgumentException if {@code maxNorm} is NaN (a configuration bug)
     */
    public static boolean clipL2(float[] grad, int off, int n, float maxNorm) {
        if (Float.isNaN(maxNorm)) {
            throw new IllegalArgumentException(
                    "maxNorm must be a number (<= 0 or +Infinity to disable); got NaN");
        }
        if (maxNorm <= 0f || maxNorm == Float.POSITIVE_INFINITY) {
            return false;
        }
        double sumOfSquares = 0.0;
        for (int i = off; i < off + n; i++) {
            double g = grad[i];
            sumOfSquares += g * g;
        }
        double norm = Math.sqrt(sumOfSquares);
        if (!(norm > maxNorm) || !Double.isFinite(norm)) {
            return false;
        }
        double scale = maxNorm / norm;
        for (int i = off; i < off + n; i++) {
            grad[i] = (float) (grad[i] * scale);
        }
        return true;
    }
}
