package io.freshrank.jobs.sim;

import java.util.Locale;

/**
 * What a sample of simulated events looks like: volumes, click-through rate and how well the true
 * click probabilities rank the observed clicks. The oracle AUC is the ceiling for any model's AUC
 * on the same traffic, and the oracle log loss the floor for its log loss.
 *
 * @param impressions impressions in the sample
 * @param clicks impressions with at least one click in the sample
 * @param likes like actions in the sample
 * @param orphanActions actions whose impression is not in the sample
 * @param ctr clicks / impressions
 * @param meanOracleProbability mean true click probability (the expected CTR)
 * @param oracleAuc ROC AUC of the true click probabilities against the clicks ({@code NaN} without
 *     both classes)
 * @param oracleLogLoss mean log loss of the true click probabilities
 */
public record SampleStats(
        long impressions,
        long clicks,
        long likes,
        long orphanActions,
        double ctr,
        double meanOracleProbability,
        double oracleAuc,
        double oracleLogLoss) {

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "impressions=%d clicks=%d likes=%d orphanActions=%d ctr=%.4f"
                        + " meanOracleProbability=%.4f oracleAuc=%.4f oracleLogLoss=%.4f",
                impressions,
                clicks,
                likes,
                orphanActions,
                ctr,
                meanOracleProbability,
                oracleAuc,
                oracleLogLoss);
    }
}
