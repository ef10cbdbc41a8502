package io.freshrank.model;

import java.util.Locale;

/**
 * Creates the {@link RowOptimizer} named by the configuration. The caller resolves defaults; this
 * factory validates the parameters the chosen optimizer uses and ignores the others:
 *
 * <ul>
 *   <li>{@code ADAGRAD}: learningRate, initialAccumulator, l2 ({@link AdagradRowOptimizer})
 *   <li>{@code FTRL}: learningRate (as alpha), beta, l1, l2 ({@link FtrlRowOptimizer})
 *   <li>{@code ADAM}: learningRate, beta1, beta2, epsilon, l2 ({@link AdamRowOptimizer})
 * </ul>
 *
 * <p>Invalid values throw {@link IllegalArgumentException} naming the parameter, its allowed range
 * and the value given. Thread-safe (stateless).
 */
public final class RowOptimizers {
    public static final String ADAGRAD = "ADAGRAD";
    public static final String FTRL = "FTRL";
    public static final String ADAM = "ADAM";

    private RowOptimizers() {}

    /**
     * The optimizer of the given type (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException if the type is null or unknown, or a parameter it uses is
     *     out of range
     */
    public static RowOptimizer create(
            String type,
            float learningRate,
            float initialAccumulator,
            float l1,
            float l2,
            float beta,
            float beta1,
            float beta2,
            float epsilon) {
        String normalized = type == null ? "" : type.trim().toUpperCase(Locale.ROOT);
        switch (normalized) {
            case ADAGRAD:
                return new AdagradRowOptimizer(learningRate, initialAccumulator, l2);
            case FTRL:
                // The record names it alpha; name the factory's parameter in errors.
                requirePositive("learningRate (FTRL alpha)", learningRate);
                return new FtrlRowOptimizer(learningRate, beta, l1, l2);
            case ADAM:
                return new AdamRowOptimizer(learningRate, beta1, beta2, epsilon, l2);
            default:
                throw new IllegalArgumentException(
                        "optimizer type must be one of "
                                + ADAGRAD
                                + ", "
                                + FTRL
                                + ", "
                                + ADAM
                                + " (case-insensitive); got "
                                + (type == null ? "null" : "'" + type + "'"));
        }
    }

    static void requirePositive(String name, float value) {
        if (!(Float.isFinite(value) && value > 0f)) {
            throw new IllegalArgumentException(name + " must be finite and > 0; got " + value);
        }
    }

    static void requireNonNegative(String name, float value) {
        if (!(Float.isFinite(value) && value >= 0f)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0; got " + value);
        }
    }

    static void requireUnitInterval(String name, float value) {
        if (!(value >= 0f && value < 1f)) {
            throw new IllegalArgumentException(name + " must be in [0, 1); got " + value);
        }
    }

    static int checkedLength(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("parameter vector length must be >= 0; got " + n);
        }
        return n;
    }
}
