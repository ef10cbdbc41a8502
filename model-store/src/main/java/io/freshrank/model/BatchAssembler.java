package io.freshrank.model;

import io.freshrank.features.FeatureVector;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Moves between feature ids and the model's pooled slot inputs: {@link #assemble} sum-pools each
 * slot's rows into the {@code pooled} array (and copies numerics); {@link #scatter} sends each
 * slot's pooled gradient back to every id that contributed to it, summed per id over the batch.
 *
 * <p>Sum pooling makes the gradient of every contributing row equal to its slot's pooled gradient,
 * so scatter is a plain add. An id listed twice in one slot contributes (and receives) twice. A
 * SEQUENCE slot with no ids pools to a zero row. A {@link FeatureVector} whose slot or numeric
 * count differs from the config is a bug upstream and throws. Holds no buffers of its own;
 * thread-safe.
 */
public final class BatchAssembler {
    private final ModelConfig config;

    public BatchAssembler(ModelConfig config) {
        this.config = config;
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * Fills {@code pooledOut[0 .. n*numSlots*rowWidth)} and {@code numericOut[0 .. n*numNumeric)}
     * for the n examples. Missing rows ({@code rows.row(id) == null}) count as zero rows.
     */
    public void assemble(
            List<FeatureVector> examples, RowLookup rows, float[] pooledOut, float[] numericOut) {
        int width = config.rowWidth();
        float[][] current = new float[1][];
        pool(
                examples,
                id -> {
                    float[] row = rows.row(id);
                    if (row == null) {
                        return -1;
                    }
                    if (row.length != width) {
                        throw new IllegalStateException(
                                "row of feature id "
                                        + id
                                        + " has "
                                        + row.length
                                        + " floats, the model needs dim + 1 = "
                                        + width);
                    }
                    current[0] = row;
                    return 0;
                },
                () -> current[0],
                pooledOut,
                numericOut);
    }

    /**
     * Adds, for every example i, slot s and id in that slot, {@code
     * pooledGrad[(i*numSlots+s)*rowWidth ..]} into {@code out.get(id)} (a new {@code
     * float[rowWidth]} when absent).
     */
    public void scatter(List<FeatureVector> examples, float[] pooledGrad, Map<Long, float[]> out) {
        int numSlots = config.numSlots();
        int width = config.rowWidth();
        int n = examples.size();
        requireLength("pooledGrad", pooledGrad, n * numSlots * width);
        for (int i = 0; i < n; i++) {
            FeatureVector fv = examples.get(i);
            checkShape(fv, i);
            long[][] ids = fv.ids();
            for (int s = 0; s < numSlots; s++) {
                int base = (i * numSlots + s) * width;
                for (long id : ids[s]) {
                    float[] acc = out.get(id);
                    if (acc == null) {
                        acc = new float[width];
                        out.put(id, acc);
                    }
                    for (int c = 0; c < width; c++) {
                        acc[c] += pooledGrad[base + c];
                    }
                }
            }
        }
    }

    /**
     * {@link #assemble(List, RowLookup, float[], float[])} over rows laid out in one array; ids
     * without a row count as zero rows. Same sums in the same order, so the same floats.
     */
    public void assemble(
            List<FeatureVector> examples, FlatRows rows, float[] pooledOut, float[] numericOut) {
        float[] data = rows.data();
        pool(examples, rows::offset, () -> data, pooledOut, numericOut);
    }

    /** Where {@link #pool} finds a row: its offset in {@code array.get()}, or -1. */
    private interface Locator {
        int locate(long id);
    }

    private void pool(
            List<FeatureVector> examples,
            Locator locator,
            Supplier<float[]> array,
            float[] pooledOut,
            float[] numericOut) {
        int numSlots = config.numSlots();
        int width = config.rowWidth();
        int numNumeric = config.numNumeric();
        int n = examples.size();
        requireLength("pooledOut", pooledOut, n * numSlots * width);
        requireLength("numericOut", numericOut, n * numNumeric);
        for (int i = 0; i < n; i++) {
            FeatureVector fv = examples.get(i);
            checkShape(fv, i);
            long[][] ids = fv.ids();
            for (int s = 0; s < numSlots; s++) {
                int base = (i * numSlots + s) * width;
                Arrays.fill(pooledOut, base, base + width, 0f);
                for (long id : ids[s]) {
                    int off = locator.locate(id);
                    if (off < 0) {
                        continue;
                    }
                    float[] data = array.get();
                    for (int c = 0; c < width; c++) {
                        pooledOut[base + c] += data[off + c];
                    }
                }
            }
            System.arraycopy(fv.numeric(), 0, numericOut, i * numNumeric, numNumeric);
        }
    }

    /**
     * {@link #scatter(List, float[], Map)} into {@code gradOut}, an array laid out like {@code
     * rows.data()}: the gradient of an id with a row is summed at its offset; ids without a row get
     * none.
     */
    public void scatter(
            List<FeatureVector> examples, float[] pooledGrad, FlatRows rows, float[] gradOut) {
        int numSlots = config.numSlots();
        int width = config.rowWidth();
        int n = examples.size();
        requireLength("pooledGrad", pooledGrad, n * numSlots * width);
        if (gradOut.length < rows.data().length) {
            throw new IllegalArgumentException(
                    "gradOut has " + gradOut.length + " floats, rows " + rows.data().length);
        }
        for (int i = 0; i < n; i++) {
            FeatureVector fv = examples.get(i);
            checkShape(fv, i);
            long[][] ids = fv.ids();
            for (int s = 0; s < numSlots; s++) {
                int base = (i * numSlots + s) * width;
                for (long id : ids[s]) {
                    int off = rows.offset(id);
                    if (off < 0) {
                        continue;
                    }
                    for (int c = 0; c < width; c++) {
                        gradOut[off + c] += pooledGrad[base + c];
                    }
                }
            }
        }
    }

    private void checkShape(FeatureVector fv, int index) {
        if (fv.ids().length != config.numSlots() || fv.numeric().length != config.numNumeric()) {
            throw new IllegalArgumentException(
                    "example "
                            + index
                            + " has "
                            + fv.ids().length
                            + " embedded slots and "
                            + fv.numeric().length
                            + " numerics, the model expects "
                            + config.numSlots()
                            + " and "
                            + config.numNumeric()
                            + " (feature spec and model config disagree)");
        }
    }

    private static void requireLength(String name, float[] array, int needed) {
        if (array.length < needed) {
            throw new IllegalArgumentException(
                    name + " holds " + array.length + " floats, needs " + needed);
        }
    }
}
