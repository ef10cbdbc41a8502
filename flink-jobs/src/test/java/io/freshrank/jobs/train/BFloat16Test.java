package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BFloat16Test {
    @Test
    void everyBFloat16RoundTripsExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = BFloat16.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(f)))).isTrue();
            } else {
                assertThat(BFloat16.fromFloat(f) & 0xffff).isEqualTo(h);
            }
        }
    }

    @Test
    void roundsToTheNearestNeighbourWithTiesToEven() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt() & 0x7f7fffff) * (r.nextBoolean() ? 1 : -1);
            float down = Float.intBitsToFloat(Float.floatToRawIntBits(f) & 0xffff0000);
            float up = BFloat16.toFloat((short) ((Float.floatToRawIntBits(f) >>> 16) + 1));
            float got = BFloat16.toFloat(BFloat16.fromFloat(f));
            double dDown = Math.abs((double) f - down);
            double dUp = Math.abs((double) f - up);
            if (Float.isInfinite(up)) {
                assertThat(got)
                        .isIn(
                                down,
                                BFloat16.toFloat(BFloat16.MAX_FINITE),
                                -BFloat16.toFloat(BFloat16.MAX_FINITE));
            } else if (dDown < dUp) {
                assertThat(got).isEqualTo(down);
            } else if (dUp < dDown) {
                assertThat(got).isEqualTo(up);
            } else {
                int even = (Float.floatToRawIntBits(down) >>> 16) & 1;
                assertThat(got).isEqualTo(even == 0 ? down : up);
            }
        }
    }

    @Test
    void keepsNonFiniteValuesAndNeverOverflowsAFiniteOne() {
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.POSITIVE_INFINITY)))
                .isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.NEGATIVE_INFINITY)))
                .isEqualTo(Float.NEGATIVE_INFINITY);
        // A NaN whose payload sits only in the low 16 bits would truncate to infinity.
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7f800001)))).isNaN();
        float maxFinite = BFloat16.toFloat(BFloat16.MAX_FINITE);
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.MAX_VALUE))).isEqualTo(maxFinite);
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(-Float.MAX_VALUE))).isEqualTo(-maxFinite);
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.MIN_VALUE))).isEqualTo(0f);
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(-0f))).isEqualTo(-0f);
    }
}
