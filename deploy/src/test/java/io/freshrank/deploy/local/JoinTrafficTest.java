package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.deploy.local.JoinTraffic.Event;
import io.freshrank.deploy.local.JoinTraffic.Kind;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.EventValidator;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The failure test's traffic has what the test claims (every kind of event and bad input), its bad
 * records are rejected by the real decoders with the reasons the test expects, and its timing keeps
 * every label independent of how partitions interleave (see {@link JoinTraffic}).
 */
class JoinTrafficTest {
    private static final JoinTraffic TRAFFIC = JoinTraffic.generate(42, 400, 12_000, 2);

    @Test
    void everyKindOfEventAndBadInputIsPlanted() {
        assertThat(TRAFFIC.expectedLabels()).hasSize(400);
        assertThat(TRAFFIC.expectedLabels().values())
                .anySatisfy(l -> assertThat(l).containsEntry("click", 1f))
                .anySatisfy(l -> assertThat(l).containsEntry("click", 0f))
                .anySatisfy(l -> assertThat(l).containsKey("dwell"))
                .anySatisfy(l -> assertThat(l).containsKey("like"))
                .anySatisfy(l -> assertThat(l).containsKey("conversion"));
        assertThat(Set.copyOf(TRAFFIC.expectedDeadLetters().values()))
                .containsExactlyInAnyOrder(
                        "UNDECODABLE",
                        "UNKNOWN_SCHEMA",
                        "MISSING_FIELD",
                        "NON_FINITE",
                        "TIME_OUT_OF_RANGE",
                        "ORPHAN_ACTION",
                        "LATE");
        assertThat(TRAFFIC.lateActions).hasSizeGreaterThanOrEqualTo(5);

        Map<String, Integer> copies = new HashMap<>();
        for (Event e : TRAFFIC.events) {
            if (e.kind() == Kind.IMPRESSION || e.kind() == Kind.ACTION) {
                copies.merge(e.kind() + "|" + id(e), 1, Integer::sum);
            }
        }
        for (Kind kind : List.of(Kind.IMPRESSION, Kind.ACTION)) {
            assertThat(copies)
                    .as("%s sent twice", kind)
                    .anySatisfy(
                            (k, n) ->
                                    assertThat(k + "|" + n).startsWith(kind + "|").endsWith("|2"));
        }
    }

    @Test
    void badRecordsAreRejectedByTheRealDecodersWithTheExpectedReason() {
        EventCodec<Impression> impressions = EventCodec.of(Impression.class);
        EventCodec<Action> actions = EventCodec.of(Action.class);
        EventValidator validator = EventValidator.defaults();
        for (Event e : TRAFFIC.events) {
            if (e.kind() != Kind.BAD) {
                continue;
            }
            String reason;
            if (e.send().topic().equals(JoinTraffic.IMPRESSIONS)) {
                DecodeResult<Impression> d = impressions.decode(e.send().value());
                reason =
                        d.isValid()
                                ? validator.check(d.value()).reason().name()
                                : d.reason().name();
            } else {
                DecodeResult<Action> d = actions.decode(e.send().value());
                reason =
                        d.isValid()
                                ? validator.check(d.value()).reason().name()
                                : d.reason().name();
            }
            assertThat(reason).as("reason of a planted %s", e.badReason()).isEqualTo(e.badReason());
        }
    }

    @Test
    void everyEventIsSentNoEarlierThanItsEventTimeAndAttributedOnesWhileTheirWindowIsOpen() {
        Map<String, Long> impressionTime = new HashMap<>();
        Map<String, Long> firstImpressionSend = new HashMap<>();
        for (Event e : TRAFFIC.events) {
            if (e.kind() == Kind.IMPRESSION) {
                String id = e.impression().getImpressionId().toString();
                impressionTime.put(id, e.impression().getEventTimeMs() - JoinTraffic.T0);
                firstImpressionSend.merge(id, e.send().atMs(), Math::min);
                assertThat(e.send().atMs()).isGreaterThanOrEqualTo(impressionTime.get(id));
            }
        }
        Set<String> actionFirst = new HashSet<>();
        for (Event e : TRAFFIC.events) {
            if (e.kind() != Kind.ACTION) {
                continue;
            }
            long t = e.action().getEventTimeMs() - JoinTraffic.T0;
            assertThat(e.send().atMs())
                    .as("%s sent before it happened", id(e))
                    .isGreaterThanOrEqualTo(t);
            Long imp = impressionTime.get(e.action().getImpressionId().toString());
            if (imp == null) {
                continue; // an orphan
            }
            String impressionId = e.action().getImpressionId().toString();
            if (e.send().atMs() < firstImpressionSend.get(impressionId)) {
                actionFirst.add(impressionId);
            }
            // the join's watermark is at most (send offset - bound) when it arrives: window open
            assertThat(e.send().atMs() - JoinTraffic.OUT_OF_ORDERNESS_MS)
                    .as("action %s arrives after its window may have closed", id(e))
                    .isLessThan(imp + JoinTraffic.WINDOW_MS - 1_000);
        }
        for (Map.Entry<String, Long> imp : impressionTime.entrySet()) {
            assertThat(firstImpressionSend.get(imp.getKey()) - JoinTraffic.OUT_OF_ORDERNESS_MS)
                    .isLessThan(imp.getValue() + JoinTraffic.WINDOW_MS - 1_000);
        }
        assertThat(actionFirst).as("impressions whose action is sent first").hasSizeGreaterThan(10);
    }

    private static String id(Event e) {
        return e.kind() == Kind.IMPRESSION
                ? e.impression().getImpressionId().toString()
                : e.action().getActionId().toString();
    }
}
