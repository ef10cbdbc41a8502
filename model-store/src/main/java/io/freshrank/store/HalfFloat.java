package io.freshrank.store;

/**
 * IEEE 754-2008 binary16 ("half precision") conversions, for storing served embedding rows in half
 * the memory ({@link RowPrecision#FLOAT16}). {@code Float.floatToFloat16} only exists from Java 20
 * on, so this is the same conversion written out: float to half rounds to nearest, ties to even
 * (overflow to infinity, underflow through the subnormals to a signed zero); half to float is
 * exact. NaN stays NaN: a half NaN's payload survives a round trip, and a float NaN whose payload
 * does not fit becomes a quiet half NaN. Stateless; thread-safe.
 *
 * <p>Half precision has an 11-bit significand (relative error at most 2^-11, about 4.9e-4, for
 * normal values) and a largest finite value of 65504; values below 2^-14 lose precision as
 * subnormals.
 */
public final class HalfFloat {
    /** Largest finite half value, 65504. */
    public static final float MAX_VALUE = 65504f;

    private static final int FLOAT_EXP_BIAS = 127;
    private static final int HALF_EXP_BIAS = 15;

    /** |x| at or above this (float bits of 65520, halfway from 65504 to 2^16) becomes infinity. */
    private static final int OVERFLOW_BITS = 0x477ff000;

    /** Float bits of 2^-14, the smallest normal half. */
    private static final int MIN_NORMAL_BITS = 0x38800000;

    /** Float bits of 2^-25, half the smallest subnormal half: at or below it rounds to zero. */
    private static final int UNDERFLOW_BITS = 0x33000000;

    private HalfFloat() {}

    /** The half nearest to {@code f} (ties to even), as its 16 bits. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            if (abs == 0x7f800000) {
                return (short) (sign | 0x7c00); // infinity
            }
            int payload = (abs >>> 13) & 0x3ff;
            return (short) (sign | 0x7c00 | (payload != 0 ? payload : 0x200)); // NaN stays NaN
        }
        if (abs >= OVERFLOW_BITS) {
            return (short) (sign | 0x7c00);
        }
        if (abs >= MIN_NORMAL_BITS) {
            int mantissa = abs & 0x7fffff;
            int h = (((abs >>> 23) - FLOAT_EXP_BIAS + HALF_EXP_BIAS) << 10) | (mantissa >>> 13);
            int rest = mantissa & 0x1fff;
            if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
                h++; // a carry into the exponent is right: it rounds up to the next binade
            }
            return (short) (sign | h);
        }
        if (abs <= UNDERFLOW_BITS) {
            return (short) sign;
        }
        // a half subnormal: value / 2^-24 = significand * 2^(exponent - 126), exponent <= 112
        int exponent = abs >>> 23;
        int significand = (abs & 0x7fffff) | 0x800000;
        int shift = 126 - exponent;
        int h = significand >>> shift;
        int rest = significand & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rest > halfway || (rest == halfway && (h & 1) != 0)) {
            h++; // may reach 0x400, the smallest normal, which is its correct encoding
        }
        return (short) (sign | h);
    }

    /** The float of the half with bits {@code half} (exact). */
    public static float toFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in float
            float v = mantissa * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(
                sign | ((exponent - HALF_EXP_BIAS + FLOAT_EXP_BIAS) << 23) | (mantissa << 13));
    }

    /** {@code f} rounded to the nearest half and back: what {@link RowPrecision#FLOAT16} keeps. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
