package io.freshrank.serving;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.freshrank.features.FeatureExtractor;
import io.freshrank.features.FeatureHasher;
import io.freshrank.features.FeatureSpec;
import io.freshrank.features.FeatureVector;
import io.freshrank.model.DeepFmModel;
import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import io.freshrank.model.Scorer;
import io.freshrank.store.FileEntry;
import io.freshrank.store.HalfFloat;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotKind;
import io.freshrank.store.SnapshotManifest;
import io.freshrank.store.SnapshotStaging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A small model, hand-built snapshots of it, and the reference scores of the model package. */
final class TestModels {
    static final FeatureSpec SPEC =
            FeatureSpec.fromJson(
                    "{\"name\": \"serving-test\", \"slots\": ["
                            + "{\"id\": 1, \"name\": \"user_id\", \"kind\": \"CATEGORICAL\", \"dim\": 4},"
                            + "{\"id\": 2, \"name\": \"item_id\", \"kind\": \"CATEGORICAL\", \"dim\": 4},"
                            + "{\"id\": 3, \"name\": \"item_category\", \"kind\": \"CATEGORICAL\", \"dim\": 4},"
                            + "{\"id\": 4, \"name\": \"recent_categories\", \"kind\": \"SEQUENCE\", \"dim\": 4},"
                            + "{\"id\": 5, \"name\": \"item_age_hours\", \"kind\": \"NUMERIC\"}]}");
    static final ModelConfig CONFIG = ModelConfig.forSpec(SPEC, new int[] {8}, 0.05f, 11L);
    static final long CREATED_AT_MS = 1_767_225_600_000L;

    private TestModels() {}

    /**
     * Skips the calling test while {@code io.freshrank.model} is still a skeleton (its bodies throw
     * {@link UnsupportedOperationException}); the test runs as soon as the model math lands.
     */
    static void assumeModelImplemented() {
        boolean implemented;
        try {
            DeepFmModel model = new DeepFmModel(CONFIG);
            new Scorer(model)
                    .score(
                            List.of(
                                    new FeatureVector(
                                            new long[][] {{1}, {2}, {3}, {}}, new float[] {0})),
                            id -> null,
                            model.initialParameters());
            implemented = true;
        } catch (UnsupportedOperationException e) {
            implemented = false;
        }
        assumeTrue(implemented, "io.freshrank.model is not implemented yet");
    }

    /** The rows and dense parameters of one hand-built version. */
    record Version(long version, Map<Long, float[]> rows, DenseParameters dense) {
        float[] expectedScores(List<FeatureVector> examples) {
            return new Scorer(new DeepFmModel(CONFIG)).score(examples, rows::get, dense);
        }
    }

    /**
     * Writes and commits version {@code version}: rows for users u0..u9, items 0..49, categories
     * c0..c4 (as item_category and in recent_categories) and the missing ids, all from {@code
     * seed}; dense = the model's initial parameters plus seeded noise.
     */
    static Version write(LocalModelStore store, long version, long seed) throws Exception {
        return write(store, version, seed, false);
    }

    /**
     * Like {@link #write(LocalModelStore, long, long)}; with {@code corrupt}, one byte of the rows
     * file is flipped before the commit (the manifest lists the checksum of the intact file).
     */
    static Version write(LocalModelStore store, long version, long seed, boolean corrupt)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<Long, float[]> rows = new LinkedHashMap<>();
        for (int u = 0; u < 10; u++) {
            rows.put(FeatureHasher.featureId(1, "u" + u), row(rnd));
        }
        for (int i = 0; i < 50; i++) {
            rows.put(FeatureHasher.featureId(2, Integer.toString(i)), row(rnd));
        }
        for (int c = 0; c < 5; c++) {
            rows.put(FeatureHasher.featureId(3, "c" + c), row(rnd));
            rows.put(FeatureHasher.featureId(4, "c" + c), row(rnd));
        }
        for (int slot = 1; slot <= 3; slot++) {
            rows.put(FeatureHasher.missingId(slot), row(rnd));
        }
        float[] dense = new DeepFmModel(CONFIG).initialParameters().values().clone();
        for (int i = 0; i < dense.length; i++) {
            dense[i] += (float) (0.1 * rnd.nextGaussian());
        }
        DenseParameters params = new DenseParameters(dense);
        SnapshotStaging staging = store.stage(version);
        FileEntry rowsEntry =
                staging.writeRows(
                        SnapshotStaging.rowsFileName(0),
                        CONFIG.rowWidth(),
                        rows.entrySet().iterator());
        FileEntry denseEntry = staging.writeDense(SnapshotStaging.DENSE_FILE, params);
        if (corrupt) {
            Path file = staging.directory().resolve(rowsEntry.name());
            byte[] b = Files.readAllBytes(file);
            b[b.length / 2] ^= 0x40;
            Files.write(file, b);
        }
        store.commit(
                SnapshotManifest.builder()
                        .modelVersion(version)
                        .checkpointId(version)
                        .createdAtMs(CREATED_AT_MS + version)
                        .featureSpec(SPEC)
                        .modelConfig(CONFIG)
                        .file(rowsEntry)
                        .file(denseEntry)
                        .provenance(SnapshotManifest.CODE_VERSION, "serving-test")
                        .provenance(
                                SnapshotManifest.TRAINED_EXAMPLES, Long.toString(1000 * version))
                        .provenance(
                                SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS,
                                Long.toString(CREATED_AT_MS + 1000 * version))
                        .provenance(
                                SnapshotManifest.EXAMPLES_OFFSETS, "0:" + 100 * version + ",1:7")
                        .provenance(SnapshotManifest.WATERMARK_MS, Long.toString(CREATED_AT_MS))
                        .build());
        return new Version(version, rows, params);
    }

    /** Every id {@link #write} gives a row, plus a few that only deltas add. */
    static List<Long> universe() {
        List<Long> ids = new ArrayList<>();
        for (int u = 0; u < 12; u++) {
            ids.add(FeatureHasher.featureId(1, "u" + u));
        }
        for (int i = 0; i < 55; i++) {
            ids.add(FeatureHasher.featureId(2, Integer.toString(i)));
        }
        for (int c = 0; c < 5; c++) {
            ids.add(FeatureHasher.featureId(3, "c" + c));
            ids.add(FeatureHasher.featureId(4, "c" + c));
        }
        for (int slot = 1; slot <= 3; slot++) {
            ids.add(FeatureHasher.missingId(slot));
        }
        return ids;
    }

    /** What a delta written by {@link #writeDelta} may do to the file it lands in. */
    enum Damage {
        NONE,
        /** One byte of the rows file flipped after the checksum was taken. */
        ROWS,
        /** One byte of the deletes file flipped after the checksum was taken. */
        DELETES
    }

    /**
     * Writes and commits DELTA {@code version} on {@code parent}: from {@code seed}, about 8% of
     * {@link #universe()} deleted, 4% deleted and re-added in the same delta (the row wins), 13%
     * given a new row (re-adding ids earlier deltas deleted, adding ids the FULL lacks), plus one
     * id that never existed deleted; new dense parameters every other version. Provenance {@code
     * newestExampleIngestMs} = {@code CREATED_AT_MS + 1000 * version}.
     */
    static Version writeDelta(LocalModelStore store, Version parent, long version, long seed)
            throws Exception {
        return writeDelta(store, parent, version, seed, Damage.NONE);
    }

    static Version writeDelta(
            LocalModelStore store, Version parent, long version, long seed, Damage damage)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<Long, float[]> rows = new LinkedHashMap<>(parent.rows());
        Map<Long, float[]> put = new LinkedHashMap<>();
        List<Long> deleted = new ArrayList<>();
        for (long id : universe()) {
            double r = rnd.nextDouble();
            if (r < 0.12) {
                deleted.add(id);
                rows.remove(id);
            }
            if (r >= 0.08 && r < 0.25) {
                float[] row = row(rnd);
                put.put(id, row);
                rows.put(id, row);
            }
        }
        deleted.add(FeatureHasher.featureId(2, "never-" + version));
        DenseParameters dense = parent.dense();
        SnapshotStaging staging = store.stage(version);
        FileEntry rowsEntry =
                staging.writeRows(
                        SnapshotStaging.rowsFileName(0),
                        CONFIG.rowWidth(),
                        put.entrySet().iterator());
        FileEntry deletesEntry =
                staging.writeDeletes(
                        SnapshotStaging.deletesFileName(0),
                        deleted.stream().mapToLong(Long::longValue).toArray());
        SnapshotManifest.Builder manifest =
                SnapshotManifest.builder()
                        .modelVersion(version)
                        .parentVersion(parent.version())
                        .kind(SnapshotKind.DELTA)
                        .checkpointId(version)
                        .createdAtMs(CREATED_AT_MS + version)
                        .featureSpec(SPEC)
                        .modelConfig(CONFIG)
                        .file(rowsEntry)
                        .file(deletesEntry)
                        .provenance(SnapshotManifest.CODE_VERSION, "serving-test")
                        .provenance(
                                SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS,
                                Long.toString(CREATED_AT_MS + 1000 * version));
        if (version % 2 == 0) {
            float[] d = parent.dense().values().clone();
            for (int i = 0; i < d.length; i++) {
                d[i] += (float) (0.05 * rnd.nextGaussian());
            }
            dense = new DenseParameters(d);
            manifest.file(staging.writeDense(SnapshotStaging.DENSE_FILE, dense));
        }
        if (damage != Damage.NONE) {
            FileEntry victim = damage == Damage.ROWS ? rowsEntry : deletesEntry;
            Path file = staging.directory().resolve(victim.name());
            byte[] b = Files.readAllBytes(file);
            b[b.length / 2] ^= 0x40;
            Files.write(file, b);
        }
        store.commit(manifest.build());
        return new Version(version, rows, dense);
    }

    /** {@code v} with every row rounded to half precision, as a FLOAT16 server holds it. */
    static Version roundedToHalf(Version v) {
        Map<Long, float[]> rows = new LinkedHashMap<>();
        v.rows()
                .forEach(
                        (id, r) -> {
                            float[] h = new float[r.length];
                            for (int i = 0; i < r.length; i++) {
                                h[i] = HalfFloat.round(r[i]);
                            }
                            rows.put(id, h);
                        });
        return new Version(v.version(), rows, v.dense());
    }

    /** Examples touching every id of {@link #universe()} (and some without rows). */
    static List<FeatureVector> probeExamples() {
        FeatureExtractor x = new FeatureExtractor(SPEC);
        List<FeatureVector> out = new ArrayList<>();
        for (int i = 0; i < 55; i++) {
            out.add(
                    x.extract(
                            Map.of(
                                    "user_id",
                                    "u" + (i % 13),
                                    "item_id",
                                    Integer.toString(i),
                                    "item_category",
                                    "c" + (i % 6)),
                            Map.of("recent_categories", List.of("c" + (i % 5), "c" + (i % 7))),
                            Map.of("item_age_hours", i * 0.5f)));
        }
        out.add(x.extract(Map.of(), Map.of(), Map.of()));
        return out;
    }

    static float[] row(SplittableRandom rnd) {
        float[] r = new float[CONFIG.rowWidth()];
        for (int j = 0; j < r.length; j++) {
            r[j] = (float) (0.3 * rnd.nextGaussian());
        }
        return r;
    }
}
