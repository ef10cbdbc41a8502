package io.freshrank.jobs.replay;

import io.freshrank.jobs.sim.SimEvent;
import java.util.Iterator;

/**
 * One pass over a replay: events in non-decreasing event time, each impression before its actions.
 * Holds the dataset's file open until {@link #close()} (or the end). Not thread-safe.
 */
public interface ReplayIterator extends Iterator<SimEvent>, AutoCloseable {

    /**
     * What this pass has produced so far; complete (the numbers of {@link
     * DatasetReplay#expected()}) once {@link #hasNext()} returned false.
     */
    ReplayStats stats();

    /** Releases the file; never throws a checked exception. */
    @Override
    void close();
}
