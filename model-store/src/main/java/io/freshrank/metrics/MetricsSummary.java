package io.freshrank.metrics;

import java.util.Locale;

/**
 * Metrics of one set of (score, label, oracle) triples. Any value is {@code NaN} when it is
 * undefined for the set: AUCs when a class is missing, oracle metrics when no oracle is known,
 * calibration when there is no positive label, everything but {@code count} when the set is empty.
 *
 * @param count examples in the set
 * @param auc ROC AUC of the scores
 * @param oracleAuc ROC AUC of the oracle probabilities (over the examples that have one)
 * @param logLoss mean log loss of the scores
 * @param oracleLogLoss mean log loss of the oracle probabilities (over the examples that have one)
 * @param calibration mean(score) / mean(label): 1 is calibrated, above 1 over-predicts
 * @param meanScore mean score (the predicted click-through rate)
 * @param meanLabel mean label (the observed click-through rate)
 */
public record MetricsSummary(
        long count,
        double auc,
        double oracleAuc,
        double logLoss,
        double oracleLogLoss,
        double calibration,
        double meanScore,
        double meanLabel) {

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "n=%d auc=%.4f oracleAuc=%.4f logLoss=%.4f oracleLogLoss=%.4f calibration=%.3f"
                        + " meanScore=%.4f meanLabel=%.4f",
                count,
                auc,
                oracleAuc,
                logLoss,
                oracleLogLoss,
                calibration,
                meanScore,
                meanLabel);
    }
}
