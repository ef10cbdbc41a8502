package io.freshrank.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The synthetic fixtures under {@code src/test/resources/replay} and helpers to read replays. */
final class ReplayFixtures {
    private ReplayFixtures() {}

    static Path fixture(String relative) {
        URL url = ReplayFixtures.class.getResource("/replay/" + relative);
        assertThat(url).as("test fixture replay/%s", relative).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every event of one pass. */
    static List<SimEvent> drain(DatasetReplay replay) {
        List<SimEvent> out = new ArrayList<>();
        try (ReplayIterator it = replay.events()) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }

    static List<Impression> impressions(List<SimEvent> events) {
        return events.stream()
                .filter(e -> e instanceof SimEvent.ImpressionEvent)
                .map(e -> ((SimEvent.ImpressionEvent) e).impression())
                .toList();
    }

    static List<Action> actions(List<SimEvent> events) {
        return events.stream()
                .filter(e -> e instanceof SimEvent.ActionEvent)
                .map(e -> ((SimEvent.ActionEvent) e).action())
                .toList();
    }

    static Impression impression(List<SimEvent> events, String impressionId) {
        return impressions(events).stream()
                .filter(i -> i.getImpressionId().equals(impressionId))
                .findFirst()
                .orElseThrow(
                        () ->
                                new AssertionError(
                                        "no impression "
                                                + impressionId
                                                + " among "
                                                + impressions(events).stream()
                                                        .map(Impression::getImpressionId)
                                                        .toList()));
    }

    /**
     * The contract every replay keeps: non-decreasing event time, unique impression ids, every
     * action after its own impression (in stream order and in time), unique action ids.
     */
    static void assertReplayContract(List<SimEvent> events) {
        long last = Long.MIN_VALUE;
        Set<String> seen = new HashSet<>();
        Set<String> actionIds = new HashSet<>();
        java.util.Map<String, Long> impressionTimes = new java.util.HashMap<>();
        for (SimEvent e : events) {
            assertThat(e.eventTimeMs()).as("event time of %s", e).isGreaterThanOrEqualTo(last);
            last = e.eventTimeMs();
            if (e instanceof SimEvent.ImpressionEvent imp) {
                assertThat(seen.add(imp.impressionId()))
                        .as("impression id %s is unique", imp.impressionId())
                        .isTrue();
                impressionTimes.put(imp.impressionId(), e.eventTimeMs());
            } else {
                Action a = ((SimEvent.ActionEvent) e).action();
                assertThat(impressionTimes)
                        .as("impression of action %s came before it", a.getActionId())
                        .containsKey(a.getImpressionId());
                assertThat(a.getEventTimeMs())
                        .isGreaterThanOrEqualTo(impressionTimes.get(a.getImpressionId()));
                assertThat(actionIds.add(a.getActionId()))
                        .as("action id %s is unique", a.getActionId())
                        .isTrue();
            }
        }
    }
}
