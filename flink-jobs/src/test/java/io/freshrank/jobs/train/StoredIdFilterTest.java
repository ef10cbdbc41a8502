package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StoredIdFilterTest {
    @Test
    void everyAddedIdIsFoundAcrossStagesAndFewOthersAre() {
        StoredIdFilter f = StoredIdFilter.withCapacity(10_000);
        SplittableRandom r = new SplittableRandom(1);
        long[] added = new long[200_000];
        for (int i = 0; i < added.length; i++) {
            added[i] = r.nextLong();
            f.add(added[i]);
        }
        assertThat(f.stages()).as("stages after 20x the first stage's capacity").isGreaterThan(1);
        for (long id : added) {
            assertThat(f.mightContain(id)).as("added id %s", id).isTrue();
        }
        int falsePositives = 0;
        int probes = 200_000;
        for (int i = 0; i < probes; i++) {
            if (f.mightContain(r.nextLong())) {
                falsePositives++;
            }
        }
        // About 1% in the first stage, each later stage about a third of the one before.
        assertThat(falsePositives / (double) probes).as("false-positive rate").isLessThan(0.02);
    }

    @Test
    void aSingleStageAtCapacityAnswersMaybeForAboutOnePercentOfOtherIds() {
        StoredIdFilter f = StoredIdFilter.withCapacity(100_000);
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 100_000; i++) {
            f.add(r.nextLong());
        }
        assertThat(f.stages()).isEqualTo(1);
        int falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            if (f.mightContain(r.nextLong())) {
                falsePositives++;
            }
        }
        assertThat(falsePositives).as("false positives in 100k").isBetween(1, 2_500);
    }

    @Test
    void sequentialIdsAreSpreadLikeRandomOnes() {
        // Feature ids of one slot share their top bits; the filter must not depend on low entropy.
        StoredIdFilter f = StoredIdFilter.withCapacity(50_000);
        for (long id = 0; id < 50_000; id++) {
            f.add((7L << 56) | id);
        }
        int falsePositives = 0;
        for (long id = 50_000; id < 150_000; id++) {
            if (f.mightContain((7L << 56) | id)) {
                falsePositives++;
            }
        }
        assertThat(falsePositives).as("false positives in 100k").isLessThan(2_500);
    }

    @Test
    void addingTheSameIdsAgainDoesNotGrowTheFilter() {
        StoredIdFilter f = StoredIdFilter.withCapacity(1_000);
        for (int round = 0; round < 50; round++) {
            for (long id = 0; id < 900; id++) {
                f.add(id * 0x9E3779B97F4A7C15L);
            }
        }
        assertThat(f.stages()).isEqualTo(1);
        assertThat(f.size()).isLessThanOrEqualTo(900);
        long bytes = f.bytes();
        assertThat(bytes)
                .as("bytes for 1,000 ids at 10 bits each, rounded up")
                .isBetween(1_250L, 4_096L);
    }
}
