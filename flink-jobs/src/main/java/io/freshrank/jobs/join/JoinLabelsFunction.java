package io.freshrank.jobs.join;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.jobs.common.DeadLetters;
import io.freshrank.jobs.common.InvalidRecordCounters;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.InvalidReason;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.Impression;
import io.freshrank.schema.avro.LabeledExample;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins actions to impressions inside their type's attribution window and emits them per the {@link
 * EmissionPolicy} (see the package doc for the contract of each), down-sampling negatives at window
 * close ({@link NegativeSampler}). Keyed by impression id; emits encoded {@link LabeledExample}s,
 * dead letters go to {@link DeadLetters#TAG}. All per-impression data lives in keyed state ({@link
 * JoinState}), written back with {@code update()} after every change.
 */
public class JoinLabelsFunction extends KeyedProcessFunction<String, JoinInput, BytesRecord> {
    private static final long serialVersionUID = 1L;
    static final String STAGE = "label-join";

    private final JoinConfig config;
    private final AttributionWindows windows;
    private final long closeAfterMs;
    private final long graceMs;
    private final EmissionPolicy policy;
    private final NegativeSampler sampler;

    private transient ValueState<JoinState> state;
    private transient EventCodec<Impression> impressionCodec;
    private transient EventCodec<LabeledExample> exampleCodec;
    private transient InvalidRecordCounters invalid;
    private transient Counter examples;
    private transient Counter positives;
    private transient Counter earlyPositives;
    private transient Counter corrections;
    private transient Counter actionsAfterClickEmission;
    private transient Counter duplicateImpressions;
    private transient Counter duplicateActions;
    private transient Counter negativesDropped;

    /**
     * A join with one window for every action type and the {@link EmissionPolicy#WINDOW} policy.
     */
    public JoinLabelsFunction(long windowMs, long graceMs) {
        this(windowMs, graceMs, EmissionPolicy.WINDOW);
    }

    /** A join with one window for every action type, no sampling. */
    public JoinLabelsFunction(long windowMs, long graceMs, EmissionPolicy policy) {
        this(JoinConfig.of(Duration.ofMillis(windowMs), Duration.ofMillis(graceMs), policy));
    }

    public JoinLabelsFunction(JoinConfig config) {
        this.config = config;
        this.windows = config.windows();
        this.policy = config.emissionPolicy();
        this.closeAfterMs = windows.closeAfterMs(policy);
        this.graceMs = config.orphanGrace().toMillis();
        this.sampler = new NegativeSampler(config.negativeSamplingRate());
    }

    /**
     * The state's TTL: a backstop against leaks (a lost timer), never the way state normally goes;
     * timers clear it at close + grace. Processing time (the only TTL time Flink has), refreshed on
     * every write; RocksDB drops expired entries in compaction.
     */
    static StateTtlConfig stateTtl(JoinConfig config) {
        return StateTtlConfig.newBuilder(config.stateTtl())
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .cleanupInRocksdbCompactFilter(1000)
                .build();
    }

    @Override
    public void open(OpenContext ctx) {
        ValueStateDescriptor<JoinState> descriptor =
                new ValueStateDescriptor<>("join-state", TypeInformation.of(JoinState.class));
        descriptor.enableTimeToLive(stateTtl(config));
        state = getRuntimeContext().getState(descriptor);
        impressionCodec = EventCodec.of(Impression.class);
        exampleCodec = EventCodec.of(LabeledExample.class);
        var metrics = getRuntimeContext().getMetricGroup();
        invalid = new InvalidRecordCounters(metrics);
        examples = metrics.counter("examplesEmitted");
        positives = metrics.counter("positiveExamples");
        earlyPositives = metrics.counter("earlyPositiveExamples");
        corrections = metrics.counter("correctionExamples");
        actionsAfterClickEmission = metrics.counter("actionsAfterClickEmission");
        duplicateImpressions = metrics.counter("duplicateImpressions");
        duplicateActions = metrics.counter("duplicateActions");
        negativesDropped = metrics.counter("negativesDroppedBySampling");
    }

    @Override
    public void processElement(JoinInput in, Context ctx, Collector<BytesRecord> out)
            throws Exception {
        JoinState s = state.value();
        if (s == null) {
            s = new JoinState();
        }
        if (in.isImpression()) {
            if (s.impressionSeen) {
                duplicateImpressions.inc();
                return;
            }
            s.impressionSeen = true;
            s.impression = in.impression;
            s.impressionTimeMs = in.eventTimeMs;
            s.closeTimeMs = in.eventTimeMs + closeAfterMs;
            s.earlyActions = new byte[0][];
            ctx.timerService().registerEventTimeTimer(s.closeTimeMs);
            if (policy == EmissionPolicy.FAKE_NEGATIVE) {
                emit(
                        s,
                        EmissionKind.FAKE_NEGATIVE,
                        s.impressionTimeMs,
                        JoinState.noFeedbackLabels(),
                        1f,
                        out);
            }
            // Clicks that arrived before their impression count as soon as it is here.
            maybeEmitClick(s, out);
            state.update(s);
            return;
        }
        if (s.seenAction(in.actionId)) {
            duplicateActions.inc();
            return;
        }
        if (s.closed) {
            deadLetter(
                    ctx,
                    InvalidReason.LATE,
                    "action "
                            + in.actionId
                            + " arrived after the window of impression "
                            + in.impressionId
                            + " closed at "
                            + s.closeTimeMs,
                    in.action);
            return;
        }
        boolean firstEarly = !s.impressionSeen && s.actionIds.length == 0;
        boolean afterClickEmission = s.clickEmitted;
        s.addAction(in);
        if (firstEarly) {
            ctx.timerService().registerEventTimeTimer(in.eventTimeMs + graceMs);
        }
        if (afterClickEmission) {
            // EARLY_POSITIVE / FAKE_NEGATIVE emit nothing more for this impression: recorded only
            // to recognise duplicates.
            actionsAfterClickEmission.inc();
        } else {
            maybeEmitClick(s, out);
        }
        state.update(s);
    }

    /**
     * Under EARLY_POSITIVE and FAKE_NEGATIVE, emits the click example (EARLY_POSITIVE or
     * CORRECTION) once the impression and an attributed click are both here, then drops the
     * impression's bytes (nothing more will be emitted for it). Changes {@code s}; the caller
     * updates the state.
     */
    private void maybeEmitClick(JoinState s, Collector<BytesRecord> out) {
        if (policy == EmissionPolicy.WINDOW || s.clickEmitted || !s.impressionSeen || s.closed) {
            return;
        }
        OptionalLong click = s.earliestClickInWindow(windows);
        if (click.isEmpty()) {
            return;
        }
        EmissionKind kind =
                policy == EmissionPolicy.EARLY_POSITIVE
                        ? EmissionKind.EARLY_POSITIVE
                        : EmissionKind.CORRECTION;
        emit(s, kind, click.getAsLong(), s.labels(windows), 1f, out);
        if (kind == EmissionKind.EARLY_POSITIVE) {
            earlyPositives.inc();
        } else {
            corrections.inc();
        }
        s.clickEmitted = true;
        s.impression = null;
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<BytesRecord> out) throws Exception {
        JoinState s = state.value();
        if (s == null) {
            return;
        }
        if (s.impressionSeen && !s.closed) {
            if (ts >= s.closeTimeMs) {
                boolean emitAtClose =
                        policy == EmissionPolicy.WINDOW
                                || (policy == EmissionPolicy.EARLY_POSITIVE && !s.clickEmitted);
                if (emitAtClose) {
                    emitAtClose(s, ctx.getCurrentKey(), out);
                }
                s.closed = true;
                s.impression = null;
                ctx.timerService().registerEventTimeTimer(s.closeTimeMs + graceMs);
                state.update(s);
            }
            return;
        }
        if (!s.impressionSeen) {
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
        if (s.closed && ts >= s.closeTimeMs + graceMs) {
            state.clear();
        }
    }

    /**
     * The window-close example; a negative ({@code click = 0}) is kept with the sampling rate (by a
     * hash of its id) and counted when dropped.
     */
    private void emitAtClose(JoinState s, String exampleId, Collector<BytesRecord> out) {
        Map<String, Float> labels = s.labels(windows);
        float rate = 1f;
        if (labels.get(JoinState.label(ActionType.CLICK)) == 0f) {
            if (!sampler.keep(exampleId)) {
                negativesDropped.inc();
                return;
            }
            rate = (float) sampler.rate();
        }
        emit(s, EmissionKind.WINDOW_CLOSE, s.closeTimeMs, labels, rate, out);
    }

    private void emit(
            JoinState s,
            EmissionKind kind,
            long emitTimeMs,
            Map<String, Float> labels,
            float samplingRate,
            Collector<BytesRecord> out) {
        DecodeResult<Impression> d = impressionCodec.decode(s.impression);
        // The bytes were validated on the way in; failing here is a bug (e.g. a schema dropped from
        // history).
        Impression imp = d.value();
        LabeledExample ex =
                LabeledExample.newBuilder()
                        .setExampleId(imp.getImpressionId())
                        .setRequestId(imp.getRequestId())
                        .setImpressionTimeMs(imp.getEventTimeMs())
                        .setEmitTimeMs(emitTimeMs)
                        .setPosition(imp.getPosition())
                        .setFeatures(imp.getFeatures())
                        .setLabels(labels)
                        .setOracleProbability(imp.getOracleProbability())
                        .setHoldout(imp.getHoldout())
                        .setSamplingRate(samplingRate)
                        .setEmission(kind)
                        .build();
        examples.inc();
        if (labels.get(JoinState.label(ActionType.CLICK)) > 0f) {
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
