package io.freshrank.jobs.common;

/**
 * Stable uids of every stateful operator (and its display name). Changing a uid orphans that
 * operator's state in existing checkpoints and savepoints: treat it as a state migration.
 */
public final class OperatorIds {
    private OperatorIds() {}

    public static final String IMPRESSIONS_SOURCE = "impressions-source";
    public static final String ACTIONS_SOURCE = "actions-source";
    public static final String DECODE_IMPRESSIONS = "decode-impressions";
    public static final String DECODE_ACTIONS = "decode-actions";
    public static final String JOIN_LABELS = "join-labels";
    public static final String EXAMPLES_SINK = "examples-sink";
    public static final String JOIN_DEAD_LETTERS_SINK = "join-dead-letters-sink";
    public static final String ASSEMBLE_LISTS = "assemble-lists";
    public static final String EXAMPLE_LISTS_SINK = "example-lists-sink";

    public static final String EXAMPLES_SOURCE = "examples-source";
    public static final String DECODE_EXAMPLES = "decode-examples";
    public static final String BATCH_EXAMPLES = "batch-examples";
    public static final String GRADIENTS_SOURCE = "gradients-source";
    public static final String DENSE_UPDATES_SOURCE = "dense-updates-source";
    public static final String EMBEDDING_SHARDS = "embedding-shards";
    public static final String TRAINER = "trainer";
    public static final String GRADIENTS_SINK = "gradients-sink";
    public static final String DENSE_UPDATES_SINK = "dense-updates-sink";
    public static final String PREDICTIONS_SINK = "predictions-sink";
    public static final String TRAIN_DEAD_LETTERS_SINK = "train-dead-letters-sink";
    public static final String PUBLISH_SNAPSHOTS = "publish-snapshots";
}
