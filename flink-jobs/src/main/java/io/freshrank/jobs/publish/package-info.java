/**
 * Snapshot publishing tied to Flink checkpoints, two-phase like a transactional sink.
 *
 * <p>Phase 1 (pre-commit, inside checkpoint N's synchronous snapshot): every embedding shard writes
 * its rows, and trainer subtask 0 the dense parameters, into the model store's staging directory of
 * version N, each followed by a small part descriptor ({@code <file>.part.json}, written by tmp +
 * rename). Because these writes happen while the operators snapshot their state for checkpoint N,
 * the files hold exactly the model in checkpoint N.
 *
 * <p>Phase 2 (commit, on {@code notifyCheckpointComplete(N)}): trainer subtask 0 collects the part
 * descriptors and, once all shards' parts and the dense part are there, commits the manifest and
 * moves {@code LATEST} (tmp + rename). A checkpoint that never completes is never published; its
 * staging directory is garbage for retention. The model version is the checkpoint id, so versions
 * increase across restores.
 */
package io.freshrank.jobs.publish;
