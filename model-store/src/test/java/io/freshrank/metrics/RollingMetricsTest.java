package io.freshrank.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RollingMetricsTest {

    @Test
    void keepsOnlyTheLastCapacityTriples() {
        RollingMetrics m = new RollingMetrics(4);
        // evicted by the four that follow: a perfectly wrong ranking
        m.add(0.9, 0, 0.1);
        m.add(0.1, 1, 0.9);
        // the window: scores {0.1, 0.4, 0.35, 0.8}, labels {0, 0, 1, 1} -> AUC 0.75
        m.add(0.1, 0, 0.2);
        m.add(0.4, 0, 0.1);
        m.add(0.35, 1, 0.6);
        m.add(0.8, 1, 0.7);

        assertThat(m.count()).isEqualTo(4);
        assertThat(m.capacity()).isEqualTo(4);
        assertThat(m.totalAdded()).isEqualTo(6);
        assertThat(m.auc()).isCloseTo(0.75, within(1e-12));
        // oracle {0.2, 0.1, 0.6, 0.7} separates the classes perfectly
        assertThat(m.oracleAuc()).isEqualTo(1.0);
        // mean score 1.65 / 4, mean label 0.5
        assertThat(m.meanScore()).isCloseTo(0.4125, within(1e-6));
        assertThat(m.meanLabel()).isEqualTo(0.5);
        assertThat(m.calibration()).isCloseTo(0.825, within(1e-6));
        double ll =
                (-Math.log(1 - 0.1f) - Math.log(1 - 0.4f) - Math.log(0.35f) - Math.log(0.8f)) / 4;
        assertThat(m.logLoss()).isCloseTo(ll, within(1e-7));
        double oll =
                (-Math.log(1 - 0.2f) - Math.log(1 - 0.1f) - Math.log(0.6f) - Math.log(0.7f)) / 4;
        assertThat(m.oracleLogLoss()).isCloseTo(oll, within(1e-7));

        MetricsSummary s = m.summary();
        assertThat(s.count()).isEqualTo(4);
        assertThat(s.auc()).isEqualTo(m.auc());
        assertThat(s.oracleAuc()).isEqualTo(m.oracleAuc());
        assertThat(s.logLoss()).isEqualTo(m.logLoss());
        assertThat(s.calibration()).isEqualTo(m.calibration());
        assertThat(s.toString()).contains("auc=0.7500");
    }

    @Test
    void unknownOracleIsLeftOutOfOracleMetricsOnly() {
        RollingMetrics m = new RollingMetrics(10);
        m.add(0.2, 0);
        m.add(0.7, 1);
        m.add(0.3, 0, 0.9);
        m.add(0.6, 1, 0.1);
        assertThat(m.count()).isEqualTo(4);
        assertThat(m.auc()).isEqualTo(1.0);
        assertThat(m.oracleAuc()).isEqualTo(0.0);
        assertThat(m.oracleLogLoss())
                .isCloseTo((-Math.log(1 - 0.9f) - Math.log(0.1f)) / 2, within(1e-7));
    }

    @Test
    void countsAndDropsInvalidInput() {
        RollingMetrics m = new RollingMetrics(3);
        assertThat(m.add(Double.NaN, 1)).isFalse();
        assertThat(m.add(0.5, Double.POSITIVE_INFINITY)).isFalse();
        assertThat(m.add(1.5, 1)).isFalse();
        assertThat(m.add(0.5, 1, 2.0)).isFalse();
        assertThat(m.add(0.5, 1, Double.NEGATIVE_INFINITY)).isFalse();
        assertThat(m.add(0.5, 1, 0.5)).isTrue();
        assertThat(m.rejected()).isEqualTo(5);
        assertThat(m.count()).isEqualTo(1);
    }

    @Test
    void emptyOrSingleClassWindowGivesNan() {
        RollingMetrics m = new RollingMetrics(3);
        MetricsSummary empty = m.summary();
        assertThat(empty.count()).isZero();
        assertThat(empty.auc()).isNaN();
        assertThat(empty.logLoss()).isNaN();
        assertThat(empty.calibration()).isNaN();
        m.add(0.1, 0, 0.1);
        m.add(0.2, 0, 0.2);
        assertThat(m.auc()).isNaN();
        assertThat(m.oracleAuc()).isNaN();
        assertThat(m.calibration()).isNaN();
        assertThat(m.logLoss()).isFinite();
        m.clear();
        assertThat(m.count()).isZero();
        assertThat(m.totalAdded()).isZero();
    }

    @Test
    void windowAucMatchesPairwiseOnRandomStream() {
        SplittableRandom rnd = new SplittableRandom(3);
        int capacity = 500;
        int n = 1733;
        float[] s = new float[n];
        float[] y = new float[n];
        RollingMetrics m = new RollingMetrics(capacity);
        for (int i = 0; i < n; i++) {
            s[i] = Math.round(rnd.nextDouble() * 100) / 100f;
            y[i] = rnd.nextDouble() < s[i] ? 1 : 0;
            m.add(s[i], y[i], s[i]);
        }
        double expected = AucCalculatorTest.pairwiseAuc(s, y, n - capacity, n);
        assertThat(m.auc()).isCloseTo(expected, within(1e-12));
        assertThat(m.oracleAuc()).isCloseTo(expected, within(1e-12));
    }

    @Test
    void rejectsNonPositiveCapacity() {
        assertThatThrownBy(() -> new RollingMetrics(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
    }
}
