package io.freshrank.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.freshrank.features.FeatureVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScorerTest {
    private static final ModelConfig CONFIG =
            new ModelConfig(4, 8, 2, new int[] {16, 8}, 0.05f, 0.1f, 3L);

    @Test
    void chunkedScoresEqualOneForwardPerExample() {
        SplittableRandom rnd = new SplittableRandom(9);
        Map<Long, float[]> rows = new HashMap<>();
        for (long id = 0; id < 200; id++) {
            float[] row = RowInitializer.initialRow(id, CONFIG.dim(), 0.3f);
            row[0] = (float) rnd.nextDouble(-0.2, 0.2);
            rows.put(id, row);
        }
        DeepFmModel model = new DeepFmModel(CONFIG);
        DenseParameters params = model.initialParameters();
        Scorer scorer = new Scorer(model);
        BatchAssembler assembler = new BatchAssembler(CONFIG);
        DeepFmModel reference = new DeepFmModel(CONFIG);

        for (int n : new int[] {1, 7, 600}) {
            List<FeatureVector> examples = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long[][] ids = new long[4][];
                ids[0] = new long[] {rnd.nextLong(200)};
                ids[1] = new long[] {rnd.nextLong(250)}; // ids >= 200 have no row
                ids[2] = new long[rnd.nextInt(3)]; // a sequence of 0..2 ids
                for (int k = 0; k < ids[2].length; k++) {
                    ids[2][k] = rnd.nextLong(200);
                }
                ids[3] = new long[] {rnd.nextLong(200)};
                examples.add(
                        new FeatureVector(
                                ids, new float[] {(float) rnd.nextGaussian(), rnd.nextFloat()}));
            }
            float[] scores = scorer.score(examples, rows::get, params);
            assertThat(scores).hasSize(n);

            float[] pooled = new float[CONFIG.numSlots() * CONFIG.rowWidth()];
            float[] numeric = new float[CONFIG.numNumeric()];
            float[] logit = new float[1];
            for (int i = 0; i < n; i++) {
                assembler.assemble(List.of(examples.get(i)), rows::get, pooled, numeric);
                reference.forward(params, pooled, numeric, 1, logit);
                assertThat(scores[i])
                        .as("example %d of %d", i, n)
                        .isCloseTo(DeepFmModel.sigmoid(logit[0]), within(1e-6f));
            }
        }
    }

    @Test
    void emptyListGivesNoScores() {
        Scorer scorer = new Scorer(new DeepFmModel(CONFIG));
        assertThat(scorer.score(List.of(), id -> null, scorer.model().initialParameters()))
                .isEmpty();
    }
}
