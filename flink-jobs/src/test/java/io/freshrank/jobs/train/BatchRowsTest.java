package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchRowsTest {
    private static final int W = 2;

    private static LookupResponse response(long[] ids, boolean[] present, float[] rows) {
        LookupResponse r = new LookupResponse();
        r.batchId = 9;
        r.rowWidth = W;
        r.ids = ids;
        r.present = present;
        r.rows = rows;
        return r;
    }

    @Test
    void indexesPresentRowsAndSplitsGradientsPerShard() {
        LookupResponse shard0 =
                response(new long[] {5, 7}, new boolean[] {true, false}, new float[] {1, 2, 0, 0});
        LookupResponse shard1 =
                response(new long[] {0, 8}, new boolean[] {true, true}, new float[] {3, 4, 5, 6});
        BatchRows rows = new BatchRows(List.of(shard0, shard1), W);

        assertThat(slice(rows.data(), rows.offset(5))).containsExactly(1f, 2f);
        assertThat(rows.offset(7)).as("not admitted").isEqualTo(-1);
        assertThat(slice(rows.data(), rows.offset(0))).containsExactly(3f, 4f);
        assertThat(slice(rows.data(), rows.offset(8))).containsExactly(5f, 6f);
        assertThat(rows.offset(99)).isEqualTo(-1);

        float[] grads = new float[rows.data().length];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = 10 + i;
        }
        List<GradientUpdate> updates = rows.gradients(9, 1, grads);
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).ids).containsExactly(5L);
        assertThat(updates.get(0).grads).containsExactly(10f, 11f);
        assertThat(updates.get(1).ids).containsExactly(0L, 8L);
        assertThat(updates.get(1).grads).containsExactly(14f, 15f, 16f, 17f);
        assertThat(updates.get(1).producer).isEqualTo(1);
        assertThat(updates.get(1).batchId).isEqualTo(9);
    }

    @Test
    void aResponseDeliveredTwiceSendsEachGradientOnce() {
        LookupResponse r = response(new long[] {5}, new boolean[] {true}, new float[] {1, 2});
        BatchRows rows = new BatchRows(List.of(r, r), W);
        List<GradientUpdate> updates = rows.gradients(9, 0, new float[rows.data().length]);
        assertThat(updates).hasSize(1);
        assertThat(updates.get(0).ids).containsExactly(5L);
    }

    @Test
    void responseWithoutAdmittedRowsSendsNothing() {
        LookupResponse r = response(new long[] {5}, new boolean[] {false}, new float[] {0, 0});
        assertThat(new BatchRows(List.of(r), W).gradients(9, 0, new float[2])).isEmpty();
    }

    @Test
    void rowWidthMismatchIsAConfigurationError() {
        LookupResponse r = response(new long[] {5}, new boolean[] {true}, new float[] {1, 2, 3});
        r.rowWidth = 3;
        assertThatThrownBy(() -> new BatchRows(List.of(r), W))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dim + 1 = 2");
    }

    private static float[] slice(float[] data, int off) {
        return Arrays.copyOfRange(data, off, off + W);
    }
}
