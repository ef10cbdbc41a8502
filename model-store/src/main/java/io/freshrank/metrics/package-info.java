/**
 * Evaluation metrics for a click model: exact ROC AUC, log loss and calibration, over a sliding
 * window ({@link io.freshrank.metrics.RollingMetrics}, what the trainer's metrics stream reports as
 * it learns) and over a whole run ({@link io.freshrank.metrics.ProgressiveEvaluation}, for the
 * end-of-run report "AUC over the last 20% of examples").
 *
 * <p>Why a package of its own: the trainer (inside Flink), the ranking server and offline
 * evaluation tools must compute the same numbers, so the metrics live in the Flink-free module next
 * to the model math. Every metric also tracks the <em>oracle</em> (the true click probability,
 * known for simulated traffic), because a model's AUC means little until it is compared with the
 * best AUC any model could reach on the same labels.
 *
 * <p>Conventions shared by every class here: a label is positive when it is {@code >= 0.5}; scores
 * used for log loss and calibration are probabilities in [0, 1]; an oracle value of {@code NaN}
 * means "unknown" and such examples are left out of the oracle metrics only. The accumulating
 * classes never throw on bad data: a non-finite or out-of-range input is counted as rejected and
 * dropped. Nothing here is thread-safe; use one instance per task.
 */
package io.freshrank.metrics;
