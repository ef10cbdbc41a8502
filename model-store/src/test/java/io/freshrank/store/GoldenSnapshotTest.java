package io.freshrank.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.freshrank.features.FeatureSpec;
import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots written by released format versions must stay readable. {@code golden/v1/} is a store
 * written once by {@link #writeGoldenV1()} (run with {@code -Dfreshrank.golden.write=true}) and
 * committed; never regenerate it for format version 1, add {@code golden/v2/} for a new version.
 * {@code golden/v1-deltas/} (written once by {@link #writeGoldenV1Deltas()}) adds a FULL and two
 * DELTAs with DELETES files, the role added to format version 1 for expired rows.
 */
class GoldenSnapshotTest {
    static final long VERSION = 42;
    static final FeatureSpec SPEC =
            FeatureSpec.fromJson(
                    "{\"name\":\"golden\",\"slots\":["
                            + "{\"id\":1,\"name\":\"user_id\",\"kind\":\"CATEGORICAL\",\"dim\":2},"
                            + "{\"id\":200,\"name\":\"item_id\",\"kind\":\"CATEGORICAL\",\"dim\":2},"
                            + "{\"id\":3,\"name\":\"price\",\"kind\":\"NUMERIC\"}]}");
    static final ModelConfig CONFIG = new ModelConfig(2, 2, 1, new int[] {3}, 0.05f, 0.1f, 7L);

    /** Rows with ids of a low slot, a high slot (negative as a long) and both missing ids. */
    static Map<Long, float[]> rows() {
        Map<Long, float[]> rows = new LinkedHashMap<>();
        rows.put(72057594037927937L, new float[] {0.5f, -0.25f, 1.0f});
        rows.put(72057594037927938L, new float[] {-1.5f, 0.125f, 2.0f});
        rows.put(72057594037927936L, new float[] {0f, 0f, 0f});
        rows.put(-4035225266123964415L, new float[] {3.25f, -0.0625f, 1e-3f});
        rows.put(-4035225266123964416L, new float[] {Float.MIN_NORMAL, -Float.MAX_VALUE, 7f});
        return rows;
    }

    static DenseParameters dense() {
        float[] v = new float[20];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.0625f - 0.5f;
        }
        return new DenseParameters(v);
    }

    private static Path goldenV1() throws URISyntaxException {
        return Path.of(GoldenSnapshotTest.class.getResource("/golden/v1/LATEST").toURI())
                .getParent();
    }

    @Test
    void readsTheV1GoldenSnapshot() throws Exception {
        LocalModelStore store = new LocalModelStore(goldenV1());
        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(VERSION));
        LoadedModel m = store.load(VERSION);
        SnapshotManifest manifest = m.manifest();
        assertThat(manifest.formatVersion()).isEqualTo(1);
        assertThat(manifest.kind()).isEqualTo(SnapshotKind.FULL);
        assertThat(manifest.parentVersion()).isEqualTo(41);
        assertThat(manifest.checkpointId()).isEqualTo(17);
        assertThat(manifest.createdAtMs()).isEqualTo(1_767_225_600_000L);
        assertThat(manifest.provenance())
                .containsEntry(SnapshotManifest.FEATURE_SPEC_HASH, SPEC.hash())
                .containsEntry(SnapshotManifest.CODE_VERSION, "golden-v1")
                .containsEntry(SnapshotManifest.KAFKA_OFFSETS, "examples-0:1000,examples-1:2000");
        assertThat(m.modelConfig()).isEqualTo(CONFIG);
        assertThat(m.featureSpec().toJson()).isEqualTo(SPEC.toJson());
        assertThat(m.dense().values()).containsExactly(dense().values());
        assertThat(m.embeddings().size()).isEqualTo(rows().size());
        rows().forEach(
                        (id, r) ->
                                assertThat(m.embeddings().row(id))
                                        .as("id %d", id)
                                        .containsExactly(r));
        assertThat(manifest.files())
                .extracting(FileEntry::name)
                .containsExactly("dense.avro", "rows-00000.avro", "rows-00001.avro");
    }

    @Test
    void aCorruptedCopyOfTheGoldenSnapshotIsRejected(@TempDir Path tmp) throws Exception {
        Path src = goldenV1();
        try (var files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dst = tmp.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
        LocalModelStore copy = new LocalModelStore(tmp);
        Path rows = copy.versionDirectory(VERSION).resolve("rows-00001.avro");
        byte[] b = Files.readAllBytes(rows);
        b[b.length - 5] ^= 1;
        Files.write(rows, b);
        assertThatThrownBy(() -> copy.load(VERSION))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("rows-00001.avro");
    }

    /** Writes {@code src/test/resources/golden/v1} once; refuses to overwrite it. */
    @Test
    @EnabledIfSystemProperty(named = "freshrank.golden.write", matches = "true")
    void writeGoldenV1() throws Exception {
        Path dir = Path.of("src/test/resources/golden/v1");
        if (Files.exists(dir)) {
            throw new IllegalStateException(dir + " exists; golden files are never regenerated");
        }
        LocalModelStore store = new LocalModelStore(dir);
        SnapshotStaging staging = store.stage(VERSION);
        Map<Long, float[]> first = new LinkedHashMap<>();
        Map<Long, float[]> second = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<Long, float[]> e : rows().entrySet()) {
            (i++ < 3 ? first : second).put(e.getKey(), e.getValue());
        }
        store.commit(
                SnapshotManifest.builder()
                        .modelVersion(VERSION)
                        .parentVersion(41)
                        .checkpointId(17)
                        .createdAtMs(1_767_225_600_000L)
                        .featureSpec(SPEC)
                        .modelConfig(CONFIG)
                        .file(staging.writeRows("rows-00000.avro", 3, first.entrySet().iterator()))
                        .file(staging.writeRows("rows-00001.avro", 3, second.entrySet().iterator()))
                        .file(staging.writeDense("dense.avro", dense()))
                        .provenance(SnapshotManifest.CODE_VERSION, "golden-v1")
                        .provenance(
                                SnapshotManifest.KAFKA_OFFSETS, "examples-0:1000,examples-1:2000")
                        .provenance(SnapshotManifest.WATERMARK_MS, "1767225590000")
                        .provenance(SnapshotManifest.NEWEST_EXAMPLE_TIME_MS, "1767225599000")
                        .provenance(SnapshotManifest.TRAINED_EXAMPLES, "123456")
                        .build());
    }

    // ---- golden/v1-deltas: FULL 50 -> DELTA 51 -> DELTA 52, with deleted ids ----

    static final long DELTA_FULL = 50;

    private static long id(int slot, long low) {
        return ((long) slot << 56) | low;
    }

    /** The rows of FULL 50. */
    static Map<Long, float[]> fullRows() {
        Map<Long, float[]> rows = new LinkedHashMap<>();
        for (int i = 1; i <= 6; i++) {
            rows.put(id(1, i), new float[] {i, -i / 4f, i / 8f});
            rows.put(id(200, i), new float[] {-i, i / 2f, 0.125f * i});
        }
        return rows;
    }

    /** DELTA 51 sets these rows. */
    static Map<Long, float[]> delta51Rows() {
        Map<Long, float[]> rows = new LinkedHashMap<>();
        rows.put(id(1, 1), new float[] {10f, 10.5f, -10f}); // update
        rows.put(id(1, 7), new float[] {7f, 7.25f, 7.5f}); // new id
        rows.put(id(200, 2), new float[] {0.5f, 0.5f, 0.5f}); // deleted and re-added: row wins
        return rows;
    }

    /** DELTA 51 deletes these: two expired ids, the re-added one, and one it never had. */
    static final long[] DELTA_51_DELETES = {id(1, 3), id(200, 4), id(200, 2), id(1, 99)};

    static Map<Long, float[]> delta52Rows() {
        Map<Long, float[]> rows = new LinkedHashMap<>();
        rows.put(id(1, 3), new float[] {3.5f, -3.5f, 0.75f}); // re-added after expiring in 51
        return rows;
    }

    static final long[] DELTA_52_DELETES = {id(1, 7), id(200, 6)};

    static DenseParameters dense52() {
        float[] v = dense().values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += 1f;
        }
        return new DenseParameters(v);
    }

    private static Path goldenV1Deltas() throws URISyntaxException {
        return Path.of(GoldenSnapshotTest.class.getResource("/golden/v1-deltas/LATEST").toURI())
                .getParent();
    }

    private static Map<Long, float[]> apply(
            Map<Long, float[]> parent, long[] deletes, Map<Long, float[]> rows) {
        Map<Long, float[]> out = new LinkedHashMap<>(parent);
        for (long id : deletes) {
            out.remove(id);
        }
        out.putAll(rows);
        return out;
    }

    private static void assertRows(EmbeddingTable table, Map<Long, float[]> expected) {
        assertThat(table.size()).isEqualTo(expected.size());
        expected.forEach((id, r) -> assertThat(table.row(id)).as("id %d", id).containsExactly(r));
    }

    @Test
    void readsTheV1GoldenDeltaChainWithDeletes() throws Exception {
        LocalModelStore store = new LocalModelStore(goldenV1Deltas());
        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(DELTA_FULL + 2));
        Map<Long, float[]> at51 = apply(fullRows(), DELTA_51_DELETES, delta51Rows());
        Map<Long, float[]> at52 = apply(at51, DELTA_52_DELETES, delta52Rows());

        LoadedModel m51 = store.load(DELTA_FULL + 1);
        assertRows(m51.embeddings(), at51);
        assertThat(m51.embeddings().row(id(1, 3))).isNull();
        assertThat(m51.embeddings().row(id(200, 2))).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(m51.dense().values()).containsExactly(dense().values());

        LoadedModel m52 = store.load(DELTA_FULL + 2);
        assertRows(m52.embeddings(), at52);
        assertThat(m52.embeddings().row(id(1, 3))).containsExactly(3.5f, -3.5f, 0.75f);
        assertThat(m52.dense().values()).containsExactly(dense52().values());
        SnapshotManifest manifest = m52.manifest();
        assertThat(manifest.kind()).isEqualTo(SnapshotKind.DELTA);
        assertThat(manifest.parentVersion()).isEqualTo(DELTA_FULL + 1);
        assertThat(manifest.files())
                .extracting(FileEntry::name, FileEntry::role, FileEntry::records)
                .containsExactly(
                        tuple("deletes-00000.avro", FileRole.DELETES, 2L),
                        tuple("dense.avro", FileRole.DENSE, 1L),
                        tuple("rows-00000.avro", FileRole.ROWS, 1L));
        assertThat(manifest.newestExampleIngestMs()).hasValue(1_767_225_662_000L);

        LoadedDelta d51 = store.loadDelta(DELTA_FULL + 1, RowPrecision.FLOAT32);
        assertThat(d51.deletedIds()).containsExactly(DELTA_51_DELETES);
        assertRows(d51.rows(), delta51Rows());
        assertThat(d51.dense()).isEmpty();
    }

    @Test
    void aCorruptedCopyOfTheGoldenDeletesFileIsRejected(@TempDir Path tmp) throws Exception {
        Path src = goldenV1Deltas();
        try (var files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dst = tmp.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
        LocalModelStore copy = new LocalModelStore(tmp);
        Path deletes = copy.versionDirectory(DELTA_FULL + 1).resolve("deletes-00000.avro");
        byte[] b = Files.readAllBytes(deletes);
        b[b.length - 5] ^= 1;
        Files.write(deletes, b);
        assertThatThrownBy(() -> copy.load(DELTA_FULL + 2))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("snapshot version 51")
                .hasMessageContaining("deletes-00000.avro");
        assertThat(copy.load(DELTA_FULL).embeddings().size()).isEqualTo(fullRows().size());
    }

    /** Writes {@code src/test/resources/golden/v1-deltas} once; refuses to overwrite it. */
    @Test
    @EnabledIfSystemProperty(named = "freshrank.golden.write", matches = "true")
    void writeGoldenV1Deltas() throws Exception {
        Path dir = Path.of("src/test/resources/golden/v1-deltas");
        if (Files.exists(dir)) {
            throw new IllegalStateException(dir + " exists; golden files are never regenerated");
        }
        LocalModelStore store = new LocalModelStore(dir, 10);
        long created = 1_767_225_600_000L;
        SnapshotStaging s50 = store.stage(DELTA_FULL);
        store.commit(
                SnapshotManifest.builder()
                        .modelVersion(DELTA_FULL)
                        .checkpointId(20)
                        .createdAtMs(created)
                        .featureSpec(SPEC)
                        .modelConfig(CONFIG)
                        .file(s50.writeRows("rows-00000.avro", 3, fullRows().entrySet().iterator()))
                        .file(s50.writeDense("dense.avro", dense()))
                        .provenance(SnapshotManifest.CODE_VERSION, "golden-v1-deltas")
                        .provenance(SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS, "1767225600000")
                        .build());
        SnapshotStaging s51 = store.stage(DELTA_FULL + 1);
        store.commit(
                SnapshotManifest.builder()
                        .modelVersion(DELTA_FULL + 1)
                        .parentVersion(DELTA_FULL)
                        .kind(SnapshotKind.DELTA)
                        .checkpointId(21)
                        .createdAtMs(created + 30_000)
                        .featureSpec(SPEC)
                        .modelConfig(CONFIG)
                        .file(
                                s51.writeRows(
                                        "rows-00000.avro", 3, delta51Rows().entrySet().iterator()))
                        .file(s51.writeDeletes("deletes-00000.avro", DELTA_51_DELETES))
                        .provenance(SnapshotManifest.CODE_VERSION, "golden-v1-deltas")
                        .provenance(SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS, "1767225631000")
                        .build());
        SnapshotStaging s52 = store.stage(DELTA_FULL + 2);
        store.commit(
                SnapshotManifest.builder()
                        .modelVersion(DELTA_FULL + 2)
                        .parentVersion(DELTA_FULL + 1)
                        .kind(SnapshotKind.DELTA)
                        .checkpointId(22)
                        .createdAtMs(created + 60_000)
                        .featureSpec(SPEC)
                        .modelConfig(CONFIG)
                        .file(
                                s52.writeRows(
                                        "rows-00000.avro", 3, delta52Rows().entrySet().iterator()))
                        .file(s52.writeDeletes("deletes-00000.avro", DELTA_52_DELETES))
                        .file(s52.writeDense("dense.avro", dense52()))
                        .provenance(SnapshotManifest.CODE_VERSION, "golden-v1-deltas")
                        .provenance(SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS, "1767225662000")
                        .build());
    }
}
