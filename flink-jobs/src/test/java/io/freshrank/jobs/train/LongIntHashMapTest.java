package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongIntHashMapTest {

    @Test
    void agreesWithAHashMapAndKeepsTheFirstValue() {
        SplittableRandom rnd = new SplittableRandom(3);
        LongIntHashMap map = new LongIntHashMap(2);
        Map<Long, Integer> reference = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            long key = rnd.nextInt(20_000) - 10_000L;
            int value = rnd.nextInt(1 << 20);
            assertThat(map.putIfAbsent(key, value))
                    .isEqualTo(reference.putIfAbsent(key, value) == null);
        }
        assertThat(map.size()).isEqualTo(reference.size());
        for (long key = -10_000; key < 10_000; key++) {
            assertThat(map.get(key)).as("key %d", key).isEqualTo(reference.getOrDefault(key, -1));
        }
    }

    @Test
    void rejectsNegativeValues() {
        assertThatThrownBy(() -> new LongIntHashMap(4).putIfAbsent(1, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
