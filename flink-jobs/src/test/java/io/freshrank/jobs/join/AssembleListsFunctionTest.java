package io.freshrank.jobs.join;

import static io.freshrank.jobs.join.ListExamples.GRACE_MS;
import static io.freshrank.jobs.join.ListExamples.T0;
import static io.freshrank.jobs.join.ListExamples.WINDOW_MS;
import static io.freshrank.jobs.join.ListExamples.config;
import static io.freshrank.jobs.join.ListExamples.ids;
import static io.freshrank.jobs.join.ListExamples.windowClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.ListExample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link AssembleListsFunction} on Flink's keyed operator harness with the RocksDB backend (state
 * objects go through their serializers, as in production): timers, late examples, state TTL, and a
 * snapshot -> restore compared with an uninterrupted run.
 */
class AssembleListsFunctionTest {
    private static final EventCodec<ListExample> LISTS = EventCodec.of(ListExample.class);

    /** The harness around the function, fed with encoded examples in their join timestamps. */
    private static final class Lists implements AutoCloseable {
        final KeyedOneInputStreamOperatorTestHarness<String, ListInput, BytesRecord> h;
        private final ListAssembler decoder = new ListAssembler(config(3));

        Lists(int maxListSize, OperatorSubtaskState restore) throws Exception {
            h =
                    new KeyedOneInputStreamOperatorTestHarness<>(
                            new KeyedProcessOperator<>(
                                    new AssembleListsFunction(config(maxListSize))),
                            ListAssemblyPipeline.RequestKey.INSTANCE,
                            Types.STRING);
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.setStateTtlProcessingTime(0L);
            if (restore != null) {
                h.initializeState(restore);
            }
            h.open();
        }

        void example(LabeledExample ex) throws Exception {
            h.processElement(
                    new StreamRecord<>(decoder.input(ListExamples.encode(ex)), ex.getEmitTimeMs()));
        }

        void watermark(long t) throws Exception {
            h.processWatermark(t);
        }

        /** The lists emitted so far, checked to be keyed by their request id. */
        List<ListExample> lists() {
            List<ListExample> out = new ArrayList<>();
            for (var r : h.extractOutputValues()) {
                ListExample list = LISTS.decode(r.value).value();
                assertThat(new String(r.key, StandardCharsets.UTF_8))
                        .isEqualTo(list.getRequestId());
                out.add(list);
            }
            return out;
        }

        @Override
        public void close() {
            try {
                h.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the harness", e);
            }
        }
    }

    @Test
    void emitsOneSortedListWhenTheWatermarkPassesTheDeadline() throws Exception {
        try (Lists lists = new Lists(100, null)) {
            lists.example(windowClose("r1", "i2", 2, T0, 0f));
            lists.example(windowClose("r2", "j0", 0, T0 + 10L, 1f));
            lists.example(windowClose("r1", "i0", 0, T0, 1f));
            lists.example(windowClose("r1", "i1", 1, T0, 0f));
            long deadline = T0 + WINDOW_MS + GRACE_MS;

            lists.watermark(deadline - 1);
            assertThat(lists.lists()).as("nothing before the deadline").isEmpty();

            lists.watermark(deadline);
            List<ListExample> out = lists.lists();
            assertThat(out).hasSize(1);
            assertThat(ids(out.get(0))).containsExactly("i0", "i1", "i2");
            assertThat(out.get(0).getEmitTimeMs()).isEqualTo(deadline);
            assertThat(lists.h.extractOutputStreamRecords().get(0).getTimestamp())
                    .isEqualTo(deadline);

            lists.watermark(deadline + 10L);
            assertThat(lists.lists())
                    .extracting(ListExample::getRequestId)
                    .containsExactly("r1", "r2");
            // the state is cleared on emission: the same example again is no duplicate
            lists.example(windowClose("r1", "i0", 0, T0, 1f));
            lists.watermark(deadline + 20L);
            assertThat(lists.lists()).hasSize(3);
            assertThat(ids(lists.lists().get(2))).containsExactly("i0");
        }
    }

    @Test
    void aLaterImpressionOfTheRequestMovesTheDeadline() throws Exception {
        try (Lists lists = new Lists(100, null)) {
            lists.example(windowClose("r1", "i0", 0, T0, 0f));
            lists.example(windowClose("r1", "i1", 1, T0 + 1_500L, 0f));

            lists.watermark(T0 + WINDOW_MS + GRACE_MS);
            assertThat(lists.lists()).isEmpty();

            lists.watermark(T0 + 1_500L + WINDOW_MS + GRACE_MS);
            assertThat(lists.lists()).hasSize(1);
            assertThat(ids(lists.lists().get(0))).containsExactly("i0", "i1");
        }
    }

    @Test
    void anEarlyPositiveWaitsForTheWindowCloseOfItsSiblings() throws Exception {
        try (Lists lists = new Lists(100, null)) {
            lists.example(
                    ListExamples.example(
                            "r1", "i0", 0, T0, T0 + 1_000L, 1f, EmissionKind.EARLY_POSITIVE));
            lists.watermark(T0 + WINDOW_MS - 1);
            lists.example(windowClose("r1", "i1", 1, T0, 0f));
            lists.watermark(T0 + WINDOW_MS + GRACE_MS);

            assertThat(lists.lists()).hasSize(1);
            assertThat(ids(lists.lists().get(0))).containsExactly("i0", "i1");
        }
    }

    @Test
    void anExampleAfterItsListWasEmittedStartsAnotherList() throws Exception {
        try (Lists lists = new Lists(100, null)) {
            lists.example(windowClose("r1", "i0", 0, T0, 0f));
            long deadline = T0 + WINDOW_MS + GRACE_MS;
            lists.watermark(deadline);
            lists.example(windowClose("r1", "i1", 1, T0, 1f));
            lists.watermark(deadline + 1);

            assertThat(lists.lists())
                    .extracting(ListExamples::ids)
                    .containsExactly(List.of("i0"), List.of("i1"));
        }
    }

    @Test
    void aListWhoseStateExpiredIsNotEmitted() throws Exception {
        try (Lists lists = new Lists(100, null)) {
            lists.example(windowClose("r1", "i0", 0, T0, 0f));
            lists.h.setStateTtlProcessingTime(ListExamples.config(1).stateTtl().toMillis() + 1);
            lists.watermark(T0 + WINDOW_MS + GRACE_MS);

            assertThat(lists.lists()).isEmpty();
        }
    }

    @Test
    void aRestoredRunEmitsWhatAnUninterruptedRunEmits() throws Exception {
        List<LabeledExample> first = new ArrayList<>();
        List<LabeledExample> second = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            for (int pos = 0; pos < 5; pos++) {
                LabeledExample ex =
                        windowClose("r" + r, "r" + r + "-i" + pos, pos, T0 + r * 1_000L, pos % 2);
                (pos % 2 == 0 ? first : second).add(ex);
            }
        }
        // a duplicate after the restore, of an example held across it (r5 is not out yet)
        second.add(0, first.get(first.size() - 1));
        long midWatermark = T0 + 2_000L + WINDOW_MS + GRACE_MS; // lists r0..r2 are out
        long endWatermark = T0 + 10_000L + WINDOW_MS + GRACE_MS;

        List<ListExample> uninterrupted;
        try (Lists lists = new Lists(4, null)) {
            feed(lists, first, midWatermark);
            feed(lists, second, endWatermark);
            uninterrupted = lists.lists();
        }

        List<ListExample> restored = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (Lists lists = new Lists(4, null)) {
            feed(lists, first, midWatermark);
            restored.addAll(lists.lists());
            snapshot = lists.h.snapshot(1L, 1L);
        }
        try (Lists lists = new Lists(4, snapshot)) {
            feed(lists, second, endWatermark);
            restored.addAll(lists.lists());
        }

        assertThat(uninterrupted).hasSize(6 + 3);
        assertThat(restored).isEqualTo(uninterrupted);
    }

    /** Feeds the examples, then moves the watermark to {@code watermark}. */
    private static void feed(Lists lists, List<LabeledExample> examples, long watermark)
            throws Exception {
        for (LabeledExample ex : examples) {
            lists.example(ex);
        }
        lists.watermark(watermark);
    }
}
