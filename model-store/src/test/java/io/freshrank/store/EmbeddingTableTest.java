package io.freshrank.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    /** Random puts and removes on colliding keys (long probe runs) against a HashMap. */
    @ParameterizedTest
    @EnumSource(RowPrecision.class)
    void removeKeepsEveryOtherRowFindable(RowPrecision precision) {
        SplittableRandom rnd = new SplittableRandom(7);
        EmbeddingTable table = new EmbeddingTable(3, 4, precision);
        Map<Long, float[]> expected = new HashMap<>();
        for (int i = 0; i < 60_000; i++) {
            // few distinct keys, many sharing high bits: dense clusters, shifts across wrap-around
            long id = rnd.nextInt(4000) * 0x0100_0000_0000_0001L + (rnd.nextBoolean() ? 0 : -1);
            if (rnd.nextInt(3) == 0) {
                assertThat(table.remove(id))
                        .as("remove %d", id)
                        .isEqualTo(expected.remove(id) != null);
            } else {
                float[] r = {HalfFloat.round(i), HalfFloat.round(-i * 0.25f), 0.5f};
                table.put(id, r);
                expected.put(id, r);
            }
            if (i % 10_000 == 0) {
                assertSame(table, expected);
            }
        }
        assertSame(table, expected);
        for (long id : expected.keySet().toArray(new Long[0])) {
            assertThat(table.remove(id)).isTrue();
            expected.remove(id);
        }
        assertThat(table.size()).isZero();
        assertThat(table.row(0)).isNull();
    }

    private static void assertSame(EmbeddingTable table, Map<Long, float[]> expected) {
        assertThat(table.size()).isEqualTo(expected.size());
        expected.forEach(
                (id, r) -> {
                    assertThat(table.contains(id)).isTrue();
                    assertThat(table.row(id)).as("id %d", id).containsExactly(r);
                });
        Map<Long, float[]> visited = new HashMap<>();
        table.forEach((id, r) -> visited.put(id, r.clone()));
        assertThat(visited).containsOnlyKeys(expected.keySet());
        Set<Long> ids = new HashSet<>();
        table.forEachId(ids::add);
        assertThat(ids).isEqualTo(expected.keySet());
    }

    @Test
    void float16TablesKeepRowsRoundedToHalfPrecision() {
        EmbeddingTable table = new EmbeddingTable(4, 10, RowPrecision.FLOAT16);
        float[] row = {0.1f, -1.0f / 3, 1e-6f, 1234.567f};
        assertThat(table.put(7, row)).isNull();
        float[] got = table.row(7);
        for (int i = 0; i < row.length; i++) {
            assertThat(got[i]).isEqualTo(HalfFloat.round(row[i]));
        }
        assertThat(table.put(7, new float[] {1, 2, 3, 4})).containsExactly(got);
        assertThat(table.row(7)).containsExactly(1, 2, 3, 4);
        assertThat(table.row(8)).isNull();
        assertThat(table.precision()).isEqualTo(RowPrecision.FLOAT16);
        assertThatThrownBy(() -> table.put(9, new float[] {0, 0, 70_000f, 0}))
                .hasMessageContaining("feature id 9")
                .hasMessageContaining("index 2")
                .hasMessageContaining("FLOAT16 range");
        assertThat(table.contains(9)).isFalse();
    }

    /**
     * The lookup buffer of a FLOAT16 table belongs to the calling thread: the scorer consumes a row
     * before the next lookup, and threads never see each other's rows.
     */
    @Test
    void float16LookupsUseOneBufferPerThread() throws Exception {
        EmbeddingTable table = new EmbeddingTable(2, 10, RowPrecision.FLOAT16);
        table.put(1, new float[] {1, 1});
        table.put(2, new float[] {2, 2});
        float[] first = table.row(1);
        assertThat(table.row(2)).isSameAs(first).containsExactly(2, 2);
        float[][] other = new float[1][];
        Thread t = new Thread(() -> other[0] = table.row(1));
        t.start();
        t.join();
        assertThat(other[0]).isNotSameAs(first).containsExactly(1, 1);
    }

    @ParameterizedTest
    @EnumSource(RowPrecision.class)
    void copiesAreIndependent(RowPrecision precision) {
        EmbeddingTable table = new EmbeddingTable(2, 10, precision);
        for (int i = 0; i < 100; i++) {
            table.put(i, new float[] {i, -i});
        }
        EmbeddingTable copy = table.copy();
        copy.remove(3);
        copy.put(4, new float[] {40, 40});
        copy.put(1000, new float[] {1, 1});
        assertThat(table.size()).isEqualTo(100);
        assertThat(table.row(3)).containsExactly(3, -3);
        assertThat(table.row(4)).containsExactly(4, -4);
        assertThat(table.row(1000)).isNull();
        assertThat(copy.size()).isEqualTo(100);
        assertThat(copy.row(3)).isNull();
        assertThat(copy.row(4)).containsExactly(40, 40);
        assertThat(copy.precision()).isEqualTo(precision);
    }

    /** The memory a served table of 100k rows of dim 8 and dim 32 takes in both precisions. */
    @Test
    void float16RowsTakeAFractionOfTheMemory() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int width : new int[] {9, 33}) {
            int n = 100_000;
            EmbeddingTable f32 = new EmbeddingTable(width, n, RowPrecision.FLOAT32);
            EmbeddingTable f16 = new EmbeddingTable(width, n, RowPrecision.FLOAT16);
            for (int i = 0; i < n; i++) {
                float[] r = new float[width];
                for (int c = 0; c < width; c++) {
                    r[c] = (float) rnd.nextGaussian();
                }
                long id = rnd.nextLong();
                f32.put(id, r);
                f16.put(id, r);
            }
            long a = f32.approximateBytes();
            long b = f16.approximateBytes();
            System.out.printf(
                    "rows of width %d: FLOAT32 %d bytes (%.1f per row), FLOAT16 %d bytes (%.1f per"
                            + " row), ratio %.2f%n",
                    width, a, (double) a / n, b, (double) b / n, (double) b / a);
            // slots: 2^18 * 12 bytes in both; rows: 16 + 4w (aligned) vs 2w bytes (measured
            // 0.60 and 0.58 of the FLOAT32 footprint)
            assertThat((double) b / a).isLessThan(0.65);
        }
    }
}
