package io.freshrank.jobs.replay;

import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Features;
import java.util.List;

/**
 * One request (shown list) as a reader parsed it, in original time: the items shown and the actions
 * each received. Readers produce these; {@link ReplayStream} turns them into events.
 *
 * @param requestId the request (list) id, prefixed with the dataset name
 * @param originalTimeMs when the list was shown, original epoch ms
 * @param items the shown items in position order
 */
record ShownRequest(String requestId, long originalTimeMs, List<Item> items) {

    ShownRequest {
        items = List.copyOf(items);
    }

    /** The default impression id of a request's item: {@code requestId-position}. */
    static String impressionId(String requestId, int position) {
        return requestId + "-" + position;
    }

    /**
     * One shown item.
     *
     * @param impressionId unique within the replay
     * @param position 0-based position in the list
     * @param features raw features, slot names as in the dataset's spec
     * @param actions what the user did with it, in original time
     */
    record Item(
            String impressionId, int position, Features features, List<OriginalAction> actions) {
        Item {
            actions = List.copyOf(actions);
        }
    }

    /**
     * An action in original time.
     *
     * @param type what happened
     * @param originalTimeMs when, original epoch ms (never before the impression)
     * @param value 1 for binary actions
     */
    record OriginalAction(ActionType type, long originalTimeMs, float value) {}
}
