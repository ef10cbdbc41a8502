package io.freshrank.jobs.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.store.SnapshotManifest;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingProgressTest {
    @Test
    void mergeTakesTheMaximumPerPartitionAndTheWatermarkIsTheSlowestPartition() {
        TrainingProgress a = new TrainingProgress();
        a.record(0, 10, 1_000);
        a.record(0, 7, 1_500); // an older offset with a later event time: both maxima kept
        a.record(1, 3, 400);
        TrainingProgress b = new TrainingProgress();
        b.record(0, 12, 900);
        b.record(1, 2, 300);
        b.record(2, 0, 2_000);

        a.merge(b);

        assertThat(a.nextOffsets())
                .containsExactly(Map.entry(0, 13L), Map.entry(1, 4L), Map.entry(2, 1L));
        assertThat(a.watermarkMs()).hasValue(400);
        assertThat(a.provenance())
                .containsEntry(SnapshotManifest.EXAMPLES_OFFSETS, "0:13,1:4,2:1")
                .containsEntry(SnapshotManifest.WATERMARK_MS, "400");
    }

    @Test
    void unknownCoordinatesAreIgnoredAndNothingTrainedMeansNoProvenance() {
        TrainingProgress p = new TrainingProgress();
        p.record(-1, 5, 100);
        p.record(0, -1, 100);
        assertThat(p.isEmpty()).isTrue();
        assertThat(p.watermarkMs()).isEmpty();
        assertThat(p.provenance()).isEmpty();
    }

    @Test
    void jsonRoundTripsAndRejectsOtherVersions() throws IOException {
        TrainingProgress p = new TrainingProgress();
        p.record(3, 99, 1_767_225_600_000L);
        p.record(0, 1, 5);
        TrainingProgress back = TrainingProgress.fromJson(p.toJson());
        assertThat(back.nextOffsets()).isEqualTo(p.nextOffsets());
        assertThat(back.watermarkMs()).isEqualTo(p.watermarkMs());

        assertThatThrownBy(() -> TrainingProgress.fromJson("{\"v\":2,\"offsets\":{}}"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining("supports 1");
        assertThatThrownBy(
                        () ->
                                TrainingProgress.fromJson(
                                        "{\"v\":1,\"offsets\":{\"0\":1},\"eventTimes\":{}}"))
                .isInstanceOf(IOException.class);
    }
}
