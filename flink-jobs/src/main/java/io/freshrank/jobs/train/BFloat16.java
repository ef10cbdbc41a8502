package io.freshrank.jobs.train;

/**
 * bfloat16: the upper 16 bits of a float (sign, the full 8-bit exponent, 7 stored significand
 * bits). Same range as float, relative error at most 2^-8 after rounding to nearest even.
 */
public final class BFloat16 {
    /** The largest finite bfloat16, as raw bits. */
    static final short MAX_FINITE = 0x7f7f;

    private BFloat16() {}

    /**
     * Rounds {@code f} to the nearest bfloat16 (ties to even). NaN stays NaN and infinities stay
     * infinite; a finite value never rounds to infinity, it saturates at the largest finite
     * bfloat16 (so a finite gradient is never turned into one the shards reject as non-finite).
     */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7f800000) == 0x7f800000) {
            // Infinity keeps its bits; NaN keeps its sign and gets the quiet bit so that it stays
            // NaN
            // after truncation.
            return (short) ((bits >>> 16) | ((bits & 0x007fffff) != 0 ? 0x0040 : 0));
        }
        int rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
        if ((rounded & 0x7f80) == 0x7f80) {
            return (short) ((rounded & 0x8000) | MAX_FINITE);
        }
        return (short) rounded;
    }

    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
