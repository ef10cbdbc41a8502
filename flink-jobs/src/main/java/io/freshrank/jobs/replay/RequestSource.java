package io.freshrank.jobs.replay;

/**
 * Pulls the parsed requests of one replay pass, in the order the reader guarantees (original time
 * for every reader here). Not thread-safe; close it to release its file.
 */
interface RequestSource extends AutoCloseable {

    /** The next request, or null at the end. */
    ShownRequest next();

    /** Rows skipped so far, by reason. */
    RowSkips skips();

    @Override
    void close();
}
