package io.freshrank.jobs.join;

import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.ListCandidate;
import io.freshrank.schema.avro.ListExample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The grouping logic of the list assembly, free of Flink: adds the examples of one request to its
 * list (deduplicated by example id, bounded by the maximum list size, the lowest positions kept)
 * and builds the {@link ListExample} sorted by position (ties by example id). The held examples
 * live behind {@link Held} (keyed map state in the job); what else a list needs is in {@link
 * ListProgress}, which the methods change and the caller writes back. Not thread-safe (it owns an
 * {@link EventCodec}); one per task.
 */
public final class ListAssembler {
    /** List order: position, then example id (positions are unique in a well-formed request). */
    static final Comparator<ListInput> ORDER =
            Comparator.<ListInput>comparingInt(c -> c.position).thenComparing(c -> c.exampleId);

    /** The examples a list holds, by example id. */
    public interface Held {
        boolean contains(String exampleId);

        void put(ListInput candidate);

        void remove(String exampleId);

        /** Every held example, in no particular order. */
        Iterable<ListInput> all();
    }

    /** What {@link #add} did with an example. */
    public enum Outcome {
        /** Held. */
        ADDED,
        /** Held in place of the highest held example, which is now left out (full list). */
        REPLACED_HIGHEST,
        /** Its id is already held: ignored. */
        DUPLICATE,
        /** Left out: the list is full of lower positions. */
        OVERFLOW
    }

    private final long closeAfterMs;
    private final long graceMs;
    private final int maxListSize;
    private final EventCodec<LabeledExample> examples = EventCodec.of(LabeledExample.class);

    public ListAssembler(ListAssemblyConfig config) {
        this.closeAfterMs = config.closeAfter().toMillis();
        this.graceMs = config.grace().toMillis();
        this.maxListSize = config.maxListSize();
    }

    /**
     * The event time at which the list holding {@code in} may be emitted: its window close (the
     * emission time of a {@code WINDOW_CLOSE} example; impression time + window for an {@code
     * EARLY_POSITIVE} one, emitted before its close) plus the grace.
     */
    public long deadlineOf(ListInput in) {
        return Math.max(in.emitTimeMs, in.impressionTimeMs + closeAfterMs) + graceMs;
    }

    /**
     * Adds {@code in} to the list of {@code progress} and {@code held}: ignores an id already held,
     * holds it while the list has room, and in a full list keeps the {@code maxListSize} lowest in
     * list order (an example left out, either one, is counted in {@code progress.overflow}). Moves
     * the deadline to {@link #deadlineOf} when that is later. An example left out earlier is not
     * remembered: if it comes again it is counted again.
     */
    public Outcome add(ListProgress progress, Held held, ListInput in) {
        if (held.contains(in.exampleId)) {
            return Outcome.DUPLICATE;
        }
        progress.deadlineMs = Math.max(progress.deadlineMs, deadlineOf(in));
        if (progress.held < maxListSize) {
            held.put(in);
            progress.held++;
            if (progress.highestId == null
                    || compare(in, progress.highestPosition, progress.highestId) > 0) {
                progress.highestPosition = in.position;
                progress.highestId = in.exampleId;
            }
            return Outcome.ADDED;
        }
        progress.overflow++;
        if (compare(in, progress.highestPosition, progress.highestId) > 0) {
            return Outcome.OVERFLOW;
        }
        held.remove(progress.highestId);
        held.put(in);
        ListInput highest = null;
        for (ListInput c : held.all()) {
            if (highest == null || ORDER.compare(c, highest) > 0) {
                highest = c;
            }
        }
        progress.highestPosition = highest.position;
        progress.highestId = highest.exampleId;
        return Outcome.REPLACED_HIGHEST;
    }

    private static int compare(ListInput in, int position, String exampleId) {
        int c = Integer.compare(in.position, position);
        return c != 0 ? c : in.exampleId.compareTo(exampleId);
    }

    /**
     * The list of {@code requestId} from its held examples, sorted by position, emitted at event
     * time {@code emitTimeMs}. Throws on an example that does not decode: the join encoded it, so
     * that is a bug.
     */
    public ListExample assemble(
            String requestId, ListProgress progress, Held held, long emitTimeMs) {
        List<ListInput> sorted = new ArrayList<>();
        held.all().forEach(sorted::add);
        sorted.sort(ORDER);
        List<ListCandidate> candidates = new ArrayList<>(sorted.size());
        for (ListInput in : sorted) {
            candidates.add(candidate(decode(in)));
        }
        return ListExample.newBuilder()
                .setRequestId(requestId)
                .setEmitTimeMs(emitTimeMs)
                .setListSize(candidates.size())
                .setOverflowCount(progress.overflow)
                .setCandidates(candidates)
                .build();
    }

    /** The grouping fields of an encoded example; throws on bytes that do not decode. */
    public ListInput input(byte[] encodedExample) {
        LabeledExample ex = decode(encodedExample);
        return new ListInput(
                ex.getRequestId(),
                ex.getExampleId(),
                ex.getPosition(),
                ex.getImpressionTimeMs(),
                ex.getEmitTimeMs(),
                encodedExample);
    }

    private LabeledExample decode(ListInput in) {
        return decode(in.example);
    }

    private LabeledExample decode(byte[] bytes) {
        DecodeResult<LabeledExample> d = examples.decode(bytes);
        if (!d.isValid()) {
            throw new IllegalStateException("the label join wrote an undecodable example: " + d);
        }
        return d.value();
    }

    private static ListCandidate candidate(LabeledExample ex) {
        return ListCandidate.newBuilder()
                .setExampleId(ex.getExampleId())
                .setImpressionTimeMs(ex.getImpressionTimeMs())
                .setEmitTimeMs(ex.getEmitTimeMs())
                .setPosition(ex.getPosition())
                .setFeatures(ex.getFeatures())
                .setLabels(ex.getLabels())
                .setOracleProbability(ex.getOracleProbability())
                .setHoldout(ex.getHoldout())
                .setSamplingRate(ex.getSamplingRate())
                .setEmission(ex.getEmission())
                .build();
    }
}
