package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RowInitializerTest {
    @Test
    void sameIdGivesTheSameRow() {
        float[] a = RowInitializer.initialRow(0x0100_0000_0000_002AL, 8, 0.01f);
        float[] b = RowInitializer.initialRow(0x0100_0000_0000_002AL, 8, 0.01f);
        assertThat(a).hasSize(9).isEqualTo(b);
        assertThat(a[0]).as("first-order weight").isZero();
        assertThat(RowInitializer.initialRow(0x0100_0000_0000_002BL, 8, 0.01f)).isNotEqualTo(a);
    }

    @Test
    void valuesArePinned() {
        // Golden bits: a change here silently re-initialises every row of every model, and rows
        // created by old and new code for the same id would differ.
        float[] row = RowInitializer.initialRow(12345L, 3, 1f);
        assertThat(row)
                .containsExactly(
                        0f,
                        Float.intBitsToFloat(0xbf914a2b),
                        Float.intBitsToFloat(0x3e9c8330),
                        Float.intBitsToFloat(0x3f9e6531));
        float[] scaled = RowInitializer.initialRow(12345L, 3, 0.5f);
        for (int k = 1; k <= 3; k++) {
            assertThat(scaled[k]).isCloseTo(row[k] * 0.5f, within(1e-7f));
        }
    }

    @Test
    void factorsAreNormalWithTheGivenScale() {
        int n = 4000;
        int dim = 8;
        double sum = 0;
        double sumSq = 0;
        for (long id = 0; id < n; id++) {
            float[] row = RowInitializer.initialRow(id, dim, 0.05f);
            for (int k = 1; k <= dim; k++) {
                sum += row[k];
                sumSq += row[k] * row[k];
            }
        }
        double mean = sum / (n * dim);
        double std = Math.sqrt(sumSq / (n * dim) - mean * mean);
        assertThat(mean).isCloseTo(0.0, within(0.002));
        assertThat(std).isCloseTo(0.05, within(0.002));
    }
}
