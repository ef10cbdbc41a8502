package io.freshrank.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmbeddingTableTest {
    @Test
    void behavesLikeAHashMapThroughGrowth() {
        SplittableRandom rnd = new SplittableRandom(42);
        EmbeddingTable table = new EmbeddingTable(3, 1);
        Map<Long, float[]> expected = new HashMap<>();
        long[] special = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 56};
        for (long id : special) {
            float[] r = {id, 1, 2};
            assertThat(table.put(id, r)).isNull();
            expected.put(id, r);
        }
        for (int i = 0; i < 50_000; i++) {
            // a small key range forces replacements as well as inserts
            long id = rnd.nextInt(30_000) * 0x0100_0000_0000_0001L;
            float[] r = {i, -i, 0.5f};
            float[] prev = table.put(id, r);
            assertThat(prev).isSameAs(expected.put(id, r));
        }
        assertThat(table.size()).isEqualTo(expected.size());
        expected.forEach((id, r) -> assertThat(table.row(id)).as("id %d", id).isSameAs(r));
        for (int i = 0; i < 1000; i++) {
            long id = rnd.nextLong();
            if (!expected.containsKey(id)) {
                assertThat(table.row(id)).isNull();
            }
        }
        Map<Long, float[]> visited = new HashMap<>();
        table.forEach(visited::put);
        assertThat(visited).isEqualTo(expected);
    }

    @Test
    void approximateBytesCountsRowsAndSlots() {
        EmbeddingTable table = new EmbeddingTable(9, 1000);
        long empty = table.approximateBytes();
        for (int i = 0; i < 1000; i++) {
            table.put(i, new float[9]);
        }
        // 1000 rows of 16 + 40 bytes, no resize (sized for 1000)
        assertThat(table.approximateBytes() - empty).isEqualTo(1000L * 56);
        assertThat(table.rowWidth()).isEqualTo(9);
    }

    @Test
    void rejectsRowsOfTheWrongWidth() {
        EmbeddingTable table = new EmbeddingTable(3, 10);
        assertThatThrownBy(() -> table.put(1, new float[2])).hasMessageContaining("must have 3");
        assertThatThrownBy(() -> table.put(1, null)).hasMessageContaining("must have 3");
    }
}
