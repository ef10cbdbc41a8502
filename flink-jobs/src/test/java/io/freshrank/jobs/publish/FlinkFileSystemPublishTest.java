package io.freshrank.jobs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.features.FeatureHasher;
import io.freshrank.features.FeatureSpec;
import io.freshrank.model.DeepFmModel;
import io.freshrank.model.ModelConfig;
import io.freshrank.store.FileEntry;
import io.freshrank.store.LoadedModel;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.NioStoreFileSystem;
import io.freshrank.store.SnapshotKind;
import io.freshrank.store.SnapshotManifest;
import io.freshrank.store.SnapshotStaging;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.local.LocalFileSystem;
import org.apache.flink.core.plugin.PluginManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stages and commits a version through a store URI of a scheme that only Flink knows ({@code
 * testfs://}, a local directory behind a {@link FileSystemFactory} loaded like a plugin), then
 * reads it back through {@code java.nio} as a server does.
 */
class FlinkFileSystemPublishTest {
    private static final FeatureSpec SPEC = FeatureSpec.simulator();
    private static final ModelConfig CONFIG = ModelConfig.forSpec(SPEC, new int[] {4}, 0.05f, 1L);

    @TempDir Path dir;

    @BeforeAll
    static void registerTestFs() {
        FileSystem.initialize(new Configuration(), new TestFsPlugins());
    }

    @AfterAll
    static void unregisterTestFs() {
        FileSystem.initialize(new Configuration(), null);
    }

    @Test
    void publishesThroughAFlinkFileSystemAndAReaderLoadsTheVersion() throws Exception {
        LocalModelStore store = StoreLocations.open("testfs://" + dir.toAbsolutePath());
        assertThat(store.fileSystem()).isNotInstanceOf(NioStoreFileSystem.class);
        assertThat(store.fileSystem().supportsAtomicRename()).isTrue();
        assertThat(store.location()).startsWith("testfs:/");
        int createsBefore = TestFs.CREATES.get();

        // phase 1: a shard's rows, the dense part and two trainer subtasks' progress
        SnapshotStaging staging = store.stage(7);
        Map<Long, float[]> rows = rows(25);
        FileEntry rowsEntry =
                staging.writeRows(
                        SnapshotStaging.rowsFileName(0),
                        CONFIG.rowWidth(),
                        rows.entrySet().iterator());
        SnapshotParts.write(
                staging,
                rowsEntry,
                Map.of(SnapshotParts.KIND, SnapshotKind.FULL.name(), SnapshotParts.BASE, "-1"));
        SnapshotParts.write(
                staging,
                staging.writeDense(
                        SnapshotStaging.DENSE_FILE, new DeepFmModel(CONFIG).initialParameters()));
        TrainingProgress trainer0 = new TrainingProgress();
        trainer0.record(0, 41, 5_000);
        trainer0.record(1, 10, 4_000);
        TrainingProgress trainer1 = new TrainingProgress();
        trainer1.record(0, 30, 4_500);
        trainer1.record(1, 19, 4_200);
        SnapshotParts.writeProgress(staging, 0, trainer0);
        SnapshotParts.writeProgress(staging, 1, trainer1);

        // phase 2
        SnapshotCommitter committer = new SnapshotCommitter(store, SPEC, CONFIG, 1);
        assertThat(committer.commit(7, Map.of(SnapshotManifest.TRAINED_EXAMPLES, "62")))
                .isEqualTo(SnapshotKind.FULL);
        assertThat(TestFs.CREATES.get() - createsBefore)
                .as("files created through the Flink file system")
                .isGreaterThanOrEqualTo(8);

        // a server's reader: plain java.nio on the same directory
        LocalModelStore reader = new LocalModelStore(dir);
        assertThat(reader.readLatestVersion()).hasValue(7);
        LoadedModel loaded = reader.load(7);
        assertThat(loaded.embeddings().size()).isEqualTo(rows.size());
        assertThat(loaded.manifest().provenance())
                .containsEntry(SnapshotManifest.EXAMPLES_OFFSETS, "0:42,1:20")
                .containsEntry(SnapshotManifest.WATERMARK_MS, "4200")
                .containsEntry(SnapshotManifest.TRAINED_EXAMPLES, "62");
        try (var files = Files.walk(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no tmp file left behind")
                    .noneMatch(n -> n.startsWith(".tmp-"));
        }
        // the next version through the same URI moves LATEST (a rename over an existing file)
        SnapshotStaging next = store.stage(8);
        SnapshotParts.write(
                next,
                next.writeRows(
                        SnapshotStaging.rowsFileName(0),
                        CONFIG.rowWidth(),
                        rows.entrySet().iterator()),
                Map.of(SnapshotParts.KIND, SnapshotKind.FULL.name()));
        SnapshotParts.write(
                next,
                next.writeDense(
                        SnapshotStaging.DENSE_FILE, new DeepFmModel(CONFIG).initialParameters()));
        assertThat(committer.commit(8, Map.of())).isEqualTo(SnapshotKind.FULL);
        assertThat(reader.readLatestVersion()).hasValue(8);
    }

    private static Map<Long, float[]> rows(int n) {
        Map<Long, float[]> rows = new LinkedHashMap<>();
        int slot = SPEC.embeddedSlots().get(0).id();
        for (int i = 0; i < n; i++) {
            float[] r = new float[CONFIG.rowWidth()];
            r[0] = i;
            rows.put(FeatureHasher.featureId(slot, "v" + i), r);
        }
        return rows;
    }

    /** A local directory under the {@code testfs} scheme, counting files created. */
    static final class TestFs extends LocalFileSystem {
        static final AtomicInteger CREATES = new AtomicInteger();

        @Override
        public URI getUri() {
            return URI.create("testfs:///");
        }

        @Override
        public boolean isDistributedFS() {
            return true;
        }

        @Override
        public FSDataOutputStream create(org.apache.flink.core.fs.Path path, WriteMode mode)
                throws IOException {
            CREATES.incrementAndGet();
            return super.create(path, mode);
        }
    }

    /** Loads {@link TestFs} as a plugin would be. */
    public static final class TestFsFactory implements FileSystemFactory {
        @Override
        public String getScheme() {
            return "testfs";
        }

        @Override
        public FileSystem create(URI fsUri) {
            return new TestFs();
        }
    }

    private static final class TestFsPlugins implements PluginManager {
        @Override
        public <P> Iterator<P> load(Class<P> service) {
            if (service.isAssignableFrom(TestFsFactory.class)) {
                return List.of(service.cast(new TestFsFactory())).iterator();
            }
            return Collections.emptyIterator();
        }
    }
}
