package io.freshrank.jobs.replay;

import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts rows a reader skipped, by reason, and logs their coordinates (file and line, never the
 * content): the first few individually, then every 1000th. Not thread-safe.
 */
final class RowSkips {
    private static final Logger LOG = LoggerFactory.getLogger(RowSkips.class);
    private static final long LOG_FIRST = 10;
    private static final long LOG_EVERY = 1000;

    private final Map<String, Long> byReason = new TreeMap<>();
    private long total;

    /** Records that line {@code line} of {@code file} was skipped for {@code reason}. */
    void skip(String reason, String file, long line) {
        byReason.merge(reason, 1L, Long::sum);
        total++;
        if (total <= LOG_FIRST || total % LOG_EVERY == 0) {
            LOG.warn(
                    "replay skipped {}:{} ({}); {} rows skipped so far", file, line, reason, total);
        }
    }

    long total() {
        return total;
    }

    /** A copy of the counts by reason. */
    Map<String, Long> byReason() {
        return new TreeMap<>(byReason);
    }

    /** Adds another pass's counts (for sources merging several files). */
    void addAll(RowSkips other) {
        other.byReason.forEach((k, v) -> byReason.merge(k, v, Long::sum));
        total += other.total;
    }
}
