package io.freshrank.store;

import static io.freshrank.store.StoreFixtures.CONFIG;
import static io.freshrank.store.StoreFixtures.commitFull;
import static io.freshrank.store.StoreFixtures.dense;
import static io.freshrank.store.StoreFixtures.manifest;
import static io.freshrank.store.StoreFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalModelStoreTest {
    @TempDir Path root;

    private static void assertSameRows(EmbeddingTable table, Map<Long, float[]> expected) {
        assertThat(table.size()).isEqualTo(expected.size());
        expected.forEach(
                (id, r) -> assertThat(table.row(id)).as("row of id %d", id).containsExactly(r));
    }

    @Test
    void roundTripsRowsDenseSpecAndConfig() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        Map<Long, float[]> rows = rows(500, 1);
        DenseParameters dense = dense(2);
        SnapshotManifest committed = commitFull(store, 3, rows, dense);

        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(3));
        assertThat(Files.readString(root.resolve("LATEST")).trim()).isEqualTo("3");
        assertThat(root.resolve("snapshots/00000000000000000003/manifest.json")).exists();
        assertThat(store.readManifest(3)).isEqualTo(committed);
        LoadedModel loaded = store.load(3);
        assertThat(loaded.manifest()).isEqualTo(committed);
        assertThat(loaded.modelVersion()).isEqualTo(3);
        assertThat(loaded.modelConfig()).isEqualTo(CONFIG);
        assertThat(loaded.featureSpec().hash()).isEqualTo(StoreFixtures.SPEC.hash());
        assertThat(loaded.dense().values()).containsExactly(dense.values());
        assertSameRows(loaded.embeddings(), rows);
        FileEntry rowsEntry = committed.files(FileRole.ROWS).get(0);
        assertThat(rowsEntry.records()).isEqualTo(500);
        assertThat(rowsEntry.sha256())
                .isEqualTo(FileIo.sha256Hex(store.versionDirectory(3).resolve(rowsEntry.name())));
        assertThat(store.loadLatest()).get().extracting(LoadedModel::modelVersion).isEqualTo(3L);
    }

    @Test
    void emptyStoreHasNoLatest() throws Exception {
        LocalModelStore store = new LocalModelStore(root.resolve("not-yet-created"));
        assertThat(store.readLatestVersion()).isEmpty();
        assertThat(store.loadLatest()).isEmpty();
        assertThat(store.committedVersions()).isEmpty();
    }

    @Test
    void parallelWritersStageOneVersionAndThePublisherCommitsTheirEntries() throws Exception {
        int writers = 4;
        Map<Long, float[]> all = rows(2000, 7);
        List<Map<Long, float[]>> shards = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            shards.add(new LinkedHashMap<>());
        }
        all.forEach((id, r) -> shards.get(Math.floorMod(Long.hashCode(id), writers)).put(id, r));
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<FileEntry> entries = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int subtask = i;
                done.add(
                        pool.submit(
                                () -> {
                                    // each subtask opens its own store and staging on the root
                                    SnapshotStaging staging = new LocalModelStore(root).stage(9);
                                    try (RowFileWriter w =
                                            staging.openRows(
                                                    SnapshotStaging.rowsFileName(subtask),
                                                    CONFIG.rowWidth())) {
                                        for (Map.Entry<Long, float[]> e :
                                                shards.get(subtask).entrySet()) {
                                            w.append(e.getKey(), e.getValue());
                                        }
                                        entries.add(w.finish());
                                    }
                                    return null;
                                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        DenseParameters dense = dense(8);
        entries.add(
                new LocalModelStore(root).stage(9).writeDense(SnapshotStaging.DENSE_FILE, dense));
        Collections.shuffle(entries, new Random(3));
        LocalModelStore.publish(root, manifest(9).files(entries).build());

        LoadedModel loaded = new LocalModelStore(root).load(9);
        assertSameRows(loaded.embeddings(), all);
        assertThat(loaded.manifest().files()).hasSize(writers + 1);
        try (Stream<Path> files = Files.list(root.resolve("snapshots/00000000000000000009"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no tmp files left behind")
                    .noneMatch(n -> n.startsWith("."));
        }
    }

    @Test
    void tornPublishesNeverMoveLatest() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        commitFull(store, 1, rows(10, 1), dense(1));

        // 1) data files of version 2 written, publisher died before committing
        SnapshotStaging staging = store.stage(2);
        FileEntry r =
                staging.writeRows(
                        SnapshotStaging.rowsFileName(0),
                        CONFIG.rowWidth(),
                        rows(10, 2).entrySet().iterator());
        FileEntry d = staging.writeDense(SnapshotStaging.DENSE_FILE, dense(2));
        // 2) ... or died while writing the manifest: only its tmp file exists
        Files.writeString(
                FileIo.tmpFor(staging.directory().resolve(LocalModelStore.MANIFEST_FILE)),
                manifest(2).file(r).file(d).build().toJson().substring(0, 100));
        // 3) ... and a half-written LATEST tmp file
        Files.writeString(FileIo.tmpFor(root.resolve(LocalModelStore.LATEST_FILE)), "2");

        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(1));
        assertThat(store.committedVersions()).containsExactly(1L);
        assertThat(store.load(1).modelVersion()).isEqualTo(1);
        assertThatThrownBy(() -> store.readManifest(2))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("not committed");

        // the next publish goes through and retention removes the torn version
        commitFull(store, 3, rows(10, 3), dense(3));
        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(3));
        assertThat(store.versionDirectory(2)).doesNotExist();
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("LATEST", "snapshots");
        }
    }

    @Test
    void crashBetweenManifestAndLatestKeepsTheOldLatestAndAReplayedCommitIsIdempotent()
            throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        commitFull(store, 1, rows(10, 1), dense(1));
        SnapshotStaging staging = store.stage(2);
        FileEntry r =
                staging.writeRows(
                        SnapshotStaging.rowsFileName(0),
                        CONFIG.rowWidth(),
                        rows(10, 2).entrySet().iterator());
        FileEntry d = staging.writeDense(SnapshotStaging.DENSE_FILE, dense(2));
        SnapshotManifest m2 = manifest(2).file(r).file(d).build();
        // the manifest landed, the publisher died before swapping LATEST
        FileIo.writeAtomically(
                staging.directory().resolve(LocalModelStore.MANIFEST_FILE),
                m2.toJson().getBytes(StandardCharsets.UTF_8));
        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(1));

        // the restored publisher commits the same manifest again
        store.commit(m2);
        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(2));
        store.commit(m2);
        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(2));

        SnapshotManifest other = manifest(2).file(r).file(d).provenance("x", "y").build();
        assertThatThrownBy(() -> store.commit(other))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("different manifest");
    }

    @Test
    void commitChecksFilesAndVersionOrder() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        commitFull(store, 5, rows(10, 1), dense(1));

        SnapshotStaging staging = store.stage(6);
        FileEntry d = staging.writeDense(SnapshotStaging.DENSE_FILE, dense(2));
        FileEntry missing = new FileEntry("rows-00000.avro", FileRole.ROWS, 10, "00".repeat(32), 1);
        assertThatThrownBy(() -> store.commit(manifest(6).file(d).file(missing).build()))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("rows-00000.avro")
                .hasMessageContaining("not in");
        FileEntry wrongSize = new FileEntry(d.name(), FileRole.DENSE, d.bytes() + 1, d.sha256(), 1);
        assertThatThrownBy(() -> store.commit(manifest(6).file(wrongSize).build()))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("dense.avro")
                .hasMessageContaining("bytes");
        assertThat(store.readLatestVersion()).isEqualTo(OptionalLong.of(5));
        assertThat(staging.directory().resolve(LocalModelStore.MANIFEST_FILE)).doesNotExist();

        assertThatThrownBy(() -> store.stage(5)).hasMessageContaining("already committed");
        assertThatThrownBy(() -> store.stage(4)).hasMessageContaining("strictly increase");
        SnapshotStaging older = new SnapshotStaging(4, store.versionDirectory(4));
        Files.createDirectories(older.directory());
        FileEntry d4 = older.writeDense(SnapshotStaging.DENSE_FILE, dense(4));
        assertThatThrownBy(() -> store.commit(manifest(4).file(d4).build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("strictly increase");
    }

    @Test
    void aFlippedByteIsReportedWithTheFileNameAndBothChecksums() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        SnapshotManifest m = commitFull(store, 1, rows(100, 1), dense(1));
        FileEntry entry = m.files(FileRole.ROWS).get(0);
        Path file = store.versionDirectory(1).resolve(entry.name());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);
        String actual = FileIo.sha256Hex(file);

        assertThatThrownBy(() -> store.load(1))
                .isInstanceOfSatisfying(
                        SnapshotCorruptException.class,
                        e -> {
                            assertThat(e.fileName()).isEqualTo("rows-00000.avro");
                            assertThat(e.expectedSha256()).isEqualTo(entry.sha256());
                            assertThat(e.actualSha256()).isEqualTo(actual);
                        })
                .hasMessageContaining("rows-00000.avro")
                .hasMessageContaining(entry.sha256())
                .hasMessageContaining(actual);
    }

    @Test
    void truncatedOrMissingFilesAreCorrupt() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        commitFull(store, 1, rows(100, 1), dense(1));
        Path dense = store.versionDirectory(1).resolve(SnapshotStaging.DENSE_FILE);
        byte[] bytes = Files.readAllBytes(dense);
        Files.write(dense, Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> store.load(1))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("dense.avro")
                .hasMessageContaining("bytes");
        Files.delete(dense);
        assertThatThrownBy(() -> store.load(1))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("dense.avro")
                .hasMessageContaining("missing");
    }

    @Test
    void anUnknownManifestFormatVersionIsRejectedNamingBothVersions() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        commitFull(store, 1, rows(10, 1), dense(1));
        Path manifest = store.versionDirectory(1).resolve(LocalModelStore.MANIFEST_FILE);
        Files.writeString(
                manifest,
                Files.readString(manifest)
                        .replace("\"formatVersion\" : 1", "\"formatVersion\" : 7"));
        assertThatThrownBy(() -> store.load(1))
                .isInstanceOf(UnsupportedSnapshotFormatException.class)
                .hasMessageContaining("snapshot version 1")
                .hasMessageContaining(
                        "snapshot format version 7 is not supported by this reader (supports 1)");
    }

    @Test
    void anUnknownDataFileFormatVersionIsRejectedNamingBothVersions() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        SnapshotStaging staging = store.stage(1);
        Path rowsFile = staging.directory().resolve("rows-00000.avro");
        try (DataFileWriter<GenericRecord> w =
                new DataFileWriter<>(
                        new GenericDatumWriter<GenericRecord>(SnapshotFormat.ROW_SCHEMA))) {
            w.setMeta(SnapshotFormat.META_FORMAT_VERSION, "2");
            w.setMeta(SnapshotFormat.META_FILE_ROLE, "ROWS");
            w.create(SnapshotFormat.ROW_SCHEMA, Files.newOutputStream(rowsFile));
            GenericRecord r = new GenericData.Record(SnapshotFormat.ROW_SCHEMA);
            r.put("id", 1L);
            ByteBuffer b = ByteBuffer.allocate(16);
            SnapshotFormat.encode(new float[] {1, 2, 3, 4}, b);
            r.put("vector", b);
            w.append(r);
        }
        FileEntry rows =
                new FileEntry(
                        "rows-00000.avro",
                        FileRole.ROWS,
                        Files.size(rowsFile),
                        FileIo.sha256Hex(rowsFile),
                        1);
        FileEntry d = staging.writeDense(SnapshotStaging.DENSE_FILE, dense(1));
        store.commit(manifest(1).file(rows).file(d).build());
        assertThatThrownBy(() -> store.load(1))
                .isInstanceOf(UnsupportedSnapshotFormatException.class)
                .hasMessageContaining("rows-00000.avro")
                .hasMessageContaining(
                        "snapshot format version 2 is not supported by this reader (supports 1)");
    }

    @Test
    void retentionKeepsTheNewestVersionsAndLatest() throws Exception {
        LocalModelStore store = new LocalModelStore(root, 3);
        for (long v = 1; v <= 6; v++) {
            commitFull(store, v, rows(5, v), dense(v));
        }
        assertThat(store.committedVersions()).containsExactly(4L, 5L, 6L);
        assertThat(store.versionDirectory(1)).doesNotExist();

        // an operator rolled LATEST back to 4; a store keeping one version keeps 4 and 6
        LocalModelStore one = new LocalModelStore(root, 1);
        FileIo.writeAtomically(root.resolve("LATEST"), "4\n".getBytes(StandardCharsets.US_ASCII));
        one.applyRetention();
        assertThat(one.committedVersions()).containsExactly(4L, 6L);
        assertThat(one.load(4).modelVersion()).isEqualTo(4);
        assertThatThrownBy(() -> new LocalModelStore(root, 0))
                .hasMessageContaining(LocalModelStore.RETAIN_VERSIONS_KEY);
    }

    @Test
    void deltasApplyInOrderOnTheirFullAndRetentionKeepsTheChain() throws Exception {
        LocalModelStore store = new LocalModelStore(root, 1);
        Map<Long, float[]> base = rows(50, 1);
        commitFull(store, 1, base, dense(1));
        List<Long> ids = new ArrayList<>(base.keySet());

        Map<Long, float[]> delta2 = new LinkedHashMap<>();
        delta2.put(ids.get(0), new float[] {1, 1, 1, 1});
        delta2.put(999L, new float[] {2, 2, 2, 2});
        SnapshotStaging s2 = store.stage(2);
        FileEntry r2 =
                s2.writeRows("rows-00000.avro", CONFIG.rowWidth(), delta2.entrySet().iterator());
        store.commit(manifest(2).kind(SnapshotKind.DELTA).parentVersion(1).file(r2).build());

        Map<Long, float[]> delta3 = Map.of(ids.get(0), new float[] {3, 3, 3, 3});
        SnapshotStaging s3 = store.stage(3);
        FileEntry r3 =
                s3.writeRows("rows-00000.avro", CONFIG.rowWidth(), delta3.entrySet().iterator());
        FileEntry d3 = s3.writeDense(SnapshotStaging.DENSE_FILE, dense(3));
        store.commit(
                manifest(3).kind(SnapshotKind.DELTA).parentVersion(2).file(r3).file(d3).build());

        assertThat(store.committedVersions()).containsExactly(1L, 2L, 3L);
        Map<Long, float[]> expected = new HashMap<>(base);
        expected.putAll(delta2);
        expected.putAll(delta3);
        LoadedModel at3 = store.load(3);
        assertSameRows(at3.embeddings(), expected);
        assertThat(at3.dense().values()).containsExactly(dense(3).values());
        assertThat(at3.manifest().kind()).isEqualTo(SnapshotKind.DELTA);
        LoadedModel at2 = store.load(2);
        assertThat(at2.dense().values())
                .as("a delta without dense keeps its parent's")
                .containsExactly(dense(1).values());
        assertThat(at2.embeddings().row(ids.get(0))).containsExactly(1, 1, 1, 1);

        SnapshotStaging s4 = store.stage(4);
        assertThatThrownBy(
                        () ->
                                store.commit(
                                        manifest(4)
                                                .kind(SnapshotKind.DELTA)
                                                .parentVersion(0)
                                                .build()))
                .hasMessageContaining("parent version 0 is not committed");
        assertThat(s4.directory()).exists();
    }

    @Test
    void rowsThatDoNotFitTheModelAreRejected() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        // rows of width 3 under a config of width 4
        SnapshotStaging staging = store.stage(1);
        FileEntry r =
                staging.writeRows(
                        "rows-00000.avro",
                        3,
                        Map.of(1L, new float[] {1, 2, 3}).entrySet().iterator());
        FileEntry d = staging.writeDense(SnapshotStaging.DENSE_FILE, dense(1));
        store.commit(manifest(1).file(r).file(d).build());
        assertThatThrownBy(() -> store.load(1))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("rows-00000.avro")
                .hasMessageContaining("feature id 1 has 12 bytes, expected 16");

        // a config that does not match the spec
        ModelConfig wrong = new ModelConfig(2, 3, 1, new int[] {4}, 0.05f, 0.1f, 1);
        SnapshotStaging s2 = store.stage(2);
        FileEntry d2 = s2.writeDense(SnapshotStaging.DENSE_FILE, dense(2));
        store.commit(manifest(2).modelConfig(wrong).file(d2).build());
        assertThatThrownBy(() -> store.load(2))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("does not match its model config");
    }

    @Test
    void duplicateIdsInAFullSnapshotAreCorrupt() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        SnapshotStaging staging = store.stage(1);
        Map<Long, float[]> a = Map.of(5L, new float[] {1, 2, 3, 4});
        FileEntry r0 = staging.writeRows("rows-00000.avro", 4, a.entrySet().iterator());
        FileEntry r1 = staging.writeRows("rows-00001.avro", 4, a.entrySet().iterator());
        FileEntry d = staging.writeDense(SnapshotStaging.DENSE_FILE, dense(1));
        store.commit(manifest(1).file(r0).file(r1).file(d).build());
        assertThatThrownBy(() -> store.load(1))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("feature id 5 has two rows");
    }

    @Test
    void writersRejectBadRowsAndLeaveNothingBehindWhenAborted() throws Exception {
        SnapshotStaging staging = new LocalModelStore(root).stage(1);
        try (RowFileWriter w = staging.openRows("rows-00000.avro", 4)) {
            w.append(1, new float[] {1, 2, 3, 4});
            assertThatThrownBy(() -> w.append(2, new float[] {1, Float.NaN, 3, 4}))
                    .hasMessageContaining("feature id 2")
                    .hasMessageContaining("non-finite");
            assertThatThrownBy(() -> w.append(3, new float[] {1, 2}))
                    .hasMessageContaining("feature id 3 has 2 floats");
        }
        assertThatThrownBy(
                        () -> staging.writeDense("dense.avro", Map.of("other", new float[] {1f})))
                .hasMessageContaining("\"dense\"");
        assertThatThrownBy(() -> staging.openRows("../escape.avro", 4))
                .isInstanceOf(IllegalArgumentException.class);
        try (Stream<Path> files = Files.list(staging.directory())) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aGarbledLatestIsReported() throws Exception {
        Files.writeString(root.resolve("LATEST"), "banana");
        assertThatThrownBy(() -> new LocalModelStore(root).readLatestVersion())
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("LATEST");
    }

    @Test
    void denseFilesKeepExtraBlocksForTrainingRestores() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        SnapshotStaging staging = store.stage(1);
        Map<String, float[]> blocks = new LinkedHashMap<>();
        blocks.put("dense", dense(1).values());
        blocks.put("dense.accumulator", new float[] {0.1f, 0.2f});
        FileEntry d = staging.writeDense("dense.avro", blocks);
        assertThat(d.records()).isEqualTo(2);
        store.commit(manifest(1).file(d).build());
        assertThat(store.load(1).dense().values()).containsExactly(dense(1).values());
        assertThat(SnapshotReader.readDense(store.versionDirectory(1), 1, d))
                .containsKeys("dense", "dense.accumulator");
    }
}
