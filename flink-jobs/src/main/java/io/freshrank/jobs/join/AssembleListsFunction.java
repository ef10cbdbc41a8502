package io.freshrank.jobs.join;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.ListExample;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The list assembly: keyed by request id, holds the request's labeled examples in keyed map state
 * and emits one encoded {@link ListExample} (sorted by position) when the watermark passes the
 * list's deadline (the latest window close of its examples plus the grace; see {@link
 * ListAssembler}). The request's size is not on the events, so a list is never emitted earlier.
 * Both states carry a processing-time TTL ({@link ListAssemblyConfig#stateTtl()}) against leaks; a
 * timer that finds its state expired counts {@code listsExpired}. An example whose deadline the
 * watermark has already passed (its request's list may be out) starts or joins a list emitted at
 * the next watermark and counts {@code lateListExamples}.
 */
public class AssembleListsFunction extends KeyedProcessFunction<String, ListInput, BytesRecord> {
    private static final long serialVersionUID = 1L;

    private final ListAssemblyConfig config;

    private transient MapState<String, ListInput> held;
    private transient ValueState<ListProgress> progress;
    private transient ListAssembler assembler;
    private transient MapStateHeld heldView;
    private transient EventCodec<ListExample> codec;
    private transient Counter listsEmitted;
    private transient Counter listExamples;
    private transient Counter overflowExamples;
    private transient Counter duplicateExamples;
    private transient Counter lateExamples;
    private transient Counter listsExpired;

    public AssembleListsFunction(ListAssemblyConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext ctx) {
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(config.stateTtl())
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build();
        MapStateDescriptor<String, ListInput> heldDesc =
                new MapStateDescriptor<>(
                        "list-examples", Types.STRING, TypeInformation.of(ListInput.class));
        heldDesc.enableTimeToLive(ttl);
        ValueStateDescriptor<ListProgress> progressDesc =
                new ValueStateDescriptor<>("list-progress", TypeInformation.of(ListProgress.class));
        progressDesc.enableTimeToLive(ttl);
        held = getRuntimeContext().getMapState(heldDesc);
        progress = getRuntimeContext().getState(progressDesc);
        assembler = new ListAssembler(config);
        heldView = new MapStateHeld(held);
        codec = EventCodec.of(ListExample.class);
        var metrics = getRuntimeContext().getMetricGroup();
        listsEmitted = metrics.counter("listsEmitted");
        listExamples = metrics.counter("listExamples");
        overflowExamples = metrics.counter("listOverflowExamples");
        duplicateExamples = metrics.counter("listDuplicateExamples");
        lateExamples = metrics.counter("lateListExamples");
        listsExpired = metrics.counter("listsExpired");
    }

    @Override
    public void processElement(ListInput in, Context ctx, Collector<BytesRecord> out)
            throws Exception {
        ListProgress p = progress.value();
        if (p == null) {
            p = new ListProgress();
        }
        long before = p.deadlineMs;
        ListAssembler.Outcome outcome = assembler.add(p, heldView, in);
        switch (outcome) {
            case DUPLICATE -> {
                duplicateExamples.inc();
                return;
            }
            case OVERFLOW, REPLACED_HIGHEST -> overflowExamples.inc();
            case ADDED -> {}
        }
        if (assembler.deadlineOf(in) <= ctx.timerService().currentWatermark()) {
            lateExamples.inc();
        }
        if (p.deadlineMs != before) {
            if (before != Long.MIN_VALUE) {
                ctx.timerService().deleteEventTimeTimer(before);
            }
            ctx.timerService().registerEventTimeTimer(p.deadlineMs);
        }
        progress.update(p);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<BytesRecord> out) throws Exception {
        ListProgress p = progress.value();
        if (p == null) {
            listsExpired.inc();
            held.clear();
            return;
        }
        String requestId = ctx.getCurrentKey();
        ListExample list = assembler.assemble(requestId, p, heldView, ts);
        progress.clear();
        held.clear();
        if (list.getListSize() == 0) {
            // Every held example expired (TTL) while the progress did not.
            listsExpired.inc();
            return;
        }
        listsEmitted.inc();
        listExamples.inc(list.getListSize());
        out.collect(
                new BytesRecord(requestId.getBytes(StandardCharsets.UTF_8), codec.encode(list)));
    }

    /** {@link ListAssembler.Held} over keyed map state (of the current key). */
    private static final class MapStateHeld implements ListAssembler.Held {
        private final MapState<String, ListInput> state;

        MapStateHeld(MapState<String, ListInput> state) {
            this.state = state;
        }

        @Override
        public boolean contains(String exampleId) {
            try {
                return state.contains(exampleId);
            } catch (Exception e) {
                throw new IllegalStateException("cannot read list state", e);
            }
        }

        @Override
        public void put(ListInput candidate) {
            try {
                state.put(candidate.exampleId, candidate);
            } catch (Exception e) {
                throw new IllegalStateException("cannot write list state", e);
            }
        }

        @Override
        public void remove(String exampleId) {
            try {
                state.remove(exampleId);
            } catch (Exception e) {
                throw new IllegalStateException("cannot write list state", e);
            }
        }

        @Override
        public Iterable<ListInput> all() {
            try {
                return state.values();
            } catch (Exception e) {
                throw new IllegalStateException("cannot read list state", e);
            }
        }
    }
}
