package io.freshrank.jobs.join;

/**
 * What the list assembly keeps per request besides the held examples: the list's deadline (the
 * event time of its timer), how many examples it holds, the highest held one (the first to leave
 * when a better one arrives at a full list) and how many were left out. A Flink POJO; the function
 * writes it back with {@code update()} after every change.
 */
public class ListProgress {
    /** Event time at which the list is emitted; {@link Long#MIN_VALUE} before the first example. */
    public long deadlineMs = Long.MIN_VALUE;

    public int held;

    /** Position and id of the highest held example in list order; null id when none is held. */
    public int highestPosition;

    public String highestId;

    /** Examples left out because the list was full. */
    public int overflow;

    public ListProgress() {}
}
