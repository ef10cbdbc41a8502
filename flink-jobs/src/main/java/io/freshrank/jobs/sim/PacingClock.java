package io.freshrank.jobs.sim;

import java.util.concurrent.TimeUnit;

/**
 * The wall clock the {@link SimulatorProducer} and the dataset replayer pace against; tests pass a
 * fake one so they never sleep.
 */
public interface PacingClock {
    /** Sleeps shorter than this are skipped (the next event catches up). */
    long MIN_SLEEP_NANOS = 500_000L;

    PacingClock SYSTEM =
            new PacingClock() {
                @Override
                public long nanoTime() {
                    return System.nanoTime();
                }

                @Override
                public void sleepNanos(long nanos) throws InterruptedException {
                    TimeUnit.NANOSECONDS.sleep(nanos);
                }
            };

    /** A monotonic time in nanoseconds. */
    long nanoTime();

    /** Sleeps about {@code nanos} nanoseconds. */
    void sleepNanos(long nanos) throws InterruptedException;

    /**
     * Waits until the event {@code eventOffsetMs} after the first one, sent at {@code wallStart},
     * is due when event time runs {@code speedup} times faster than the wall clock.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    default void awaitDue(long wallStart, long eventOffsetMs, double speedup)
            throws InterruptedException {
        long due = wallStart + (long) (eventOffsetMs * 1_000_000.0 / speedup);
        long wait = due - nanoTime();
        if (wait >= MIN_SLEEP_NANOS) {
            sleepNanos(wait);
        }
    }
}
