package io.freshrank.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    }
}
