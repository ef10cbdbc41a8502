package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RowClippingTest {
    @Test
    void scalesALongSliceToTheMaximumNorm() {
        float[] grad = {9f, 3f, 4f, 9f};
        assertThat(RowClipping.clipL2(grad, 1, 2, 1f)).isTrue();
        assertThat(grad[1]).isCloseTo(0.6f, within(1e-7f));
        assertThat(grad[2]).isCloseTo(0.8f, within(1e-7f));
        assertThat(grad[0]).isEqualTo(9f);
        assertThat(grad[3]).isEqualTo(9f);
    }

    @Test
    void leavesShortSlicesAlone() {
        float[] grad = {3f, 4f};
        assertThat(RowClipping.clipL2(grad, 0, 2, 5f)).as("norm == max").isFalse();
        assertThat(RowClipping.clipL2(grad, 0, 2, 6f)).isFalse();
        assertThat(grad).containsExactly(3f, 4f);
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, -1f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY})
    void nonPositiveOrInfiniteMaximumDisables(float maxNorm) {
        float[] grad = {3e20f, -4e20f};
        assertThat(RowClipping.clipL2(grad, 0, 2, maxNorm)).isFalse();
        assertThat(grad).containsExactly(3e20f, -4e20f);
    }

    @Test
    void nanMaximumIsAConfigurationBug() {
        assertThatThrownBy(() -> RowClipping.clipL2(new float[] {1f}, 0, 1, Float.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxNorm");
    }

    @Test
    void hugeFiniteValuesDoNotOverflowTheNorm() {
        float[] grad = {3e30f, -4e30f};
        assertThat(RowClipping.clipL2(grad, 0, 2, 10f)).isTrue();
        assertThat(grad[0]).isCloseTo(6f, within(1e-5f));
        assertThat(grad[1]).isCloseTo(-8f, within(1e-5f));
    }

    @Test
    void nonFiniteSlicesAreLeftForTheCallerToDrop() {
        float[] grad = {Float.POSITIVE_INFINITY, 1f};
        assertThat(RowClipping.clipL2(grad, 0, 2, 1f)).isFalse();
        assertThat(grad).containsExactly(Float.POSITIVE_INFINITY, 1f);
    }

    @Test
    void clippedNormIsAtMostTheMaximumToFloatRounding() {
        Random random = new Random(9);
        for (int trial = 0; trial < 1000; trial++) {
            int n = 1 + random.nextInt(64);
            float[] grad = new float[n];
            for (int i = 0; i < n; i++) {
                grad[i] = (float) (random.nextGaussian() * 100);
            }
            float maxNorm = (float) (0.01 + random.nextDouble() * 10);
            RowClipping.clipL2(grad, 0, n, maxNorm);
            double sum = 0;
            for (float g : grad) {
                sum += (double) g * g;
            }
            assertThat(Math.sqrt(sum))
                    .as("trial %d", trial)
                    .isLessThanOrEqualTo(maxNorm * (1 + 1e-7));
        }
    }
}
