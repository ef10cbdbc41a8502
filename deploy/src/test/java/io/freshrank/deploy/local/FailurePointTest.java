package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailurePointTest {

    @Test
    void failsOnlyAfterEnoughCheckpointsAndTheDelayAfterTheLatestOne() {
        FailurePoint p = new FailurePoint(2, 500);
        assertThat(p.due(0, 1)).isFalse();
        assertThat(p.due(900, 1)).as("one checkpoint is not enough").isFalse();
        assertThat(p.due(1_000, 2)).as("a new checkpoint: the delay starts").isFalse();
        assertThat(p.due(1_400, 2)).isFalse();
        assertThat(p.due(1_600, 3)).as("another one restarts the delay").isFalse();
        assertThat(p.due(2_099, 3)).isFalse();
        assertThat(p.due(2_100, 3)).isTrue();
    }
}
