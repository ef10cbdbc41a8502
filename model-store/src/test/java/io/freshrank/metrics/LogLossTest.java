package io.freshrank.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogLossTest {

    @Test
    void matchesHandComputedValues() {
        assertThat(LogLoss.of(0.8, 1)).isCloseTo(0.2231435513, within(1e-9)); // -ln 0.8
        assertThat(LogLoss.of(0.8, 0)).isCloseTo(1.6094379124, within(1e-9)); // -ln 0.2
        assertThat(LogLoss.of(0.5, 1)).isCloseTo(Math.log(2), within(1e-12));
        // soft label 0.25 at p = 0.5 is still ln 2
        assertThat(LogLoss.of(0.5, 0.25)).isCloseTo(Math.log(2), within(1e-12));
    }

    @Test
    void clampsCertainMistakesToAFiniteLoss() {
        assertThat(LogLoss.of(0.0, 1)).isCloseTo(-Math.log(1e-7), within(1e-9)); // 16.118
        assertThat(LogLoss.of(1.0, 0)).isCloseTo(-Math.log(1e-7), within(1e-6));
        assertThat(LogLoss.of(1.0, 1)).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void meanOverArraysAndRanges() {
        float[] p = {0.8f, 0.8f, 0.5f};
        float[] y = {1, 0, 1};
        double expected = (-Math.log(0.8f) - Math.log(1 - 0.8f) + Math.log(2)) / 3;
        assertThat(LogLoss.mean(p, y)).isCloseTo(expected, within(1e-7));
        assertThat(LogLoss.mean(p, y, 2, 3)).isCloseTo(Math.log(2), within(1e-12));
        assertThat(LogLoss.mean(p, y, 1, 1)).isNaN();
    }
}
