/**
 * Online training on the example stream (Monolith-style sparse parameters in Flink keyed state,
 * dense parameters in the trainer).
 *
 * <pre>
 * examples -> BatchExamplesOperator --LookupRequest per shard (partitionCustom by key group)--> EmbeddingShardOperator
 *                 \--TrainBatch------------------------------------------------------------\        |
 *                                                                     keyBy(batchId)       v        v LookupResponse
 *                                                                     TrainBatchFunction (forward, progressive
 *                                                                     validation, backward, dense Adagrad)
 *                                                                        |  GradientUpdate per shard
 *                                                                        v
 *                                                        [gradients] Kafka topic -> EmbeddingShardOperator input 2
 * </pre>
 *
 * Flink 2.x has no iteration API, so the gradient back-edge is a Kafka topic (at-least-once).
 * Embedding rows are keyed by the raw 64-bit feature id (no modulo buckets); each shard owns a
 * range of key groups, and lookups are batched per key group range so one record carries all ids of
 * a batch for one shard. Rows are created deterministically from their id ({@link
 * io.freshrank.model.RowInitializer}), so a row is the same whichever parallelism creates it.
 *
 * <p>Guarantee: gradients are applied at least once. After a restore from a checkpoint, gradients
 * produced after that checkpoint may be applied again when the batches that produced them are
 * retrained.
 */
package io.freshrank.jobs.train;
