package io.freshrank.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.store.RowPrecision;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RankingServerMainTest {
    @Test
    void startsOnTheGivenStoreAndOptions(@TempDir Path store) throws Exception {
        try (RankingServer server =
                RankingServerMain.start(
                        new String[] {
                            "--store", store.toString(), "--port", "0", "--poll-ms", "50"
                        })) {
            assertThat(server.uri().toString()).startsWith("http://127.0.0.1:");
            assertThat(server.puller().store().root()).isEqualTo(store.toAbsolutePath());
            assertThat(server.puller().config().precision()).isEqualTo(RowPrecision.FLOAT32);
        }
        try (RankingServer server =
                RankingServerMain.start(
                        new String[] {
                            "--store",
                            store.toString(),
                            "--fp16",
                            "true",
                            "--max-overlay-depth",
                            "2"
                        })) {
            assertThat(server.puller().config().precision()).isEqualTo(RowPrecision.FLOAT16);
            assertThat(server.puller().config().maxOverlayDepth()).isEqualTo(2);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> RankingServerMain.start(new String[] {"--port", "0"}))
                .hasMessageContaining("--store");
        assertThatThrownBy(() -> RankingServerMain.start(new String[] {"--store"}))
                .hasMessageContaining("--store needs a value");
        assertThatThrownBy(() -> RankingServerMain.start(new String[] {"--frobnicate", "1"}))
                .hasMessageContaining("unknown option --frobnicate");
        assertThatThrownBy(
                        () ->
                                RankingServerMain.start(
                                        new String[] {"--store", "x", "--port", "eighty"}))
                .hasMessageContaining("--port needs a number");
        assertThatThrownBy(
                        () ->
                                RankingServerMain.start(
                                        new String[] {"--store", "x", "--poll-ms", "0"}))
                .hasMessageContaining(RankingServerConfig.POLL_INTERVAL_KEY);
        assertThatThrownBy(
                        () ->
                                RankingServerMain.start(
                                        new String[] {"--store", "x", "--fp16", "yes"}))
                .hasMessageContaining("--fp16 needs true or false");
        assertThatThrownBy(
                        () ->
                                RankingServerMain.start(
                                        new String[] {"--store", "x", "--max-overlay-depth", "-1"}))
                .hasMessageContaining(RankingServerConfig.MAX_OVERLAY_DEPTH_KEY);
    }
}
