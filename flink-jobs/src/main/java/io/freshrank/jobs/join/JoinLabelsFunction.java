package io.freshrank.jobs.join;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.jobs.common.DeadLetters;
import io.freshrank.jobs.common.InvalidRecordCounters;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.InvalidReason;
import io.freshrank.schema.avro.Impression;
import io.freshrank.schema.avro.LabeledExample;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins actions to impressions inside the attribution window (see the package doc for the
 * contract). Keyed by impression id; emits encoded {@link LabeledExample}s, dead letters go to
 * {@link DeadLetters#TAG}.
 */
public class JoinLabelsFunction extends KeyedProcessFunction<String, JoinInput, BytesRecord> {
    private static final long serialVersionUID = 1L;
    static final String STAGE = "label-join";

    private final long windowMs;
    private final long graceMs;

    private transient ValueState<JoinState> state;
    private transient EventCodec<Impression> impressionCodec;
    private transient EventCodec<LabeledExample> exampleCodec;
    private transient InvalidRecordCounters invalid;
    private transient Counter examples;
    private transient Counter positives;
    private transient Counter duplicateImpressions;
    private transient Counter duplicateActions;

    public JoinLabelsFunction(long windowMs, long graceMs) {
        if (windowMs <= 0 || graceMs < 0) {
            throw new IllegalArgumentException(
                    "attribution window must be > 0 and orphan grace >= 0, got "
                            + windowMs
                            + ", "
                            + graceMs);
        }
        this.windowMs = windowMs;
        this.graceMs = graceMs;
    }

    @Override
    public void open(OpenContext ctx) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "join-state", TypeInformation.of(JoinState.class)));
        impressionCodec = EventCodec.of(Impression.class);
        exampleCodec = EventCodec.of(LabeledExample.class);
        var metrics = getRuntimeContext().getMetricGroup();
        invalid = new InvalidRecordCounters(metrics);
        examples = metrics.counter("examplesEmitted");
        positives = metrics.counter("positiveExamples");
        duplicateImpressions = metrics.counter("duplicateImpressions");
        duplicateActions = metrics.counter("duplicateActions");
    }

    @Override
    public void processElement(JoinInput in, Context ctx, Collector<BytesRecord> out)
            throws Exception {
        JoinState s = state.value();
        if (s == null) {
            s = new JoinState();
        }
        if (in.isImpression()) {
            if (s.hasImpression() || s.emitted) {
                duplicateImpressions.inc();
                return;
            }
            s.impression = in.impression;
            s.impressionTimeMs = in.eventTimeMs;
            s.closeTimeMs = in.eventTimeMs + windowMs;
            s.earlyActions = new byte[0][];
            ctx.timerService().registerEventTimeTimer(s.closeTimeMs);
            state.update(s);
            return;
        }
        if (s.seenAction(in.actionId)) {
            duplicateActions.inc();
            return;
        }
        if (s.emitted) {
            deadLetter(
                    ctx,
                    InvalidReason.LATE,
                    "action "
                            + in.actionId
                            + " arrived after impression "
                            + in.impressionId
                            + " was emitted (window closed at "
                            + s.closeTimeMs
                            + ")",
                    in.action);
            return;
        }
        boolean firstEarly = !s.hasImpression() && s.actionIds.length == 0;
        s.addAction(in);
        if (firstEarly) {
            ctx.timerService().registerEventTimeTimer(in.eventTimeMs + graceMs);
        }
        state.update(s);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<BytesRecord> out) throws Exception {
        JoinState s = state.value();
        if (s == null) {
            return;
        }
        if (s.hasImpression() && !s.emitted) {
            if (ts >= s.closeTimeMs) {
                emit(s, out);
                s.emitted = true;
                s.impression = null;
                ctx.timerService().registerEventTimeTimer(s.closeTimeMs + graceMs);
                state.update(s);
            }
            return;
        }
        if (!s.hasImpression() && !s.emitted) {
            if (ts >= s.firstActionTimeMs + graceMs) {
                for (byte[] action : s.earlyActions) {
                    deadLetter(
                            ctx,
                            InvalidReason.ORPHAN_ACTION,
                            "no impression "
                                    + ctx.getCurrentKey()
                                    + " within "
                                    + graceMs
                                    + " ms of its action",
                            action);
                }
                state.clear();
            }
            return;
        }
        if (s.emitted && ts >= s.closeTimeMs + graceMs) {
            state.clear();
        }
    }

    private void emit(JoinState s, Collector<BytesRecord> out) {
        DecodeResult<Impression> d = impressionCodec.decode(s.impression);
        // The bytes were validated on the way in; failing here is a bug (e.g. a schema dropped from
        // history).
        Impression imp = d.value();
        Map<String, Float> labels = s.labels();
        LabeledExample ex =
                LabeledExample.newBuilder()
                        .setExampleId(imp.getImpressionId())
                        .setRequestId(imp.getRequestId())
                        .setImpressionTimeMs(imp.getEventTimeMs())
                        .setEmitTimeMs(s.closeTimeMs)
                        .setPosition(imp.getPosition())
                        .setFeatures(imp.getFeatures())
                        .setLabels(labels)
                        .setOracleProbability(imp.getOracleProbability())
                        .setHoldout(imp.getHoldout())
                        .setSamplingRate(1f)
                        .build();
        examples.inc();
        if (labels.get("click") > 0f) {
            positives.inc();
        }
        out.collect(
                new BytesRecord(
                        imp.getImpressionId().getBytes(StandardCharsets.UTF_8),
                        exampleCodec.encode(ex)));
    }

    private void deadLetter(Context ctx, InvalidReason reason, String detail, byte[] payload) {
        invalid.inc(reason);
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        reason, detail, STAGE, "", -1, -1L, payload, System.currentTimeMillis()));
    }
}
