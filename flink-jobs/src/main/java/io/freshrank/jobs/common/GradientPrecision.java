package io.freshrank.jobs.common;

/** How the values of a row gradient are written on the gradients topic. */
public enum GradientPrecision {
    /** 4 bytes per value, exact. */
    FP32((byte) 0, 4),
    /**
     * 2 bytes per value (bfloat16, rounded to nearest even): a row gradient of dim 16 plus its id
     * shrinks from 72 to 40 bytes, at a relative error of at most 2^-8 per value.
     */
    BF16((byte) 1, 2);

    private final byte code;
    private final int bytesPerValue;

    GradientPrecision(byte code, int bytesPerValue) {
        this.code = code;
        this.bytesPerValue = bytesPerValue;
    }

    public byte code() {
        return code;
    }

    public int bytesPerValue() {
        return bytesPerValue;
    }

    /** The precision with wire code {@code code}, or null. */
    public static GradientPrecision ofCode(byte code) {
        for (GradientPrecision p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        return null;
    }
}
