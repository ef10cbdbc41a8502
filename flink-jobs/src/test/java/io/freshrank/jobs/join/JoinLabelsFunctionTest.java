package io.freshrank.jobs.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.common.BytesRecord;
import io.freshrank.jobs.common.DeadLetters;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import io.freshrank.schema.avro.LabeledExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The join's contract on Flink's keyed operator harness (event time driven by explicit watermarks).
 */
class JoinLabelsFunctionTest {
    private static final long WINDOW = 10_000;
    private static final long GRACE = 5_000;
    private static final long T0 = 1_767_225_600_000L;

    private final EventCodec<Impression> impressions = EventCodec.of(Impression.class);
    private final EventCodec<Action> actions = EventCodec.of(Action.class);
    private final EventCodec<LabeledExample> examples = EventCodec.of(LabeledExample.class);
    private final EventCodec<DeadLetter> deadLetters = EventCodec.of(DeadLetter.class);
    private OneInputStreamOperatorTestHarness<JoinInput, BytesRecord> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new JoinLabelsFunction(WINDOW, GRACE)),
                        in -> in.impressionId,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void clickInsideWindowGivesPositiveAndNoClickGivesNegativeAtWindowClose() throws Exception {
        impression("a", T0);
        impression("b", T0 + 100);
        click("a", "click-a", T0 + 3_000);
        harness.processWatermark(T0 + WINDOW - 1);
        assertThat(emitted()).isEmpty();

        harness.processWatermark(T0 + WINDOW + 100);
        List<LabeledExample> out = emitted();
        assertThat(out).extracting(e -> e.getExampleId()).containsExactlyInAnyOrder("a", "b");
        assertThat(label(out, "a")).isEqualTo(1f);
        assertThat(label(out, "b")).isEqualTo(0f);
        assertThat(out.get(0).getEmitTimeMs()).isGreaterThanOrEqualTo(T0 + WINDOW);
    }

    @Test
    void duplicatesAreIgnored() throws Exception {
        impression("a", T0);
        impression("a", T0);
        click("a", "c1", T0 + 1_000);
        click("a", "c1", T0 + 1_000);
        harness.processWatermark(T0 + WINDOW + 1);
        impression("a", T0); // duplicate after emission, inside the grace period: still ignored
        harness.processWatermark(T0 + WINDOW + 2 * GRACE + 10);
        assertThat(emitted()).hasSize(1);
        assertThat(deadLetterReasons()).isEmpty();
    }

    @Test
    void clickAfterWindowIsNotAttributed() throws Exception {
        impression("a", T0);
        click(
                "a",
                "late",
                T0 + WINDOW + 2_000); // arrives before the window closes, happened after it
        harness.processWatermark(T0 + WINDOW + 1);
        assertThat(label(emitted(), "a")).isEqualTo(0f);
    }

    @Test
    void actionAfterEmissionIsDeadLetteredAsLate() throws Exception {
        impression("a", T0);
        harness.processWatermark(T0 + WINDOW + 1);
        click("a", "late", T0 + WINDOW + 2_000);
        assertThat(emitted()).hasSize(1);
        assertThat(deadLetterReasons()).containsExactly("LATE");
    }

    @Test
    void actionBeforeItsImpressionIsJoinedAndOrphansAreDeadLettered() throws Exception {
        click("a", "early", T0 + 500); // arrives first, happened after the impression
        impression("a", T0);
        click("ghost", "orphan", T0 + 600);
        harness.processWatermark(T0 + WINDOW + GRACE + 1);
        assertThat(label(emitted(), "a")).isEqualTo(1f);
        assertThat(deadLetterReasons()).containsExactly("ORPHAN_ACTION");
    }

    private void impression(String id, long t) throws Exception {
        Impression imp =
                Impression.newBuilder()
                        .setImpressionId(id)
                        .setRequestId("r")
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

    private void click(String impressionId, String actionId, long t) throws Exception {
        Action a =
                Action.newBuilder()
                        .setActionId(actionId)
                        .setImpressionId(impressionId)
                        .setType(ActionType.CLICK)
                        .setEventTimeMs(t)
                        .build();
        harness.processElement(
                new StreamRecord<>(
                        JoinInput.action(
                                impressionId,
                                actionId,
                                ActionType.CLICK.ordinal(),
                                t,
                                1f,
                                actions.encode(a)),
                        t));
    }

    private List<LabeledExample> emitted() {
        List<LabeledExample> out = new ArrayList<>();
        for (BytesRecord r : harness.extractOutputValues()) {
            out.add(examples.decode(r.value).value());
        }
        return out;
    }

    private List<String> deadLetterReasons() {
        List<String> out = new ArrayList<>();
        var side = harness.getSideOutput(DeadLetters.TAG);
        if (side != null) {
            for (StreamRecord<BytesRecord> r : side) {
                out.add(deadLetters.decode(r.getValue().value).value().getReason());
            }
        }
        return out;
    }

    private static float label(List<LabeledExample> out, String id) {
        return out.stream()
                .filter(e -> e.getExampleId().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no example " + id + " in " + out))
                .getLabels()
                .get("click");
    }
}
