package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CountMinSketchTest {

    /** A skewed stream: {@code n} adds over {@code distinct} random ids, counts 1..3. */
    private static Map<Long, Integer> stream(
            long seed, int distinct, int n, CountMinSketch... sketches) {
        Random rnd = new Random(seed);
        long[] ids = new long[distinct];
        for (int i = 0; i < distinct; i++) {
            ids[i] = rnd.nextLong();
        }
        Map<Long, Integer> exact = new HashMap<>();
        for (int i = 0; i < n; i++) {
            // squaring a uniform skews towards low ranks
            double u = rnd.nextDouble();
            long id = ids[(int) (u * u * distinct)];
            int count = 1 + rnd.nextInt(3);
            exact.merge(id, count, Integer::sum);
            for (CountMinSketch s : sketches) {
                int estimate = s.add(id, count);
                assertThat(estimate).isEqualTo(s.estimate(id));
            }
        }
        return exact;
    }

    private static long total(Map<Long, Integer> exact) {
        return exact.values().stream().mapToLong(Integer::longValue).sum();
    }

    @Test
    void neverUnderestimates() {
        CountMinSketch sketch = new CountMinSketch(1024, 4, 7L);
        Map<Long, Integer> exact = stream(1L, 20_000, 200_000, sketch);
        for (Map.Entry<Long, Integer> e : exact.entrySet()) {
            assertThat(sketch.estimate(e.getKey()))
                    .as("id %d", e.getKey())
                    .isGreaterThanOrEqualTo(e.getValue());
        }
    }

    @Test
    void overestimateIsWithinTheCountMinBound() {
        int width = 1 << 16;
        int depth = 4;
        CountMinSketch sketch = new CountMinSketch(width, depth, 11L);
        Random rnd = new Random(12L);
        Map<Long, Integer> exact = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            long id = rnd.nextLong();
            int count = 1 + rnd.nextInt(10);
            exact.merge(id, count, Integer::sum);
            sketch.add(id, count);
        }
        long n = total(exact);
        double bound = Math.E * n / width;
        long errorSum = 0;
        int beyond = 0;
        int maxError = 0;
        for (Map.Entry<Long, Integer> e : exact.entrySet()) {
            int error = sketch.estimate(e.getKey()) - e.getValue();
            assertThat(error).isNotNegative();
            errorSum += error;
            maxError = Math.max(maxError, error);
            beyond += error > bound ? 1 : 0;
        }
        double mean = (double) errorSum / exact.size();
        System.out.printf(
                "CountMinSketch %dx%d, N=%d over %d ids: mean error %.4f, max %d, e*N/w = %.1f,"
                        + " beyond it: %d%n",
                width, depth, n, exact.size(), mean, maxError, bound, beyond);
        assertThat(mean).isLessThanOrEqualTo(bound / 4);
        // the bound may fail with probability e^-depth = 1.8% per id
        assertThat((double) beyond / exact.size()).isLessThanOrEqualTo(Math.exp(-depth));
    }

    @Test
    void conservativeUpdateIsNeverWorseThanPlain() {
        CountMinSketch conservative = new CountMinSketch(2048, 3, 21L);
        CountMinSketch plain = new CountMinSketch(2048, 3, 21L);
        Random rnd = new Random(22L);
        Map<Long, Integer> exact = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            long id = rnd.nextInt(30_000);
            int count = 1 + rnd.nextInt(4);
            exact.merge(id, count, Integer::sum);
            conservative.add(id, count);
            plain.addPlain(id, count);
        }
        long conservativeError = 0;
        long plainError = 0;
        for (Map.Entry<Long, Integer> e : exact.entrySet()) {
            int c = conservative.estimate(e.getKey());
            int p = plain.estimate(e.getKey());
            assertThat(c).as("id %d", e.getKey()).isBetween(e.getValue(), p);
            conservativeError += c - e.getValue();
            plainError += p - e.getValue();
        }
        System.out.printf(
                "CountMinSketch 2048x3, %d ids: mean error conservative %.2f, plain %.2f%n",
                exact.size(),
                (double) conservativeError / exact.size(),
                (double) plainError / exact.size());
        assertThat(conservativeError).isLessThan(plainError);
    }

    @Test
    void halvingHalvesEveryEstimate() {
        CountMinSketch sketch = new CountMinSketch(256, 3, 31L);
        Map<Long, Integer> exact = stream(32L, 2_000, 20_000, sketch);
        Map<Long, Integer> before = new HashMap<>();
        exact.keySet().forEach(id -> before.put(id, sketch.estimate(id)));
        sketch.halve();
        before.forEach((id, est) -> assertThat(sketch.estimate(id)).isEqualTo(est >>> 1));
        for (int i = 0; i < 40; i++) {
            sketch.halve();
        }
        exact.keySet().forEach(id -> assertThat(sketch.estimate(id)).isZero());
        assertThat(sketch.add(5L, 1)).isEqualTo(1);
    }

    @Test
    void countersSaturate() {
        CountMinSketch sketch = new CountMinSketch(8, 2, 1L);
        assertThat(sketch.add(1L, Integer.MAX_VALUE - 1)).isEqualTo(Integer.MAX_VALUE - 1);
        assertThat(sketch.add(1L, 5)).isEqualTo(Integer.MAX_VALUE);
        assertThat(sketch.addPlain(1L, 5)).isEqualTo(Integer.MAX_VALUE);
        assertThat(sketch.add(1L, 0)).isEqualTo(Integer.MAX_VALUE);
        CountMinSketch other = new CountMinSketch(8, 2, 1L);
        other.add(1L, 10);
        sketch.merge(other);
        assertThat(sketch.estimate(1L)).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> sketch.add(1L, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count must be >= 0");
    }

    @Test
    void mergeOfPlainSketchesEqualsTheSketchOfTheUnionStream() {
        CountMinSketch a = new CountMinSketch(512, 4, 41L);
        CountMinSketch b = new CountMinSketch(512, 4, 41L);
        CountMinSketch union = new CountMinSketch(512, 4, 41L);
        Random rnd = new Random(42L);
        for (int i = 0; i < 50_000; i++) {
            long id = rnd.nextInt(5_000);
            int count = 1 + rnd.nextInt(3);
            (rnd.nextBoolean() ? a : b).addPlain(id, count);
            union.addPlain(id, count);
        }
        a.merge(b);
        assertThat(a.toBytes()).isEqualTo(union.toBytes());
    }

    @Test
    void mergeOfConservativeSketchesIsBetweenTruthAndThePlainUnion() {
        CountMinSketch a = new CountMinSketch(512, 4, 43L);
        CountMinSketch b = new CountMinSketch(512, 4, 43L);
        CountMinSketch plainUnion = new CountMinSketch(512, 4, 43L);
        Random rnd = new Random(44L);
        Map<Long, Integer> exact = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            long id = rnd.nextInt(5_000);
            int count = 1 + rnd.nextInt(3);
            (rnd.nextBoolean() ? a : b).add(id, count);
            plainUnion.addPlain(id, count);
            exact.merge(id, count, Integer::sum);
        }
        a.merge(b);
        exact.forEach(
                (id, count) ->
                        assertThat(a.estimate(id))
                                .as("id %d", id)
                                .isBetween(count, plainUnion.estimate(id)));
    }

    @Test
    void mergeRequiresTheSameShapeAndSeed() {
        CountMinSketch s = new CountMinSketch(64, 2, 1L);
        assertThatThrownBy(() -> s.merge(new CountMinSketch(64, 2, 2L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seed 2 into one of width 64, depth 2, seed 1");
        assertThatThrownBy(() -> s.merge(new CountMinSketch(32, 2, 1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width 32");
        assertThatThrownBy(() -> s.merge(new CountMinSketch(64, 3, 1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("depth 3");
    }

    @Test
    void roundTripsThroughBytes() {
        CountMinSketch sketch = new CountMinSketch(1000, 5, -99L);
        Map<Long, Integer> exact = stream(51L, 3_000, 30_000, sketch);
        byte[] bytes = sketch.toBytes();
        assertThat(bytes).hasSize(CountMinSketch.HEADER_BYTES + 4 * 1000 * 5);
        assertThat(Arrays.copyOf(bytes, 4)).containsExactly('F', 'R', 'S', 1);

        CountMinSketch back = CountMinSketch.fromBytes(bytes);
        assertThat(back.width()).isEqualTo(1000);
        assertThat(back.depth()).isEqualTo(5);
        assertThat(back.seed()).isEqualTo(-99L);
        assertThat(back.toBytes()).isEqualTo(bytes);
        exact.keySet().forEach(id -> assertThat(back.estimate(id)).isEqualTo(sketch.estimate(id)));
        // the restored sketch keeps counting with the same hashes
        assertThat(back.add(12345L, 3)).isEqualTo(sketch.add(12345L, 3));
    }

    /**
     * Version 1 pinned byte for byte: the hash functions are part of the format, so a sketch
     * written by an older build must keep answering the same estimates.
     */
    @Test
    void readsTheVersion1GoldenBytes() {
        CountMinSketch sketch = new CountMinSketch(4, 2, 42L);
        sketch.add(1L, 3);
        sketch.add(2L, 1);
        sketch.add(-5L, 2);
        String golden = GOLDEN_V1;
        assertThat(HexFormat.of().formatHex(sketch.toBytes())).isEqualTo(golden);
        CountMinSketch back = CountMinSketch.fromBytes(HexFormat.of().parseHex(golden));
        assertThat(back.estimate(1L)).isEqualTo(sketch.estimate(1L)).isGreaterThanOrEqualTo(3);
        assertThat(back.estimate(2L)).isEqualTo(sketch.estimate(2L)).isGreaterThanOrEqualTo(1);
        assertThat(back.estimate(-5L)).isEqualTo(sketch.estimate(-5L)).isGreaterThanOrEqualTo(2);
    }

    /**
     * Header (width 4, depth 2, seed 42), then rows {@code [2, 0, 1, 3]} and {@code [1, 0, 3, 0]}:
     * id 1 -> columns 3, 2; id 2 -> 2, 0; id -5 -> 0, 2 (conservative update leaves row 1's shared
     * counter at 3).
     */
    private static final String GOLDEN_V1 =
            "465253010000000400000002000000000000002a"
                    + "00000002000000000000000100000003"
                    + "00000001000000000000000300000000";

    @Test
    void rejectsMalformedBytesWithAClearMessage() {
        byte[] ok = new CountMinSketch(16, 2, 3L).toBytes();

        byte[] badMagic = ok.clone();
        badMagic[1] = 'X';
        assertThatThrownBy(() -> CountMinSketch.fromBytes(badMagic))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a count-min sketch")
                .hasMessageContaining("0x465853");

        byte[] future = ok.clone();
        future[3] = 2;
        assertThatThrownBy(() -> CountMinSketch.fromBytes(future))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining("supports version 1");
        byte[] unsignedVersion = ok.clone();
        unsignedVersion[3] = (byte) 200;
        assertThatThrownBy(() -> CountMinSketch.fromBytes(unsignedVersion))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 200");

        for (int length : new int[] {0, 3, 4, CountMinSketch.HEADER_BYTES - 1, ok.length - 1}) {
            assertThatThrownBy(() -> CountMinSketch.fromBytes(Arrays.copyOf(ok, length)))
                    .as("length %d", length)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("truncated count-min sketch");
        }
        assertThatThrownBy(() -> CountMinSketch.fromBytes(Arrays.copyOf(ok, ok.length + 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oversized");

        byte[] zeroWidth = ok.clone();
        Arrays.fill(zeroWidth, 4, 8, (byte) 0);
        assertThatThrownBy(() -> CountMinSketch.fromBytes(zeroWidth))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt count-min sketch header: width 0");

        byte[] negative = ok.clone();
        negative[CountMinSketch.HEADER_BYTES] = (byte) 0x80;
        assertThatThrownBy(() -> CountMinSketch.fromBytes(negative))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("counter 0 is negative");
    }

    @Test
    void validatesParametersAndSizesByBytes() {
        assertThatThrownBy(() -> new CountMinSketch(0, 4, 1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sketch width must be >= 1, got 0");
        assertThatThrownBy(() -> new CountMinSketch(16, 0, 1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sketch depth must be >= 1, got 0");
        assertThatThrownBy(() -> new CountMinSketch(Integer.MAX_VALUE, 4, 1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower width or depth");
        assertThatThrownBy(() -> CountMinSketch.withMaxBytes(15, 4, 1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytes 15");

        CountMinSketch sketch = CountMinSketch.withMaxBytes(1 << 20, 4, 1L);
        assertThat(sketch.width()).isEqualTo(1 << 16);
        assertThat(sketch.bytes()).isEqualTo(1 << 20);
        assertThat(CountMinSketch.withMaxBytes(1_000_001, 3, 1L).bytes())
                .isLessThanOrEqualTo(1_000_001)
                .isGreaterThan(1_000_001 - 12);
    }

    @Test
    void seedsChangeTheHashes() {
        CountMinSketch a = new CountMinSketch(1024, 2, 1L);
        CountMinSketch b = new CountMinSketch(1024, 2, 2L);
        for (long id = 0; id < 100; id++) {
            a.add(id, 1);
            b.add(id, 1);
        }
        byte[] ca = a.toBytes();
        byte[] cb = b.toBytes();
        assertThat(Arrays.copyOfRange(ca, CountMinSketch.HEADER_BYTES, ca.length))
                .isNotEqualTo(Arrays.copyOfRange(cb, CountMinSketch.HEADER_BYTES, cb.length));
    }
}
