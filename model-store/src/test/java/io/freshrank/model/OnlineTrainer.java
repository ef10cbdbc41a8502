package io.freshrank.model;

import io.freshrank.features.FeatureVector;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer loop of the model tests, in one process: assemble pooled rows, {@link
 * DeepFmModel#trainStep}, scatter the row gradients, Adagrad on the rows and on the dense
 * parameters. Rows are created on first use from their id. Not thread-safe.
 */
final class OnlineTrainer {
    private final ModelConfig config;
    private final DeepFmModel model;
    private final DenseParameters params;
    private final float[] denseAccum;
    private final AdagradOptimizer denseOpt;
    private final AdagradOptimizer rowOpt;
    private final Map<Long, float[]> rows = new HashMap<>();
    private final Map<Long, float[]> rowAccum = new HashMap<>();
    private final Map<Long, float[]> rowGrads = new HashMap<>();
    private final BatchAssembler assembler;
    private final float[] pooled;
    private final float[] numeric;
    private final float[] logits;
    private final float[] denseGrad;
    private final float[] pooledGrad;
    private final int batch;

    OnlineTrainer(ModelConfig config, int batch, float rowLearningRate) {
        this.config = config;
        this.batch = batch;
        model = new DeepFmModel(config);
        params = model.initialParameters();
        denseAccum = new float[model.parameterCount()];
        Arrays.fill(denseAccum, config.denseInitialAccumulator());
        denseOpt = new AdagradOptimizer(config.denseLearningRate(), 0f);
        rowOpt = new AdagradOptimizer(rowLearningRate, 0f);
        assembler = new BatchAssembler(config);
        pooled = new float[batch * config.numSlots() * config.rowWidth()];
        numeric = new float[batch * config.numNumeric()];
        logits = new float[batch];
        denseGrad = new float[model.parameterCount()];
        pooledGrad = new float[pooled.length];
    }

    /** One training step on a full batch; returns its summed weighted log loss. */
    double step(List<FeatureVector> features, float[] labels, float[] weights) {
        assembler.assemble(
                features,
                id ->
                        rows.computeIfAbsent(
                                id, k -> RowInitializer.initialRow(k, config.dim(), 0.05f)),
                pooled,
                numeric);
        double loss =
                model.trainStep(
                        params,
                        pooled,
                        numeric,
                        labels,
                        weights,
                        batch,
                        logits,
                        denseGrad,
                        pooledGrad);
        rowGrads.clear();
        assembler.scatter(features, pooledGrad, rowGrads);
        for (Map.Entry<Long, float[]> g : rowGrads.entrySet()) {
            float[] accum =
                    rowAccum.computeIfAbsent(
                            g.getKey(),
                            k -> {
                                float[] acc = new float[config.rowWidth()];
                                Arrays.fill(acc, 0.1f);
                                return acc;
                            });
            rowOpt.apply(rows.get(g.getKey()), 0, accum, 0, g.getValue(), 0, accum.length);
        }
        denseOpt.apply(params.values(), 0, denseAccum, 0, denseGrad, 0, denseGrad.length);
        return loss;
    }

    /** The current model's click probabilities of {@code examples}. */
    float[] score(List<FeatureVector> examples) {
        return new Scorer(model).score(examples, rows::get, params);
    }
}
