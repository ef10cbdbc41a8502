package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Memory per row and hit rate of {@link RowCache} at production sizes (no timing). */
class RowCacheSizingTest {
    private static final RowCache.EvictionSink DISCARD =
            (id, data, offset, width, count, lastUpdate) -> {};

    /** Bytes of one training entry stored as raw fields: id, width floats, count, last update. */
    private static long rawBytes(int width) {
        return 8 + 4L * width + 16;
    }

    @Test
    void heapBytesPerRowAreCloseToTheRawEntryBytes() {
        // dim-16 row (bias + 16 factors = 17 floats) plus its Adagrad accumulator; and dim 8.
        for (int width : new int[] {17 * 2, 9 * 2}) {
            RowCache cache = new RowCache(1 << 20, width);
            double perRow = (double) cache.heapBytes() / cache.capacity();
            double ratio = perRow / rawBytes(width);
            System.out.printf(
                    "RowCache width %d, capacity %d: %d heap bytes = %.2f bytes/row, raw %d,"
                            + " ratio %.3f, bytesPerRow() bound %d%n",
                    width,
                    cache.capacity(),
                    cache.heapBytes(),
                    perRow,
                    rawBytes(width),
                    ratio,
                    RowCache.bytesPerRow(width));
            assertThat(ratio).as("width %d", width).isLessThanOrEqualTo(1.5);
            assertThat((double) RowCache.bytesPerRow(width))
                    .as("bytesPerRow(%d) is an upper bound", width)
                    .isGreaterThanOrEqualTo(perRow)
                    .isLessThanOrEqualTo(1.5 * rawBytes(width));
        }
    }

    @Test
    void withMaxBytesFillsButDoesNotExceedTheBudget() {
        for (long budget : new long[] {1_000, 65_536, 10_000_000, 123_456_789}) {
            for (int width : new int[] {1, 18, 34}) {
                RowCache cache = RowCache.withMaxBytes(budget, width);
                assertThat(cache.heapBytes())
                        .as("budget %d width %d", budget, width)
                        .isLessThanOrEqualTo(budget);
                assertThat(cache.capacity())
                        .as("budget %d width %d: at least budget / bytesPerRow", budget, width)
                        .isGreaterThanOrEqualTo(
                                (int) ((budget - 200) / RowCache.bytesPerRow(width)));
            }
        }
    }

    /**
     * A Zipf(1.1) stream over 1M ids with room for 10% of them. The best static cache (the top 100k
     * ids) would hit ~0.92 of the time; CLOCK approximates LRU.
     */
    @Test
    void hitRateOnAZipfStream() throws Exception {
        int ids = 1_000_000;
        int requests = 3_000_000;
        long seed = 0x21bf_0011L;
        double[] cdf = zipfCdf(ids, 1.1);
        Random rnd = new Random(seed);
        RowCache cache = new RowCache(ids / 10, 2);
        long warmHits = 0;
        long warmLookups = 0;
        for (int r = 0; r < requests; r++) {
            int rank = sample(cdf, rnd);
            long id = rank * 0x9e3779b97f4a7c15L; // spread ranks over the id space
            int slot = cache.find(id);
            boolean hit = slot >= 0;
            if (!hit) {
                slot = cache.insert(id, DISCARD);
            }
            if (rnd.nextBoolean()) {
                cache.markDirty(slot);
            }
            if (r >= requests / 3) {
                warmLookups++;
                warmHits += hit ? 1 : 0;
            }
        }
        double warm = (double) warmHits / warmLookups;
        System.out.printf(
                "RowCache Zipf(1.1) over %d ids, capacity %d, %d requests (seed %d): hit rate"
                        + " %.4f overall, %.4f after the first third; %s%n",
                ids, cache.capacity(), requests, seed, cache.hitRate(), warm, cache);
        assertThat(cache.hitRate()).isGreaterThan(0.5);
        assertThat(warm).isGreaterThan(0.5);
    }

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int k = 1; k <= n; k++) {
            sum += Math.pow(k, -s);
            cdf[k - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    /** A rank in [0, n) by inverse transform. */
    private static int sample(double[] cdf, Random rnd) {
        int i = Arrays.binarySearch(cdf, rnd.nextDouble());
        return Math.min(i >= 0 ? i : -i - 1, cdf.length - 1);
    }
}
