package io.freshrank.jobs.sim;

import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;
import java.util.Objects;

/**
 * One event of the simulated stream: an impression or an action, with its event time. The Avro
 * record is handed over: the simulator keeps no reference to it.
 */
public sealed interface SimEvent permits SimEvent.ImpressionEvent, SimEvent.ActionEvent {

    /** Event time, epoch milliseconds. */
    long eventTimeMs();

    /** The impression id the event belongs to (the Kafka key of both topics). */
    String impressionId();

    /** An impression was shown. */
    record ImpressionEvent(Impression impression) implements SimEvent {
        public ImpressionEvent {
            Objects.requireNonNull(impression, "impression");
        }

        @Override
        public long eventTimeMs() {
            return impression.getEventTimeMs();
        }

        @Override
        public String impressionId() {
            return impression.getImpressionId();
        }
    }

    /** A user acted on an earlier impression (a click, or a like after a click). */
    record ActionEvent(Action action) implements SimEvent {
        public ActionEvent {
            Objects.requireNonNull(action, "action");
        }

        @Override
        public long eventTimeMs() {
            return action.getEventTimeMs();
        }

        @Override
        public String impressionId() {
            return action.getImpressionId();
        }
    }
}
