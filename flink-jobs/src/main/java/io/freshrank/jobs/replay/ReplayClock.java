package io.freshrank.jobs.replay;

import java.util.concurrent.TimeUnit;

/**
 * The wall clock {@link ReplayProducer} paces against; tests pass a fake one so they never sleep.
 */
interface ReplayClock {
    ReplayClock SYSTEM =
            new ReplayClock() {
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
}
