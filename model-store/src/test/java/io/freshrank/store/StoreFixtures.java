package io.freshrank.store;

import io.freshrank.features.FeatureHasher;
import io.freshrank.features.FeatureSpec;
import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Small specs, configs, rows and dense values for store tests (no model math needed). */
final class StoreFixtures {
    static final FeatureSpec SPEC =
            FeatureSpec.fromJson(
                    "{\"name\": \"store-test\", \"slots\": ["
                            + "{\"id\": 1, \"name\": \"user_id\", \"kind\": \"CATEGORICAL\", \"dim\": 3},"
                            + "{\"id\": 2, \"name\": \"item_id\", \"kind\": \"CATEGORICAL\", \"dim\": 3},"
                            + "{\"id\": 3, \"name\": \"recent\", \"kind\": \"SEQUENCE\", \"dim\": 3},"
                            + "{\"id\": 4, \"name\": \"age\", \"kind\": \"NUMERIC\"}]}");
    static final ModelConfig CONFIG = ModelConfig.forSpec(SPEC, new int[] {4}, 0.05f, 3L);
    static final int DENSE_SIZE = 37;

    private StoreFixtures() {}

    /** {@code n} rows with ids of slots 1..3, values from a seeded generator. */
    static Map<Long, float[]> rows(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<Long, float[]> rows = new LinkedHashMap<>();
        for (int i = 0; rows.size() < n; i++) {
            long id = FeatureHasher.featureId(1 + i % 3, "v" + i);
            rows.put(id, row(rnd));
        }
        return rows;
    }

    static float[] row(SplittableRandom rnd) {
        float[] r = new float[CONFIG.rowWidth()];
        for (int j = 0; j < r.length; j++) {
            r[j] = (float) rnd.nextGaussian();
        }
        return r;
    }

    static DenseParameters dense(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[DENSE_SIZE];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return new DenseParameters(v);
    }

    static SnapshotManifest.Builder manifest(long version) {
        return SnapshotManifest.builder()
                .modelVersion(version)
                .checkpointId(100 + version)
                .createdAtMs(1_767_225_600_000L + version)
                .featureSpec(SPEC)
                .modelConfig(CONFIG)
                .provenance(SnapshotManifest.CODE_VERSION, "test")
                .provenance(SnapshotManifest.WATERMARK_MS, Long.toString(1_767_225_000_000L));
    }

    /** Writes and commits a FULL snapshot with {@code rows} and {@code dense}. */
    static SnapshotManifest commitFull(
            LocalModelStore store, long version, Map<Long, float[]> rows, DenseParameters dense)
            throws Exception {
        SnapshotStaging staging = store.stage(version);
        FileEntry r =
                staging.writeRows(
                        SnapshotStaging.rowsFileName(0),
                        CONFIG.rowWidth(),
                        rows.entrySet().iterator());
        FileEntry d = staging.writeDense(SnapshotStaging.DENSE_FILE, dense);
        SnapshotManifest m = manifest(version).file(r).file(d).build();
        store.commit(m);
        return m;
    }
}
