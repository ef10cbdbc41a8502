package io.freshrank.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing on a file system without atomic rename: every file is written once, in place. */
class ObjectStorePublishTest {
    @TempDir Path root;

    @Test
    void commitsWithoutRenamesOrTmpFilesAndRetentionKeepsTheLatestChain() throws Exception {
        ObjectStoreFileSystem fs = new ObjectStoreFileSystem(root);
        LocalModelStore store = new LocalModelStore(fs, 1);
        Map<Long, float[]> rows = StoreFixtures.rows(20, 1);
        StoreFixtures.commitFull(store, 1, rows, StoreFixtures.dense(1));
        SnapshotStaging delta = store.stage(2);
        FileEntry r =
                delta.writeRows(
                        SnapshotStaging.rowsFileName(0),
                        StoreFixtures.CONFIG.rowWidth(),
                        StoreFixtures.rows(3, 2).entrySet().iterator());
        FileEntry d = delta.writeDeletes(SnapshotStaging.deletesFileName(0), new long[0]);
        FileEntry dense = delta.writeDense(SnapshotStaging.DENSE_FILE, StoreFixtures.dense(2));
        store.commit(
                StoreFixtures.manifest(2)
                        .kind(SnapshotKind.DELTA)
                        .parentVersion(1)
                        .file(r)
                        .file(d)
                        .file(dense)
                        .build());

        assertThat(fs.created).noneMatch(p -> p.contains(StoreFileSystem.TMP_PREFIX));
        assertThat(fs.created).contains(LocalModelStore.LATEST_FILE);
        assertThat(store.readLatestVersion()).hasValue(2);
        // retention keeps 1 version, but the DELTA's FULL is part of LATEST's chain
        assertThat(store.committedVersions()).containsExactly(1L, 2L);
        LoadedModel loaded = new LocalModelStore(fs, 1).load(2);
        // the delta's 3 rows replace 3 of the FULL's 20 (same ids); its dense parameters win
        assertThat(loaded.embeddings().size()).isEqualTo(20);
        assertThat(loaded.dense().values()).containsExactly(StoreFixtures.dense(2).values());
        try (var files = Files.walk(root)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(StoreFileSystem.TMP_PREFIX));
        }
    }
}
