package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongHashSetTest {

    @Test
    void behavesLikeAHashSetUnderRandomAddsAndRemoves() {
        SplittableRandom rnd = new SplittableRandom(42);
        LongHashSet set = new LongHashSet(4);
        Set<Long> reference = new HashSet<>();
        for (int step = 0; step < 200_000; step++) {
            // A small universe (with 0 and negatives) forces long probe runs, collisions and
            // deletions in the middle of runs.
            long v = rnd.nextInt(2_000) - 1_000;
            if (rnd.nextInt(3) == 0) {
                assertThat(set.remove(v)).isEqualTo(reference.remove(v));
            } else {
                assertThat(set.add(v)).isEqualTo(reference.add(v));
            }
            if (step % 997 == 0) {
                long probe = rnd.nextInt(2_000) - 1_000;
                assertThat(set.contains(probe)).isEqualTo(reference.contains(probe));
            }
        }
        assertThat(set.size()).isEqualTo(reference.size());
        assertThat(Arrays.stream(set.toArray()).boxed().toList())
                .containsExactlyInAnyOrderElementsOf(reference);
        for (long v = -1_000; v < 1_000; v++) {
            assertThat(set.contains(v)).as("contains %d", v).isEqualTo(reference.contains(v));
        }
    }

    @Test
    void holdsFeatureIdsWithSharedHighBits() {
        // Feature ids put the slot in the top byte: many ids differ only in low bits.
        LongHashSet set = new LongHashSet();
        for (long i = 0; i < 100_000; i++) {
            set.add((7L << 56) | i * 64);
        }
        assertThat(set.size()).isEqualTo(100_000);
        assertThat(set.contains((7L << 56) | 64 * 99_999L)).isTrue();
        assertThat(set.contains((7L << 56) | 1)).isFalse();
    }

    @Test
    void clearEmptiesAndZeroIsAnElement() {
        LongHashSet set = new LongHashSet();
        assertThat(set.add(0)).isTrue();
        assertThat(set.add(0)).isFalse();
        set.add(5);
        assertThat(set.toArray()).containsExactlyInAnyOrder(0L, 5L);
        set.clear();
        assertThat(set.isEmpty()).isTrue();
        assertThat(set.contains(0)).isFalse();
        assertThat(set.contains(5)).isFalse();
        assertThat(set.remove(5)).isFalse();
    }
}
