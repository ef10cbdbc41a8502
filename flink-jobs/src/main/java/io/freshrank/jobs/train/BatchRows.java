package io.freshrank.jobs.train;

import io.freshrank.model.FlatRows;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one batch as the shards returned them, in one array without per-row copies: the
 * responses' row blocks one after the other, and an index from feature id to its row. Also turns
 * gradients summed in the same layout back into one {@link GradientUpdate} per shard.
 */
final class BatchRows implements FlatRows {
    private final List<LookupResponse> responses;
    private final int[] starts;
    private final float[] data;
    private final LongIntHashMap offsets;
    private final int rowWidth;
    private boolean repeats;

    /**
     * @throws IllegalStateException if a response's row width is not {@code rowWidth} (shards and
     *     trainer disagree on the feature spec)
     */
    BatchRows(List<LookupResponse> responses, int rowWidth) {
        this.responses = responses;
        this.rowWidth = rowWidth;
        this.starts = new int[responses.size()];
        int total = 0;
        int ids = 0;
        for (int r = 0; r < responses.size(); r++) {
            LookupResponse resp = responses.get(r);
            if (resp.rowWidth != rowWidth) {
                throw new IllegalStateException(
                        "a shard returned rows of "
                                + resp.rowWidth
                                + " floats, the model needs dim + 1 = "
                                + rowWidth);
            }
            starts[r] = total;
            total += resp.ids.length * rowWidth;
            ids += resp.ids.length;
        }
        this.data = new float[total];
        this.offsets = new LongIntHashMap(ids);
        for (int r = 0; r < responses.size(); r++) {
            LookupResponse resp = responses.get(r);
            System.arraycopy(resp.rows, 0, data, starts[r], resp.ids.length * rowWidth);
            for (int k = 0; k < resp.ids.length; k++) {
                if (resp.present[k]) {
                    // A repeated id (a response delivered twice) keeps its first row.
                    repeats |= !offsets.putIfAbsent(resp.ids[k], starts[r] + k * rowWidth);
                }
            }
        }
    }

    @Override
    public float[] data() {
        return data;
    }

    @Override
    public int offset(long featureId) {
        return offsets.get(featureId);
    }

    /**
     * One update per response (each response comes from one shard) with the gradients {@code grads}
     * (laid out like {@link #data()}) of its ids that have a row; none for a response without such
     * ids.
     */
    List<GradientUpdate> gradients(long batchId, int producer, float[] grads) {
        List<GradientUpdate> out = new ArrayList<>(responses.size());
        for (int r = 0; r < responses.size(); r++) {
            LookupResponse resp = responses.get(r);
            int n = 0;
            long[] ids = new long[resp.ids.length];
            float[] g = new float[resp.ids.length * rowWidth];
            for (int k = 0; k < resp.ids.length; k++) {
                int off = starts[r] + k * rowWidth;
                if (resp.present[k] && (!repeats || offsets.get(resp.ids[k]) == off)) {
                    ids[n] = resp.ids[k];
                    System.arraycopy(grads, off, g, n * rowWidth, rowWidth);
                    n++;
                }
            }
            if (n > 0) {
                out.add(
                        new GradientUpdate(
                                batchId,
                                producer,
                                rowWidth,
                                java.util.Arrays.copyOf(ids, n),
                                java.util.Arrays.copyOf(g, n * rowWidth)));
            }
        }
        return out;
    }
}
