package io.freshrank.model;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DeepFM (Guo et al., IJCAI 2017) over pooled slot embeddings.
 *
 * <p>Input per example: for each of {@code numSlots} slots a pooled row {@code [w_s, v_s]} (sum of
 * the rows of the slot's ids; see {@link BatchAssembler}) and {@code numNumeric} numeric values.
 * Output logit: {@code b + sum_s w_s + 0.5 * sum_k((sum_s v_sk)^2 - sum_s v_sk^2) + MLP(concat_s
 * v_s ++ numeric)}. The MLP has ReLU hidden layers of widths {@code config.hidden()} and one linear
 * output unit.
 *
 * <p>Arrays are row-major: {@code pooled[(i * numSlots + s) * rowWidth + c]}, {@code numeric[i *
 * numNumeric + j]}. Instances hold preallocated ND4J buffers: not thread-safe, use one per thread.
 *
 * <p><b>Dense parameter layout</b> (one flat {@code float[]}, part of the snapshot format): index 0
 * is the global bias {@code b}. Then, for each MLP layer {@code l} in order (hidden layers, then
 * the output unit) with {@code in_l} inputs and {@code out_l} outputs, an {@code (in_l + 1) x
 * out_l} row-major block: rows {@code 0 .. in_l-1} hold the weights ({@code W[j][o]} at {@code
 * offset + j * out_l + o}, input {@code j}, output {@code o}), row {@code in_l} holds the biases.
 * {@code in_0 = numSlots * dim + numNumeric} (inputs ordered {@code v_0 .. v_{S-1}}, then the
 * numerics); {@code out_last = 1}. Appending the bias as a row lets a single GEMM over inputs
 * augmented with a constant-1 column compute weights and bias together, forward and backward. The
 * output unit's bias and {@code b} are interchangeable (both receive {@code sum_i dL/dlogit_i});
 * both are kept so every layer has the same block shape.
 *
 * <p>ND4J is touched lazily: constructing a model, {@link #parameterCount()} and {@link
 * #initialParameters()} never load the native backend; the first {@link #forward} or {@link
 * #trainStep} does (1-5 s once per JVM; call {@link #warmUp} at startup to pay it early). Buffers
 * are sized for the largest batch seen so far and grow (doubling) when a larger one arrives.
 *
 * <p>{@link #forward} and {@link #trainStep} run the same forward code, so for the same inputs and
 * parameters they produce bitwise-equal logits.
 */
public final class DeepFmModel {
    /** Index of the global bias in the dense parameters. */
    public static final int BIAS_INDEX = 0;

    /** First buffer capacity (examples); training batches are ~256, serving chunks <= 512. */
    private static final int MIN_CAPACITY = 256;

    private final ModelConfig config;
    private final int numSlots;
    private final int dim;
    private final int rowWidth;
    private final int numNumeric;
    private final int numLayers;

    /** widths[l] inputs of layer l, widths[l + 1] its outputs; widths[numLayers] == 1. */
    private final int[] widths;

    /** Offset of layer l's (in+1) x out block in the dense parameters. */
    private final int[] layerOffsets;

    private final int parameterCount;
    private Buffers buffers;

    public DeepFmModel(ModelConfig config) {
        this.config = config;
        this.numSlots = config.numSlots();
        this.dim = config.dim();
        this.rowWidth = config.rowWidth();
        this.numNumeric = config.numNumeric();
        int[] hidden = config.hidden();
        this.numLayers = hidden.length + 1;
        this.widths = new int[numLayers + 1];
        widths[0] = numSlots * dim + numNumeric;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[numLayers] = 1;
        this.layerOffsets = new int[numLayers];
        int offset = BIAS_INDEX + 1;
        for (int l = 0; l < numLayers; l++) {
            layerOffsets[l] = offset;
            offset += blockSize(l);
        }
        this.parameterCount = offset;
    }

    public ModelConfig config() {
        return config;
    }

    /** Number of dense parameters (bias, MLP weights and biases). */
    public int parameterCount() {
        return parameterCount;
    }

    /** Number of MLP layers including the output unit ({@code config().hidden().length + 1}). */
    public int layerCount() {
        return numLayers;
    }

    /** Offset of MLP layer {@code layer}'s {@code (in + 1) x out} block (see the class javadoc). */
    public int layerOffset(int layer) {
        return layerOffsets[layer];
    }

    /** Inputs of MLP layer {@code layer} (its block has this many weight rows plus a bias row). */
    public int layerInputs(int layer) {
        return widths[layer];
    }

    /** Outputs of MLP layer {@code layer}. */
    public int layerOutputs(int layer) {
        return widths[layer + 1];
    }

    /**
     * Dense parameters initialised from {@code config().seed()} (He init for ReLU layers, zero
     * biases).
     *
     * <p>Weights of hidden layers are {@code N(0, 2 / in)} (He et al., ICCV 2015); the linear
     * output unit uses {@code N(0, 1 / in)} so the initial MLP output is on the scale of a
     * unit-variance logit. The global bias starts at 0. Deterministic on every JVM for a given
     * config.
     */
    public DenseParameters initialParameters() {
        float[] values = new float[parameterCount];
        SplitMix64 rng = new SplitMix64(config.seed());
        for (int l = 0; l < numLayers; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            double gain = l == numLayers - 1 ? 1.0 : 2.0;
            double std = Math.sqrt(gain / in);
            int offset = layerOffsets[l];
            for (int j = 0; j < in * out; j++) {
                values[offset + j] = (float) (rng.nextGaussian() * std);
            }
            // the bias row (in * out .. (in + 1) * out) stays 0
        }
        return new DenseParameters(values);
    }

    /**
     * Allocates buffers for batches up to {@code maxBatch} and runs one forward pass on zeros, so
     * the native ND4J load (1-5 s) and buffer allocation happen now rather than on the first
     * request.
     */
    public void warmUp(int maxBatch) {
        int batch = Math.max(1, maxBatch);
        forward(
                new DenseParameters(new float[parameterCount]),
                new float[batch * numSlots * rowWidth],
                new float[batch * numNumeric],
                batch,
                new float[batch]);
    }

    /** Writes the logits of {@code batch} examples into {@code logitsOut[0..batch)}. */
    public void forward(
            DenseParameters params, float[] pooled, float[] numeric, int batch, float[] logitsOut) {
        checkInputs(params, pooled, numeric, batch);
        requireLength("logitsOut", logitsOut, batch);
        if (batch == 0) {
            return;
        }
        forwardPass(params.values(), pooled, numeric, batch, logitsOut);
    }

    /**
     * Forward and backward pass of {@code L = sum_i weights[i] * logloss(labels[i],
     * sigmoid(logit_i))}.
     *
     * <p>Writes the logits to {@code logitsOut[0..batch)} (bitwise equal to {@link #forward}'s),
     * {@code dL/dparams} to {@code denseGradOut[0..parameterCount)} and {@code dL/dpooled} (for
     * every pooled float, {@code w_s} and {@code v_s}) to {@code pooledGradOut[0 ..
     * batch*numSlots*rowWidth)}; all three are overwritten, not accumulated. Labels may be soft (in
     * [0, 1]). No gradient is computed for the numeric inputs.
     *
     * @return L (the summed, not averaged, weighted log loss)
     */
    public double trainStep(
            DenseParameters params,
            float[] pooled,
            float[] numeric,
            float[] labels,
            float[] weights,
            int batch,
            float[] logitsOut,
            float[] denseGradOut,
            float[] pooledGradOut) {
        checkInputs(params, pooled, numeric, batch);
        requireLength("labels", labels, batch);
        requireLength("weights", weights, batch);
        requireLength("logitsOut", logitsOut, batch);
        requireLength("denseGradOut", denseGradOut, parameterCount);
        requireLength("pooledGradOut", pooledGradOut, batch * numSlots * rowWidth);
        if (batch == 0) {
            Arrays.fill(denseGradOut, 0, parameterCount, 0f);
            return 0.0;
        }
        forwardPass(params.values(), pooled, numeric, batch, logitsOut);
        return backwardPass(pooled, labels, weights, batch, logitsOut, denseGradOut, pooledGradOut);
    }

    /** Numerically stable logistic function. */
    public static float sigmoid(float logit) {
        if (logit >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-logit)));
        }
        double e = Math.exp(logit);
        return (float) (e / (1.0 + e));
    }

    /**
     * Log loss of {@code sigmoid(logit)} against a (possibly soft) label, computed as {@code max(z,
     * 0) - z * y + log1p(exp(-|z|))}: finite for every finite logit.
     */
    public static double logLoss(float label, float logit) {
        double z = logit;
        return Math.max(z, 0.0) - z * label + Math.log1p(Math.exp(-Math.abs(z)));
    }

    // ---------------------------------------------------------------------------------------------

    /** The one forward pass; {@link #forward} and {@link #trainStep} both run exactly this. */
    private void forwardPass(
            float[] params, float[] pooled, float[] numeric, int batch, float[] logitsOut) {
        Buffers buf = buffersFor(batch);
        Views views = buf.views(batch);

        // MLP input [batch, in_0 + 1]: the factor vectors of all slots, the numerics, a 1 for
        // the bias row.
        float[] x = buf.javaActs[0];
        int xWidth = widths[0] + 1;
        for (int i = 0; i < batch; i++) {
            int xBase = i * xWidth;
            for (int s = 0; s < numSlots; s++) {
                System.arraycopy(
                        pooled, (i * numSlots + s) * rowWidth + 1, x, xBase + s * dim, dim);
            }
            System.arraycopy(numeric, i * numNumeric, x, xBase + numSlots * dim, numNumeric);
            x[xBase + xWidth - 1] = 1f;
        }
        buf.actPtrs[0].put(x, 0, batch * xWidth);
        for (int l = 0; l < numLayers; l++) {
            buf.weightPtrs[l].put(params, layerOffsets[l], blockSize(l));
        }

        for (int l = 0; l < numLayers; l++) {
            Nd4j.gemm(views.acts[l], buf.weights[l], views.pres[l], false, false, 1.0, 0.0);
            int out = widths[l + 1];
            if (l == numLayers - 1) {
                buf.prePtrs[l].get(buf.mlpOut, 0, batch);
                break;
            }
            float[] pre = buf.scratch;
            buf.prePtrs[l].get(pre, 0, batch * out);
            // ReLU in Java while re-packing with the constant-1 column: cheaper than two more
            // native calls, and the Java copy doubles as the ReLU mask for the backward pass.
            float[] act = buf.javaActs[l + 1];
            int actWidth = out + 1;
            for (int i = 0; i < batch; i++) {
                int src = i * out;
                int dst = i * actWidth;
                for (int o = 0; o < out; o++) {
                    float z = pre[src + o];
                    act[dst + o] = z > 0f ? z : 0f;
                }
                act[dst + out] = 1f;
            }
            buf.actPtrs[l + 1].put(act, 0, batch * actWidth);
        }

        // First-order and FM terms per example (Rendle's O(S * dim) form of the pairwise sum).
        float bias = params[BIAS_INDEX];
        float[] vSum = buf.vSum;
        for (int i = 0; i < batch; i++) {
            int sumBase = i * dim;
            Arrays.fill(vSum, sumBase, sumBase + dim, 0f);
            float linear = bias;
            float squares = 0f;
            for (int s = 0; s < numSlots; s++) {
                int r = (i * numSlots + s) * rowWidth;
                linear += pooled[r];
                for (int k = 0; k < dim; k++) {
                    float v = pooled[r + 1 + k];
                    vSum[sumBase + k] += v;
                    squares += v * v;
                }
            }
            float sumSquared = 0f;
            for (int k = 0; k < dim; k++) {
                float t = vSum[sumBase + k];
                sumSquared += t * t;
            }
            logitsOut[i] = linear + 0.5f * (sumSquared - squares) + buf.mlpOut[i];
        }
    }

    /** Backward pass; needs the buffers {@link #forwardPass} just filled for this batch. */
    private double backwardPass(
            float[] pooled,
            float[] labels,
            float[] weights,
            int batch,
            float[] logits,
            float[] denseGradOut,
            float[] pooledGradOut) {
        Buffers buf = buffers;
        Views views = buf.views(batch);

        // dL/dlogit_i = weight_i * (sigmoid(z_i) - y_i)
        float[] g = buf.logitGrad;
        double loss = 0.0;
        double biasGrad = 0.0;
        for (int i = 0; i < batch; i++) {
            float w = weights[i];
            loss += w * logLoss(labels[i], logits[i]);
            g[i] = w * (sigmoid(logits[i]) - labels[i]);
            biasGrad += g[i];
        }
        denseGradOut[BIAS_INDEX] = (float) biasGrad;

        buf.preGradPtrs[numLayers - 1].put(g, 0, batch);
        for (int l = numLayers - 1; l >= 0; l--) {
            // dW_aug = A_aug^T . dZ (the last row is the bias gradient)
            Nd4j.gemm(views.acts[l], views.preGrads[l], buf.weightGrads[l], true, false, 1.0, 0.0);
            buf.weightGradPtrs[l].get(denseGradOut, layerOffsets[l], blockSize(l));
            // dA_aug = dZ . W_aug^T (the last column, the gradient of the constant 1, is unused)
            Nd4j.gemm(views.preGrads[l], buf.weights[l], views.actGrads[l], false, true, 1.0, 0.0);
            int in = widths[l];
            int actWidth = in + 1;
            float[] actGrad = buf.scratch;
            buf.actGradPtrs[l].get(actGrad, 0, batch * actWidth);
            if (l > 0) {
                float[] act = buf.javaActs[l];
                float[] preGrad = buf.scratch2;
                for (int i = 0; i < batch; i++) {
                    int src = i * actWidth;
                    int dst = i * in;
                    for (int j = 0; j < in; j++) {
                        preGrad[dst + j] = act[src + j] > 0f ? actGrad[src + j] : 0f;
                    }
                }
                buf.preGradPtrs[l - 1].put(preGrad, 0, batch * in);
            } else {
                // actGrad holds dL/dx; add the first-order and FM gradients:
                // d/dw_s = g, d/dv_sk = g * (sum_t v_tk - v_sk) + dMLP/dv_sk.
                float[] vSum = buf.vSum;
                for (int i = 0; i < batch; i++) {
                    float gi = g[i];
                    int xBase = i * actWidth;
                    for (int s = 0; s < numSlots; s++) {
                        int r = (i * numSlots + s) * rowWidth;
                        pooledGradOut[r] = gi;
                        int xs = xBase + s * dim;
                        int sumBase = i * dim;
                        for (int k = 0; k < dim; k++) {
                            pooledGradOut[r + 1 + k] =
                                    gi * (vSum[sumBase + k] - pooled[r + 1 + k]) + actGrad[xs + k];
                        }
                    }
                }
            }
        }
        return loss;
    }

    private int blockSize(int layer) {
        return (widths[layer] + 1) * widths[layer + 1];
    }

    private Buffers buffersFor(int batch) {
        if (buffers == null || buffers.capacity < batch) {
            int capacity =
                    buffers == null
                            ? Math.max(batch, MIN_CAPACITY)
                            : Math.max(batch, 2 * buffers.capacity);
            buffers = new Buffers(capacity);
        }
        return buffers;
    }

    private void checkInputs(DenseParameters params, float[] pooled, float[] numeric, int batch) {
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be >= 0, got " + batch);
        }
        if (params.size() != parameterCount) {
            throw new IllegalArgumentException(
                    "dense parameters have "
                            + params.size()
                            + " values, "
                            + config
                            + " needs "
                            + parameterCount
                            + " (snapshot and model config disagree)");
        }
        requireLength("pooled", pooled, batch * numSlots * rowWidth);
        requireLength("numeric", numeric, batch * numNumeric);
    }

    private static void requireLength(String name, float[] array, int needed) {
        if (array.length < needed) {
            throw new IllegalArgumentException(
                    name + " holds " + array.length + " floats, needs " + needed);
        }
    }

    /** Native (ND4J) arrays for up to {@code capacity} examples, and their Java mirrors. */
    private final class Buffers {
        final int capacity;

        /** [capacity, widths[l] + 1]: layer l's input with the constant-1 column. */
        final INDArray[] acts = new INDArray[numLayers];

        /** [capacity, widths[l + 1]]: layer l's pre-activation. */
        final INDArray[] pres = new INDArray[numLayers];

        /** [capacity, widths[l + 1]]: dL/d(pre-activation of layer l). */
        final INDArray[] preGrads = new INDArray[numLayers];

        /** [capacity, widths[l] + 1]: dL/d(input of layer l). */
        final INDArray[] actGrads = new INDArray[numLayers];

        /** [widths[l] + 1, widths[l + 1]]: layer l's parameter block, and its gradient. */
        final INDArray[] weights = new INDArray[numLayers];

        final INDArray[] weightGrads = new INDArray[numLayers];
        final FloatPointer[] actPtrs = new FloatPointer[numLayers];
        final FloatPointer[] prePtrs = new FloatPointer[numLayers];
        final FloatPointer[] preGradPtrs = new FloatPointer[numLayers];
        final FloatPointer[] actGradPtrs = new FloatPointer[numLayers];
        final FloatPointer[] weightPtrs = new FloatPointer[numLayers];
        final FloatPointer[] weightGradPtrs = new FloatPointer[numLayers];

        /** Java copies of acts (post-ReLU, with the 1 column): backward uses them as ReLU mask. */
        final float[][] javaActs = new float[numLayers][];

        final float[] scratch;
        final float[] scratch2;
        final float[] mlpOut;
        final float[] logitGrad;

        /** Per example sum over slots of v (dim floats each): the FM gradient needs it. */
        final float[] vSum;

        /** Prefix views by batch size, created on first use. */
        private final Views[] views;

        Buffers(int capacity) {
            this.capacity = capacity;
            int maxWidth = 0;
            for (int l = 0; l < numLayers; l++) {
                int in = widths[l] + 1;
                int out = widths[l + 1];
                maxWidth = Math.max(maxWidth, in);
                acts[l] = allocate(capacity, in);
                pres[l] = allocate(capacity, out);
                preGrads[l] = allocate(capacity, out);
                actGrads[l] = allocate(capacity, in);
                weights[l] = allocate(in, out);
                weightGrads[l] = allocate(in, out);
                actPtrs[l] = pointer(acts[l]);
                prePtrs[l] = pointer(pres[l]);
                preGradPtrs[l] = pointer(preGrads[l]);
                actGradPtrs[l] = pointer(actGrads[l]);
                weightPtrs[l] = pointer(weights[l]);
                weightGradPtrs[l] = pointer(weightGrads[l]);
                javaActs[l] = new float[capacity * in];
            }
            this.scratch = new float[capacity * maxWidth];
            this.scratch2 = new float[capacity * maxWidth];
            this.mlpOut = new float[capacity];
            this.logitGrad = new float[capacity];
            this.vSum = new float[capacity * dim];
            this.views = new Views[capacity + 1];
        }

        Views views(int batch) {
            Views v = views[batch];
            if (v == null) {
                v = new Views(this, batch);
                views[batch] = v;
            }
            return v;
        }
    }

    /** The first {@code batch} rows of every per-example buffer, as [batch, n] arrays. */
    private final class Views {
        final INDArray[] acts = new INDArray[numLayers];
        final INDArray[] pres = new INDArray[numLayers];
        final INDArray[] preGrads = new INDArray[numLayers];
        final INDArray[] actGrads = new INDArray[numLayers];

        Views(Buffers buf, int batch) {
            for (int l = 0; l < numLayers; l++) {
                acts[l] = prefix(buf.acts[l], batch);
                pres[l] = prefix(buf.pres[l], batch);
                preGrads[l] = prefix(buf.preGrads[l], batch);
                actGrads[l] = prefix(buf.actGrads[l], batch);
            }
        }
    }

    /** A c-order float matrix outside any ND4J workspace the caller may have open. */
    private static INDArray allocate(long rows, long cols) {
        // Zeroed once: never-written rows must not hold NaN garbage a GEMM could read.
        return Nd4j.createUninitializedDetached(DataType.FLOAT, rows, cols).assign(0f);
    }

    /** Rows [0, rows) of a c-order matrix: contiguous at offset 0, so GEMM reads it in place. */
    private static INDArray prefix(INDArray full, long rows) {
        long cols = full.size(1);
        return Nd4j.create(
                full.data(),
                new long[] {rows, cols},
                new long[] {cols, 1},
                0L,
                'c',
                DataType.FLOAT);
    }

    /** Native address of an array's data, for bulk copies to and from Java arrays. */
    private static FloatPointer pointer(INDArray array) {
        Pointer p = array.data().addressPointer();
        return p instanceof FloatPointer f ? f : new FloatPointer(p);
    }
}
