package io.freshrank.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfFloatTest {
    private static String hex(short h) {
        return String.format("0x%04x", h & 0xffff);
    }

    private static boolean isNaN(int h) {
        return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
    }

    @Test
    void everyHalfRoundTripsExactly() {
        List<String> wrong = new ArrayList<>();
        for (int h = 0; h < 65536; h++) {
            float f = HalfFloat.toFloat((short) h);
            short back = HalfFloat.fromFloat(f);
            if ((back & 0xffff) != h || Float.isNaN(f) != isNaN(h)) {
                wrong.add(hex((short) h) + " -> " + f + " -> " + hex(back));
            }
        }
        assertThat(wrong).as("halves that do not round-trip").isEmpty();
    }

    @Test
    void knownValues() {
        float[] floats = {
            0f,
            -0f,
            1f,
            -2f,
            0.5f,
            65504f,
            65519.996f,
            65520f,
            1e6f,
            -1e6f,
            0x1p-14f,
            0x1p-24f,
            0x1p-25f,
            Math.nextUp(0x1p-25f),
            0x1.8p-25f,
            0x1p-26f,
            1f / 3,
            0.1f,
            2049f,
            2051f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            Float.MAX_VALUE,
            0x1.ffcp-15f
        };
        int[] halves = {
            0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x7bff, 0x7c00, 0x7c00, 0xfc00,
            0x0400, 0x0001, 0x0000, 0x0001, 0x0001, 0x0000, 0x3555, 0x2e66, 0x6800, 0x6802,
            0x7c00, 0xfc00, 0x0000, 0x7c00, 0x0400
        };
        for (int i = 0; i < floats.length; i++) {
            assertThat(HalfFloat.fromFloat(floats[i]) & 0xffff)
                    .as("%s (%s)", floats[i], Float.toHexString(floats[i]))
                    .isEqualTo(halves[i]);
        }
        assertThat(HalfFloat.toFloat((short) 0x7bff)).isEqualTo(HalfFloat.MAX_VALUE);
        assertThat(HalfFloat.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloat.toFloat((short) 0x3555)).isEqualTo(0.333251953125f);
        assertThat(HalfFloat.toFloat((short) 0x8000)).isEqualTo(-0f);
        assertThat(Float.floatToRawIntBits(HalfFloat.toFloat((short) 0x8000)))
                .isEqualTo(0x80000000);
        assertThat(Float.isNaN(HalfFloat.toFloat(HalfFloat.fromFloat(Float.NaN)))).isTrue();
        // a NaN whose payload sits below half precision stays a NaN
        float lowPayloadNaN = Float.intBitsToFloat(0x7f800001);
        assertThat(Float.isNaN(HalfFloat.toFloat(HalfFloat.fromFloat(lowPayloadNaN)))).isTrue();
    }

    /**
     * Every pair of adjacent finite non-negative halves: the exact midpoint rounds to the even one,
     * the floats right above and below it to the nearer one (both signs).
     */
    @Test
    void midpointsRoundToEvenAndEverythingElseToNearest() {
        List<String> wrong = new ArrayList<>();
        for (int h = 0; h < 0x7bff; h++) {
            float lo = HalfFloat.toFloat((short) h);
            float hi = HalfFloat.toFloat((short) (h + 1));
            float mid = (float) (((double) lo + hi) / 2); // exact: needs 12 significant bits
            int even = (h & 1) == 0 ? h : h + 1;
            check(wrong, mid, even);
            check(wrong, Math.nextDown(mid), h);
            check(wrong, Math.nextUp(mid), h + 1);
            check(wrong, -mid, even | 0x8000);
            check(wrong, -Math.nextUp(mid), (h + 1) | 0x8000);
            if ((double) mid != ((double) lo + hi) / 2) {
                wrong.add("midpoint of " + hex((short) h) + " is not a float");
            }
        }
        assertThat(wrong).as("floats near midpoints that round wrongly").isEmpty();
    }

    private static void check(List<String> wrong, float f, int expected) {
        short got = HalfFloat.fromFloat(f);
        if ((got & 0xffff) != expected) {
            wrong.add(
                    f
                            + " ("
                            + Float.toHexString(f)
                            + ") -> "
                            + hex(got)
                            + ", expected "
                            + hex((short) expected));
        }
    }

    /** Random floats of every magnitude against a reference that rounds with BigDecimal. */
    @Test
    void randomFloatsMatchAnExactReference() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] halves = new float[0x7c00];
        for (int h = 0; h < halves.length; h++) {
            halves[h] = HalfFloat.toFloat((short) h);
        }
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            // exponents from 2^-30 to 2^17 so that underflow, subnormals and overflow all occur
            float f =
                    Float.intBitsToFloat(((97 + rnd.nextInt(48)) << 23) | rnd.nextInt(1 << 23))
                            * (rnd.nextBoolean() ? 1 : -1);
            check(wrong, f, reference(f, halves));
        }
        assertThat(wrong).as("random floats that round wrongly").isEmpty();
    }

    private static int reference(float f, float[] halves) {
        int sign = f < 0 || (f == 0 && 1 / f < 0) ? 0x8000 : 0;
        float x = Math.abs(f);
        // from the halfway point between MAX_VALUE and 2^16 on, infinity
        if (x >= 65520f) {
            return sign | 0x7c00;
        }
        int lo = 0;
        int hi = halves.length - 1;
        while (lo < hi) { // the last half <= x (float comparisons are exact)
            int m = (lo + hi + 1) >>> 1;
            if (halves[m] <= x) {
                lo = m;
            } else {
                hi = m - 1;
            }
        }
        if (lo == halves.length - 1) {
            return sign | lo;
        }
        BigDecimal exact = new BigDecimal(x);
        BigDecimal below = exact.subtract(new BigDecimal(halves[lo]));
        BigDecimal above = new BigDecimal(halves[lo + 1]).subtract(exact);
        int c = below.compareTo(above);
        int h = c < 0 ? lo : c > 0 ? lo + 1 : (lo & 1) == 0 ? lo : lo + 1;
        return sign | h;
    }

    @Test
    void roundIsTheValueAFloat16TableKeeps() {
        assertThat(HalfFloat.round(0.1f)).isEqualTo(0.0999755859375f);
        assertThat(HalfFloat.round(1f)).isEqualTo(1f);
        float x = 0.123456f;
        assertThat(Math.abs(HalfFloat.round(x) - x) / x).isLessThanOrEqualTo(0x1p-11f);
    }
}
