package io.freshrank.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.freshrank.schema.SampleEvents.Sample;
import io.freshrank.schema.avro.Features;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The golden files of one schema version: {@code src/test/resources/golden/v<N>/<Record>.bin},
 * single-object bytes of {@link SampleEvents} written once while v{@code N} was the record's
 * current schema, and never regenerated.
 */
final class GoldenEvents {
    private final int version;
    private final Path dir;

    GoldenEvents(int version) {
        this.version = version;
        this.dir =
                Path.of(System.getProperty("basedir", ""))
                        .resolve("src/test/resources/golden/v" + version);
    }

    Path file(String recordName) {
        return dir.resolve(recordName + ".bin");
    }

    boolean allExist(List<Sample<?>> samples) {
        return samples.stream().allMatch(s -> Files.exists(file(s.recordName())));
    }

    /**
     * Writes the files of {@code samples} that are missing, each only while the record's current
     * schema is still this version.
     */
    void writeMissing(List<Sample<?>> samples) throws IOException {
        Files.createDirectories(dir);
        for (Sample<?> sample : samples) {
            Path file = file(sample.recordName());
            if (Files.exists(file)) {
                continue;
            }
            assertThat(SchemaHistory.fingerprint(sample.value().getSchema()))
                    .as(
                            "%s is missing but the current %s schema is no longer v%s; restore the"
                                    + " file from version control instead of regenerating it",
                            file, sample, version)
                    .isEqualTo(fingerprint(sample.recordName()));
            Files.write(file, encode(sample), StandardOpenOption.CREATE_NEW);
        }
    }

    /** Reads a golden file, checks it was written with this version's schema, decodes it. */
    <T extends SpecificRecord> T decode(Class<T> type) throws IOException {
        String name = type.getSimpleName();
        Path file = file(name);
        assertThat(file).as("golden file of %s", name).exists();
        byte[] bytes = Files.readAllBytes(file);
        String seen = HexFormat.of().formatHex(bytes);

        assertThat(bytes.length).as("%s: %s", file, seen).isGreaterThan(10);
        assertThat(bytes[0]).as("magic byte 0 of %s", file).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).as("magic byte 1 of %s", file).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint)
                .as("%s must carry the fingerprint of history %s/v%s.avsc", file, name, version)
                .isEqualTo(fingerprint(name));

        DecodeResult<T> result = EventCodec.of(type).decode(bytes);
        assertThat(result.isValid()).as("decode of %s (%s): %s", file, seen, result).isTrue();
        return result.value();
    }

    /** The features every sample carries. */
    static void assertSampleFeatures(Features f) {
        assertThat(f.getCategorical())
                .containsOnly(entry("user_id", "u42"), entry("device", "Zürich-tablet"));
        assertThat(f.getSequences())
                .containsOnly(entry("recent_categories", List.of("sports", "news")));
        assertThat(f.getNumeric())
                .containsOnly(entry("item_age_hours", 12.5f), entry("price", -3.25f));
    }

    private long fingerprint(String recordName) {
        return SchemaHistory.fingerprint(SchemaHistory.versions(recordName).get(version - 1));
    }

    private static <T extends SpecificRecord> byte[] encode(Sample<T> sample) {
        return EventCodec.of(sample.type()).encode(sample.value());
    }
}
