package io.freshrank.jobs.join;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.jobs.common.DeadLetters;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import io.freshrank.schema.avro.LabeledExample;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * {@link JoinLabelsFunction} on Flink's keyed operator harness, with helpers that feed encoded
 * impressions and actions and decode what comes out. Event time advances only by explicit {@link
 * #watermark} calls. Not thread-safe; one per test.
 */
final class JoinHarness implements AutoCloseable {
    private final EventCodec<Impression> impressions = EventCodec.of(Impression.class);
    private final EventCodec<Action> actions = EventCodec.of(Action.class);
    private final EventCodec<LabeledExample> examples = EventCodec.of(LabeledExample.class);
    private final EventCodec<DeadLetter> deadLetters = EventCodec.of(DeadLetter.class);
    private final KeyedOneInputStreamOperatorTestHarness<String, JoinInput, BytesRecord> harness;

    /** The label map of an example: every task, as the join writes it. */
    static Map<String, Float> labels(float click, float like, float conversion, float dwell) {
        return Map.of("click", click, "like", like, "conversion", conversion, "dwell", dwell);
    }

    /** A dead letter of the join: its reason and the id of the action it carries. */
    record Dead(String reason, String actionId) {}

    private final InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
    private final MockEnvironment environment;

    private JoinHarness(JoinConfig config, OperatorSubtaskState restore) throws Exception {
        environment = new MockEnvironmentBuilder().setMetricGroup(new TaskMetrics(metrics)).build();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new JoinLabelsFunction(config)),
                        LabelJoinPipeline.JoinInputKey.INSTANCE,
                        Types.STRING,
                        environment);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
    }

    static JoinHarness open(long windowMs, long graceMs, EmissionPolicy policy) throws Exception {
        return open(config(windowMs, graceMs, policy));
    }

    static JoinHarness open(JoinConfig config) throws Exception {
        return new JoinHarness(config, null);
    }

    /** A new harness whose operator starts from {@code snapshot} (a restore after a failure). */
    static JoinHarness restore(
            long windowMs, long graceMs, EmissionPolicy policy, OperatorSubtaskState snapshot)
            throws Exception {
        return restore(config(windowMs, graceMs, policy), snapshot);
    }

    static JoinHarness restore(JoinConfig config, OperatorSubtaskState snapshot) throws Exception {
        return new JoinHarness(config, snapshot);
    }

    /** One window for every action type, no sampling. */
    static JoinConfig config(long windowMs, long graceMs, EmissionPolicy policy) {
        return JoinConfig.of(Duration.ofMillis(windowMs), Duration.ofMillis(graceMs), policy);
    }

    /** The value of the operator's counter {@code name}. */
    long counter(String name) {
        Metric m = metrics.get(name);
        if (!(m instanceof Counter c)) {
            throw new IllegalArgumentException("no counter " + name + ", got " + m);
        }
        return c.getCount();
    }

    /** A task metric group whose operators all report into one intercepting group. */
    private static final class TaskMetrics extends InterceptingTaskMetricGroup {
        private final InterceptingOperatorMetricGroup operator;

        TaskMetrics(InterceptingOperatorMetricGroup operator) {
            this.operator = operator;
        }

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(
                OperatorID id, String name, Map<String, String> attributes) {
            return operator;
        }

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(String name) {
            return operator;
        }
    }

    /** Sets the processing time the state TTL is measured in. */
    void stateTtlTime(long t) {
        harness.setStateTtlProcessingTime(t);
    }

    OperatorSubtaskState snapshot(long checkpointId) throws Exception {
        return harness.snapshot(checkpointId, checkpointId);
    }

    void impression(String id, long t) throws Exception {
        Impression imp =
                Impression.newBuilder()
                        .setImpressionId(id)
                        .setRequestId("r-" + id)
                        .setEventTimeMs(t)
                        .setPosition(0)
                        .setFeatures(
                                Features.newBuilder()
                                        .setCategorical(Map.of("user_id", "u"))
                                        .build())
                        .build();
        harness.processElement(
                new StreamRecord<>(JoinInput.impression(id, t, impressions.encode(imp)), t));
    }

    void click(String impressionId, String actionId, long t) throws Exception {
        action(impressionId, actionId, ActionType.CLICK, t, 1f);
    }

    void action(String impressionId, String actionId, ActionType type, long t, float value)
            throws Exception {
        Action a =
                Action.newBuilder()
                        .setActionId(actionId)
                        .setImpressionId(impressionId)
                        .setType(type)
                        .setEventTimeMs(t)
                        .setValue(value)
                        .build();
        harness.processElement(
                new StreamRecord<>(
                        JoinInput.action(
                                impressionId,
                                actionId,
                                type.ordinal(),
                                t,
                                value,
                                actions.encode(a)),
                        t));
    }

    void watermark(long t) throws Exception {
        harness.processWatermark(t);
    }

    /** Every example emitted so far, in emission order. */
    List<LabeledExample> emitted() {
        List<LabeledExample> out = new ArrayList<>();
        for (BytesRecord r : harness.extractOutputValues()) {
            out.add(examples.decode(r.value).value());
        }
        return out;
    }

    /** Every dead letter emitted so far, in order. */
    List<Dead> deadLetters() {
        List<Dead> out = new ArrayList<>();
        var side = harness.getSideOutput(DeadLetters.TAG);
        if (side != null) {
            for (StreamRecord<BytesRecord> r : side) {
                DeadLetter dl = deadLetters.decode(r.getValue().value).value();
                ByteBuffer payload = dl.getPayload().duplicate();
                byte[] bytes = new byte[payload.remaining()];
                payload.get(bytes);
                out.add(new Dead(dl.getReason(), actions.decode(bytes).value().getActionId()));
            }
        }
        return out;
    }

    List<String> deadLetterReasons() {
        return deadLetters().stream().map(Dead::reason).toList();
    }

    /** Closes the harness; declared without {@code throws Exception} for try-with-resources. */
    @Override
    public void close() {
        try (environment) {
            harness.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot close the join's test harness", e);
        }
    }
}
