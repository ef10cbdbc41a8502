package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.features.FeatureVector;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {
    // slots: 0 categorical, 1 sequence, 2 sequence; dim 2 (rows of 3 floats); one numeric
    private static final ModelConfig CONFIG =
            new ModelConfig(3, 2, 1, new int[] {4}, 0.05f, 0.1f, 1L);

    private static final Map<Long, float[]> ROWS =
            Map.of(
                    10L, new float[] {1f, 2f, 3f},
                    20L, new float[] {0.5f, -1f, 4f},
                    21L, new float[] {0.25f, 1f, -2f},
                    11L, new float[] {-1f, 0f, 1f});

    private static final List<FeatureVector> EXAMPLES =
            List.of(
                    // slot 1 has two ids, slot 2 has none
                    new FeatureVector(new long[][] {{10L}, {20L, 21L}, {}}, new float[] {7f}),
                    // slot 0's id has no row; slot 2 reuses id 10 of example 0
                    new FeatureVector(new long[][] {{99L}, {21L}, {10L}}, new float[] {-3f}));

    @Test
    void assembleSumPoolsRowsAndTreatsMissingAsZero() {
        float[] pooled = new float[2 * 3 * 3];
        Arrays.fill(pooled, 42f); // must be overwritten, not added to
        float[] numeric = new float[2];
        new BatchAssembler(CONFIG).assemble(EXAMPLES, ROWS::get, pooled, numeric);
        assertThat(pooled)
                .containsExactly(
                        // example 0: row 10 | 20 + 21 | empty sequence
                        1f,
                        2f,
                        3f,
                        0.75f,
                        0f,
                        2f,
                        0f,
                        0f,
                        0f,
                        // example 1: missing row | 21 | 10
                        0f,
                        0f,
                        0f,
                        0.25f,
                        1f,
                        -2f,
                        1f,
                        2f,
                        3f);
        assertThat(numeric).containsExactly(7f, -3f);
    }

    @Test
    void scatterSendsEachSlotsGradientToEveryIdAndSumsPerId() {
        float[] grad = new float[18];
        for (int i = 0; i < grad.length; i++) {
            grad[i] = i + 1;
        }
        Map<Long, float[]> out = new HashMap<>();
        out.put(11L, new float[] {100f, 100f, 100f}); // existing entries are added to
        new BatchAssembler(CONFIG).scatter(EXAMPLES, grad, out);
        assertThat(out.keySet()).containsExactlyInAnyOrder(10L, 20L, 21L, 99L, 11L);
        assertThat(out.get(10L)).containsExactly(1f + 16f, 2f + 17f, 3f + 18f);
        assertThat(out.get(20L)).containsExactly(4f, 5f, 6f);
        assertThat(out.get(21L)).containsExactly(4f + 13f, 5f + 14f, 6f + 15f);
        assertThat(out.get(99L)).containsExactly(10f, 11f, 12f);
        assertThat(out.get(11L)).containsExactly(100f, 100f, 100f);
    }

    @Test
    void rejectsAVectorOfAnotherShape() {
        FeatureVector wrong = new FeatureVector(new long[][] {{1L}, {2L}}, new float[] {0f});
        assertThatThrownBy(
                        () ->
                                new BatchAssembler(CONFIG)
                                        .assemble(
                                                List.of(wrong),
                                                id -> null,
                                                new float[9],
                                                new float[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 embedded slots");
    }

    /** The same rows as {@link #ROWS}, in one array (with a gap, ids in another order). */
    private static FlatRows flat() {
        long[] ids = {21L, 11L, 10L, 20L};
        float[] data = new float[3 + ids.length * 3];
        Map<Long, Integer> offsets = new HashMap<>();
        for (int k = 0; k < ids.length; k++) {
            int off = 3 + 3 * k;
            System.arraycopy(ROWS.get(ids[k]), 0, data, off, 3);
            offsets.put(ids[k], off);
        }
        return new FlatRows() {
            @Override
            public float[] data() {
                return data;
            }

            @Override
            public int offset(long featureId) {
                return offsets.getOrDefault(featureId, -1);
            }
        };
    }

    @Test
    void flatRowsAssembleAndScatterExactlyLikeTheLookupVersions() {
        BatchAssembler assembler = new BatchAssembler(CONFIG);
        float[] byLookup = new float[2 * 3 * 3];
        float[] byFlat = new float[2 * 3 * 3];
        float[] numericA = new float[2];
        float[] numericB = new float[2];
        assembler.assemble(EXAMPLES, ROWS::get, byLookup, numericA);
        Arrays.fill(byFlat, 42f);
        FlatRows rows = flat();
        assembler.assemble(EXAMPLES, rows, byFlat, numericB);
        assertThat(byFlat).containsExactly(byLookup);
        assertThat(numericB).containsExactly(numericA);

        float[] pooledGrad = new float[2 * 3 * 3];
        for (int i = 0; i < pooledGrad.length; i++) {
            pooledGrad[i] = 0.1f * i - 0.7f;
        }
        Map<Long, float[]> byMap = new HashMap<>();
        assembler.scatter(EXAMPLES, pooledGrad, byMap);
        float[] grads = new float[rows.data().length];
        assembler.scatter(EXAMPLES, pooledGrad, rows, grads);
        for (long id : ROWS.keySet()) {
            int off = rows.offset(id);
            assertThat(Arrays.copyOfRange(grads, off, off + 3))
                    .as("gradient of %s", id)
                    .containsExactly(byMap.getOrDefault(id, new float[3]));
        }
        // Id 99 has no row: the map version gives it a gradient, the flat one has nowhere to put it
        // and leaves the gap untouched.
        assertThat(byMap).containsKey(99L);
        assertThat(Arrays.copyOfRange(grads, 0, 3)).containsOnly(0f);
    }
}
