package io.freshrank.jobs.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreLocationsTest {
    @Test
    void aPlainPathIsALocalFileUri() {
        URI uri = StoreLocations.toUri("target/store");
        assertThat(uri.getScheme()).isEqualTo("file");
        assertThat(Path.of(uri)).isEqualTo(Path.of("target/store").toAbsolutePath().normalize());
        assertThat(StoreLocations.toUri("/data/models").toString())
                .isEqualTo("file:///data/models");
    }

    @Test
    void urisAreKeptAndObjectStoresHaveNoAtomicRename() {
        assertThat(StoreLocations.toUri("s3://bucket/models").toString())
                .isEqualTo("s3://bucket/models");
        assertThat(StoreLocations.atomicRename(URI.create("s3://bucket/models"))).isFalse();
        assertThat(StoreLocations.atomicRename(URI.create("S3A://bucket/models"))).isFalse();
        assertThat(StoreLocations.atomicRename(URI.create("hdfs://nn:8020/models"))).isTrue();
        assertThat(StoreLocations.atomicRename(URI.create("file:///models"))).isTrue();
    }

    @Test
    void anEmptyLocationNamesTheOption() {
        assertThatThrownBy(() -> StoreLocations.toUri(" "))
                .hasMessageContaining("freshrank.store.path");
    }
}
