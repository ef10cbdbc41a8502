package io.freshrank.features;

/**
 * Optimizer of a slot's embedding rows. Which fields matter depends on {@code type}:
 *
 * <ul>
 *   <li>ADAGRAD: learningRate, initialAccumulator, l2
 *   <li>FTRL (FTRL-proximal, McMahan et al. 2013): learningRate (alpha), beta, l1, l2
 *   <li>ADAM: learningRate, beta1, beta2, epsilon, l2
 * </ul>
 *
 * @param type ADAGRAD (default), FTRL or ADAM
 * @param learningRate step size (FTRL's alpha), > 0
 * @param initialAccumulator Adagrad's initial squared-gradient accumulator, > 0
 * @param l1 L1 regularisation (FTRL), >= 0
 * @param l2 L2 regularisation, >= 0
 * @param beta FTRL's beta, >= 0
 * @param beta1 Adam's first-moment decay, in [0, 1)
 * @param beta2 Adam's second-moment decay, in [0, 1)
 * @param epsilon Adam's epsilon, > 0
 */
public record OptimizerSpec(
        String type,
        float learningRate,
        float initialAccumulator,
        float l1,
        float l2,
        float beta,
        float beta1,
        float beta2,
        float epsilon) {

    public static final OptimizerSpec DEFAULT =
            new OptimizerSpec("ADAGRAD", 0.05f, 0.1f, 0f, 0f, 1f, 0.9f, 0.999f, 1e-8f);

    /** Validates the fields {@code type} uses; the message names the field. */
    public OptimizerSpec {
        type = type.toUpperCase(java.util.Locale.ROOT);
        if (!type.equals("ADAGRAD") && !type.equals("FTRL") && !type.equals("ADAM")) {
            throw new IllegalArgumentException(
                    "optimizer \"type\" must be ADAGRAD, FTRL or ADAM, got " + type);
        }
        check(learningRate > 0f, "learningRate must be > 0");
        check(initialAccumulator > 0f, "initialAccumulator must be > 0");
        check(l1 >= 0f, "l1 must be >= 0");
        check(l2 >= 0f, "l2 must be >= 0");
        check(beta >= 0f, "beta must be >= 0");
        check(beta1 >= 0f && beta1 < 1f, "beta1 must be in [0, 1)");
        check(beta2 >= 0f && beta2 < 1f, "beta2 must be in [0, 1)");
        check(epsilon > 0f, "epsilon must be > 0");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("optimizer: " + message);
        }
    }
}
