package io.freshrank.jobs.train;

/** Float array checks used by the guardrails. */
final class Floats {
    private Floats() {}

    /** Whether {@code a[off .. off+len)} holds only finite values. */
    static boolean allFinite(float[] a, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }
}
