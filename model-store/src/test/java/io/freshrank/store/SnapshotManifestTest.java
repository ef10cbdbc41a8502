package io.freshrank.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotManifestTest {
    private static final String SHA = "ab".repeat(32);

    private static SnapshotManifest sample() {
        return StoreFixtures.manifest(12)
                .parentVersion(11)
                .file(new FileEntry("rows-00001.avro", FileRole.ROWS, 10, SHA, 3))
                .file(new FileEntry("dense.avro", FileRole.DENSE, 20, SHA, 1))
                .file(new FileEntry("rows-00000.avro", FileRole.ROWS, 30, SHA, 4))
                .provenance(SnapshotManifest.KAFKA_OFFSETS, "examples-0:17,examples-1:23")
                .build();
    }

    @Test
    void jsonRoundTripIsExact() throws Exception {
        SnapshotManifest m = sample();
        SnapshotManifest back = SnapshotManifest.fromJson(m.toJson());
        assertThat(back).isEqualTo(m);
        assertThat(back.toJson()).isEqualTo(m.toJson());
        assertThat(back.featureSpec().hash()).isEqualTo(StoreFixtures.SPEC.hash());
    }

    @Test
    void filesAreSortedByNameAndSpecHashIsInProvenance() {
        SnapshotManifest m = sample();
        assertThat(m.files())
                .extracting(FileEntry::name)
                .containsExactly("dense.avro", "rows-00000.avro", "rows-00001.avro");
        assertThat(m.files(FileRole.ROWS)).hasSize(2);
        assertThat(m.provenance())
                .containsEntry(SnapshotManifest.FEATURE_SPEC_HASH, StoreFixtures.SPEC.hash());
        assertThat(m.formatVersion()).isEqualTo(SnapshotManifest.CURRENT_FORMAT_VERSION);
    }

    @Test
    void unknownFormatVersionIsRejectedNamingBothVersions() {
        String json = sample().toJson().replace("\"formatVersion\" : 1", "\"formatVersion\" : 7");
        assertThatThrownBy(() -> SnapshotManifest.fromJson(json))
                .isInstanceOf(UnsupportedSnapshotFormatException.class)
                .hasMessageContaining(
                        "snapshot format version 7 is not supported by this reader (supports 1)");
    }

    @Test
    void malformedManifestsNameTheField() {
        String json = sample().toJson();
        assertThatThrownBy(() -> SnapshotManifest.fromJson("{not json"))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> SnapshotManifest.fromJson("{}"))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("formatVersion");
        assertThatThrownBy(
                        () ->
                                SnapshotManifest.fromJson(
                                        json.replace("\"checkpointId\"", "\"checkpointIdx\"")))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("checkpointId");
        assertThatThrownBy(() -> SnapshotManifest.fromJson(json.replace("\"FULL\"", "\"SPARSE\"")))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("kind")
                .hasMessageContaining("SPARSE");
        assertThatThrownBy(
                        () ->
                                SnapshotManifest.fromJson(
                                        json.replace("\"bytes\" : 10", "\"bytes\" : \"ten\"")))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("files[2].bytes");
        assertThatThrownBy(
                        () -> SnapshotManifest.fromJson(json.replace("\"dim\" : 3", "\"dim\" : 0")))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("dim");
    }

    @Test
    void builderNamesTheMissingField() {
        assertThatThrownBy(() -> SnapshotManifest.builder().modelVersion(1).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("checkpointId");
        assertThatThrownBy(
                        () ->
                                SnapshotManifest.builder()
                                        .modelVersion(1)
                                        .checkpointId(1)
                                        .createdAtMs(1)
                                        .modelConfig(StoreFixtures.CONFIG)
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("featureSpec");
    }

    @Test
    void structuralRulesAreEnforced() {
        FileEntry dense = new FileEntry("dense.avro", FileRole.DENSE, 20, SHA, 1);
        assertThatThrownBy(() -> StoreFixtures.manifest(3).build())
                .hasMessageContaining("FULL snapshot needs exactly one");
        assertThatThrownBy(() -> StoreFixtures.manifest(3).files(List.of(dense, dense)).build())
                .hasMessageContaining("listed twice");
        assertThatThrownBy(
                        () ->
                                StoreFixtures.manifest(3)
                                        .kind(SnapshotKind.DELTA)
                                        .file(dense)
                                        .build())
                .hasMessageContaining("parentVersion");
        assertThatThrownBy(() -> StoreFixtures.manifest(3).parentVersion(3).file(dense).build())
                .hasMessageContaining("older version");
        assertThat(
                        StoreFixtures.manifest(3)
                                .kind(SnapshotKind.DELTA)
                                .parentVersion(2)
                                .build()
                                .files())
                .isEmpty();
    }

    @Test
    void fileEntriesValidateNamesAndChecksums() {
        for (String bad : List.of("", "../x", "a/b", ".hidden", "manifest.json", "x".repeat(201))) {
            assertThatThrownBy(() -> new FileEntry(bad, FileRole.ROWS, 1, SHA, 1))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new FileEntry("a.avro", FileRole.ROWS, 1, "abc", 1))
                .hasMessageContaining("sha256");
        assertThat(new FileEntry("a.avro", FileRole.ROWS, 1, SHA.toUpperCase(), 1).sha256())
                .isEqualTo(SHA);
    }

    @Test
    void fileEntriesSurviveJavaSerialization() throws Exception {
        FileEntry e = new FileEntry("rows-00003.avro", FileRole.ROWS, 123, SHA, 9);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(e);
        }
    }

    private static SnapshotManifest deltaWithDeletes() {
        return StoreFixtures.manifest(13)
                .kind(SnapshotKind.DELTA)
                .parentVersion(12)
                .file(new FileEntry("rows-00000.avro", FileRole.ROWS, 30, SHA, 4))
                .file(new FileEntry("deletes-00000.avro", FileRole.DELETES, 25, SHA, 2))
                .file(new FileEntry("deletes-00001.avro", FileRole.DELETES, 26, SHA, 0))
                .provenance(SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS, "1767225599123")
                .build();
    }

    @Test
    void deletesFilesRoundTripInADelta() throws Exception {
        SnapshotManifest m = deltaWithDeletes();
        assertThat(SnapshotManifest.fromJson(m.toJson())).isEqualTo(m);
        assertThat(m.toJson()).contains("\"role\" : \"DELETES\"");
        assertThat(m.files(FileRole.DELETES))
                .extracting(FileEntry::name)
                .containsExactly("deletes-00000.avro", "deletes-00001.avro");
        assertThat(m.totalBytes()).isEqualTo(30 + 25 + 26);
        assertThat(m.newestExampleIngestMs()).hasValue(1_767_225_599_123L);
    }

    @Test
    void anUnknownFileRoleRejectsTheSnapshotNamingTheRole() {
        String json = deltaWithDeletes().toJson().replace("\"DELETES\"", "\"TOMBSTONES\"");
        assertThatThrownBy(() -> SnapshotManifest.fromJson(json))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("files[0].role")
                .hasMessageContaining("'TOMBSTONES', which this reader does not know")
                .hasMessageContaining("[ROWS, DENSE, DELETES]")
                .hasMessageContaining("upgrade this reader");
    }

    @Test
    void newestExampleIngestTimeIsReadLeniently() {
        assertThat(sample().newestExampleIngestMs()).isEmpty();
        for (String bad : List.of("soon", "-5", "")) {
            SnapshotManifest m =
                    StoreFixtures.manifest(3)
                            .file(new FileEntry("dense.avro", FileRole.DENSE, 20, SHA, 1))
                            .provenance(SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS, bad)
                            .build();
            assertThat(m.newestExampleIngestMs()).as("'%s'", bad).isEmpty();
        }
        assertThat(SnapshotManifest.NEWEST_EXAMPLE_INGEST_MS).isEqualTo("newestExampleIngestMs");
    }
}
