package io.freshrank.store;

import static io.freshrank.store.StoreFixtures.CONFIG;
import static io.freshrank.store.StoreFixtures.commitFull;
import static io.freshrank.store.StoreFixtures.dense;
import static io.freshrank.store.StoreFixtures.manifest;
import static io.freshrank.store.StoreFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DELTA versions that delete rows (expired by an idle TTL) as well as set them. */
class DeltaChainTest {
    @TempDir Path root;

    private static void assertSameRows(EmbeddingTable table, Map<Long, float[]> expected) {
        assertThat(table.size()).isEqualTo(expected.size());
        expected.forEach(
                (id, r) -> assertThat(table.row(id)).as("row of id %d", id).containsExactly(r));
    }

    /** Commits a DELTA of {@code parent} with {@code put} rows and {@code deleted} ids. */
    static SnapshotManifest commitDelta(
            LocalModelStore store,
            long version,
            long parent,
            Map<Long, float[]> put,
            long[] deleted,
            boolean withDense)
            throws Exception {
        SnapshotStaging s = store.stage(version);
        SnapshotManifest.Builder b =
                manifest(version)
                        .kind(SnapshotKind.DELTA)
                        .parentVersion(parent)
                        .file(
                                s.writeRows(
                                        SnapshotStaging.rowsFileName(0),
                                        CONFIG.rowWidth(),
                                        put.entrySet().iterator()))
                        .file(s.writeDeletes(SnapshotStaging.deletesFileName(0), deleted));
        if (withDense) {
            b.file(s.writeDense(SnapshotStaging.DENSE_FILE, dense(version)));
        }
        SnapshotManifest m = b.build();
        store.commit(m);
        return m;
    }

    /**
     * FULL 1 -> DELTA 2 (expires ids, adds and updates rows, deletes an id it also re-adds, and one
     * that never existed) -> DELTA 3 (re-adds expired ids, expires more): each version loads as the
     * map the same operations give.
     */
    @Test
    void aChainWithExpiredRowsLoadsAsTheOperationsSay() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        Map<Long, float[]> base = rows(100, 1);
        commitFull(store, 1, base, dense(1));
        List<Long> ids = new ArrayList<>(base.keySet());
        SplittableRandom rnd = new SplittableRandom(5);

        Map<Long, float[]> put2 = new LinkedHashMap<>();
        put2.put(ids.get(0), StoreFixtures.row(rnd)); // update
        put2.put(1L << 40, StoreFixtures.row(rnd)); // new
        put2.put(ids.get(5), StoreFixtures.row(rnd)); // deleted and re-added: the row wins
        long[] del2 = {ids.get(1), ids.get(2), ids.get(3), ids.get(5), 424242L, ids.get(1)};
        commitDelta(store, 2, 1, put2, del2, false);
        Map<Long, float[]> at2 = new HashMap<>(base);
        for (long id : del2) {
            at2.remove(id);
        }
        at2.putAll(put2);

        Map<Long, float[]> put3 = new LinkedHashMap<>();
        put3.put(ids.get(1), StoreFixtures.row(rnd)); // re-added after expiring in 2
        put3.put(ids.get(10), StoreFixtures.row(rnd));
        long[] del3 = {ids.get(0), 1L << 40, ids.get(20)};
        commitDelta(store, 3, 2, put3, del3, true);
        Map<Long, float[]> at3 = new HashMap<>(at2);
        for (long id : del3) {
            at3.remove(id);
        }
        at3.putAll(put3);

        LoadedModel m2 = store.load(2);
        assertSameRows(m2.embeddings(), at2);
        assertThat(m2.embeddings().row(ids.get(2))).isNull();
        assertThat(m2.embeddings().row(ids.get(5))).containsExactly(put2.get(ids.get(5)));
        assertThat(m2.dense().values()).containsExactly(dense(1).values());
        assertThat(m2.embeddings().size()).isEqualTo(100 - 3 + 1);

        LoadedModel m3 = store.load(3);
        assertSameRows(m3.embeddings(), at3);
        assertThat(m3.embeddings().row(ids.get(1))).containsExactly(put3.get(ids.get(1)));
        assertThat(m3.embeddings().row(ids.get(0))).isNull();
        assertThat(m3.dense().values()).containsExactly(dense(3).values());

        // FLOAT16: the same rows, rounded
        LoadedModel half = store.load(3, RowPrecision.FLOAT16);
        assertThat(half.embeddings().precision()).isEqualTo(RowPrecision.FLOAT16);
        assertThat(half.embeddings().size()).isEqualTo(at3.size());
        at3.forEach(
                (id, r) -> {
                    float[] got = half.embeddings().row(id);
                    for (int i = 0; i < r.length; i++) {
                        assertThat(got[i]).isEqualTo(HalfFloat.round(r[i]));
                    }
                });
        assertThat(store.readChain(3))
                .extracting(SnapshotManifest::modelVersion)
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void loadDeltaReadsOneVerifiedDelta() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        commitFull(store, 1, rows(20, 1), dense(1));
        Map<Long, float[]> put = rows(3, 9);
        long[] deleted = {7L, 8L, 7L};
        SnapshotManifest m2 = commitDelta(store, 2, 1, put, deleted, false);
        LoadedDelta d = store.loadDelta(2, RowPrecision.FLOAT32);
        assertThat(d.manifest()).isEqualTo(m2);
        assertThat(d.modelVersion()).isEqualTo(2);
        assertThat(d.parentVersion()).isEqualTo(1);
        assertThat(d.deletedIds()).containsExactly(7L, 8L, 7L);
        assertSameRows(d.rows(), put);
        assertThat(d.dense()).isEmpty();
        assertThat(m2.files(FileRole.DELETES))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.name()).isEqualTo("deletes-00000.avro");
                            assertThat(f.records()).isEqualTo(3);
                        });
        assertThat(m2.totalBytes())
                .isEqualTo(m2.files().stream().mapToLong(FileEntry::bytes).sum())
                .isPositive();

        commitDelta(store, 3, 2, Map.of(), new long[0], true);
        assertThat(store.loadDelta(3, RowPrecision.FLOAT16).dense().orElseThrow().values())
                .containsExactly(dense(3).values());
        assertThatThrownBy(() -> store.loadDelta(1, RowPrecision.FLOAT32))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("is a FULL, not a DELTA");
    }

    @Test
    void aCorruptDeletesFileIsRejectedByLoadAndLoadDelta() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        commitFull(store, 1, rows(20, 1), dense(1));
        SnapshotManifest m2 = commitDelta(store, 2, 1, rows(2, 3), new long[] {1, 2, 3}, false);
        Path deletes = store.versionDirectory(2).resolve("deletes-00000.avro");
        byte[] b = Files.readAllBytes(deletes);
        b[b.length - 3] ^= 0x08;
        Files.write(deletes, b);
        String expected = m2.files(FileRole.DELETES).get(0).sha256();
        assertThatThrownBy(() -> store.load(2))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("deletes-00000.avro")
                .hasMessageContaining(expected);
        assertThatThrownBy(() -> store.loadDelta(2, RowPrecision.FLOAT32))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("deletes-00000.avro");
    }

    @Test
    void aDeletesFileMustBeWhatTheManifestSays() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        commitFull(store, 1, rows(20, 1), dense(1));
        // a ROWS file listed as DELETES
        SnapshotStaging s2 = store.stage(2);
        FileEntry rowsFile =
                s2.writeRows(
                        "deletes-00000.avro", CONFIG.rowWidth(), rows(2, 2).entrySet().iterator());
        FileEntry asDeletes =
                new FileEntry(
                        rowsFile.name(),
                        FileRole.DELETES,
                        rowsFile.bytes(),
                        rowsFile.sha256(),
                        rowsFile.records());
        store.commit(manifest(2).kind(SnapshotKind.DELTA).parentVersion(1).file(asDeletes).build());
        assertThatThrownBy(() -> store.load(2))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining(
                        "has role ROWS in its metadata but the manifest says DELETES");

        // a deletes file with more ids than its entry claims
        SnapshotStaging s3 = store.stage(3);
        FileEntry d = s3.writeDeletes("deletes-00000.avro", new long[] {1, 2, 3});
        FileEntry undercounted = new FileEntry(d.name(), d.role(), d.bytes(), d.sha256(), 2);
        store.commit(
                manifest(3).kind(SnapshotKind.DELTA).parentVersion(2).file(undercounted).build());
        assertThatThrownBy(() -> store.loadDelta(3, RowPrecision.FLOAT32))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("more ids than the manifest says (2)");

        // a deletes file written with another format version
        SnapshotStaging s4 = store.stage(4);
        Path file = s4.directory().resolve("deletes-00000.avro");
        try (DataFileWriter<GenericRecord> w =
                new DataFileWriter<>(
                        new GenericDatumWriter<GenericRecord>(SnapshotFormat.DELETE_SCHEMA))) {
            w.setMeta(SnapshotFormat.META_FORMAT_VERSION, "2");
            w.setMeta(SnapshotFormat.META_FILE_ROLE, "DELETES");
            w.create(SnapshotFormat.DELETE_SCHEMA, Files.newOutputStream(file));
            GenericRecord r = new GenericData.Record(SnapshotFormat.DELETE_SCHEMA);
            r.put("id", 1L);
            w.append(r);
        }
        FileEntry v2 =
                new FileEntry(
                        "deletes-00000.avro",
                        FileRole.DELETES,
                        Files.size(file),
                        FileIo.sha256Hex(file),
                        1);
        store.commit(manifest(4).kind(SnapshotKind.DELTA).parentVersion(3).file(v2).build());
        assertThatThrownBy(() -> store.loadDelta(4, RowPrecision.FLOAT32))
                .isInstanceOf(UnsupportedSnapshotFormatException.class)
                .hasMessageContaining("deletes-00000.avro")
                .hasMessageContaining("version 2 is not supported by this reader (supports 1)");
    }

    @Test
    void onlyADeltaMayDelete() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        SnapshotStaging s = store.stage(1);
        FileEntry d = s.writeDense(SnapshotStaging.DENSE_FILE, dense(1));
        FileEntry deletes = s.writeDeletes(SnapshotStaging.deletesFileName(0), new long[] {1});
        assertThatThrownBy(() -> manifest(1).file(d).file(deletes).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FULL but lists 1 DELETES files");
    }

    @Test
    void theStreamingDeletesWriterLeavesNothingWhenAborted() throws Exception {
        SnapshotStaging staging = new LocalModelStore(root).stage(1);
        try (DeleteFileWriter w = staging.openDeletes(SnapshotStaging.deletesFileName(3))) {
            w.append(1);
            w.append(2);
        }
        try (Stream<Path> files = Files.list(staging.directory())) {
            assertThat(files).isEmpty();
        }
        FileEntry e;
        try (DeleteFileWriter w = staging.openDeletes(SnapshotStaging.deletesFileName(3))) {
            for (long id = 0; id < 1000; id++) {
                w.append(id * 31);
            }
            e = w.finish();
        }
        assertThat(e.name()).isEqualTo("deletes-00003.avro");
        assertThat(e.role()).isEqualTo(FileRole.DELETES);
        assertThat(e.records()).isEqualTo(1000);
        List<Long> read = new ArrayList<>();
        SnapshotReader.readDeletes(staging.directory(), 1, e, read::add);
        assertThat(read).hasSize(1000).startsWith(0L, 31L, 62L);
        assertThatThrownBy(() -> SnapshotStaging.deletesFileName(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> staging.openDeletes("../x.avro"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Retention keeps only the newest version but never a version LATEST's chain needs: deltas with
     * deletes included; once a new FULL is LATEST, the old chain goes.
     */
    @Test
    void retentionNeverDeletesWhatTheLatestChainNeeds() throws Exception {
        LocalModelStore store = new LocalModelStore(root, 1);
        Map<Long, float[]> base = rows(30, 1);
        commitFull(store, 1, base, dense(1));
        List<Long> ids = new ArrayList<>(base.keySet());
        Map<Long, float[]> expected = new HashMap<>(base);
        for (long v = 2; v <= 5; v++) {
            Map<Long, float[]> put = Map.of(ids.get((int) v), new float[] {v, v, v, v});
            long[] deleted = {ids.get((int) v + 10), ids.get((int) v)};
            commitDelta(store, v, v - 1, put, deleted, v == 4);
            for (long id : deleted) {
                expected.remove(id);
            }
            expected.putAll(put);
            assertThat(store.committedVersions())
                    .as("after committing %d", v)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, v).boxed().toList());
            assertSameRows(store.load(v).embeddings(), expected);
        }
        // an abandoned staging directory older than LATEST goes; the chain stays
        store.stage(6);
        commitFull(store, 7, rows(5, 7), dense(7));
        assertThat(store.committedVersions()).containsExactly(7L);
        assertThat(store.versionDirectory(6)).doesNotExist();
        assertThat(store.load(7).embeddings().size()).isEqualTo(5);

        // two kept roots whose chains overlap
        LocalModelStore two = new LocalModelStore(root, 2);
        commitDelta(two, 8, 7, Map.of(), new long[] {1}, false);
        commitDelta(two, 9, 8, Map.of(), new long[] {2}, false);
        commitDelta(two, 10, 9, Map.of(), new long[] {3}, false);
        assertThat(two.committedVersions()).containsExactly(7L, 8L, 9L, 10L);
        assertThat(two.load(10).modelVersion()).isEqualTo(10);
    }

    @Test
    void rowsBeyondTheHalfRangeCannotLoadAsFloat16() throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        Map<Long, float[]> big = new LinkedHashMap<>(rows(5, 1));
        big.put(99L, new float[] {1f, 1e5f, 0f, 0f});
        commitFull(store, 1, big, dense(1));
        assertThat(store.load(1).embeddings().row(99L)).containsExactly(1f, 1e5f, 0f, 0f);
        assertThatThrownBy(() -> store.load(1, RowPrecision.FLOAT16))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("snapshot version 1: file rows-00000.avro")
                .hasMessageContaining("feature id 99")
                .hasMessageContaining("FLOAT16 range");
    }
}
