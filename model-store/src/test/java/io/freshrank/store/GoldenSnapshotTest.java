package io.freshrank.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
