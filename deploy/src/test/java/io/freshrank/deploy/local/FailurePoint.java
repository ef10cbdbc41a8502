package io.freshrank.deploy.local;

/**
 * When a failure test should fail a TaskManager: once at least {@code minCheckpoints} checkpoints
 * completed, and no earlier than {@code delayMs} after the latest completion was first seen.
 * Failing then (rather than right after a checkpoint) leaves that much output emitted since the
 * last completed checkpoint, which a restore must replay: duplicates under at-least-once, aborted
 * and rewritten transactions under exactly-once. Feed it every poll; not thread-safe.
 */
final class FailurePoint {
    private final long minCheckpoints;
    private final long delayMs;
    private long lastCompleted = -1;
    private long lastSeenAtMs;

    FailurePoint(long minCheckpoints, long delayMs) {
        this.minCheckpoints = minCheckpoints;
        this.delayMs = delayMs;
    }

    /** Whether to fail now, given the number of completed checkpoints seen at {@code nowMs}. */
    boolean due(long nowMs, long completedCheckpoints) {
        if (completedCheckpoints != lastCompleted) {
            lastCompleted = completedCheckpoints;
            lastSeenAtMs = nowMs;
            return false;
        }
        return completedCheckpoints >= minCheckpoints && nowMs - lastSeenAtMs >= delayMs;
    }
}
