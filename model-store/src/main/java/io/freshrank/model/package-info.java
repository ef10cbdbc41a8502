/**
 * Model math shared by training (inside Flink) and serving (outside it): the DeepFM ranking model's
 * forward and backward passes over mini-batches (ND4J for the MLP, plain Java for per-row work),
 * embedding pooling and gradient scatter, stateless optimizers and deterministic row
 * initialisation.
 *
 * <p>There is exactly one forward pass: the trainer's progressive-validation score and the ranking
 * server's score both come from {@link io.freshrank.model.DeepFmModel#forward}, so a served model
 * scores an example as the job did (to float rounding: GEMM results may differ in the last bits
 * between batch sizes; for the same batch, training and scoring logits are bitwise equal).
 *
 * <p>The dense parameter layout documented on {@link io.freshrank.model.DeepFmModel} and the row
 * initialisation of {@link io.freshrank.model.RowInitializer} are part of the persisted model:
 * snapshots store the flat parameter array as is, and rows must initialise identically on every
 * shard and JVM (so the random streams are implemented here rather than taken from the JDK).
 * Classes holding ND4J buffers ({@code DeepFmModel}, {@code Scorer}) are single-threaded; the rest
 * are stateless.
 *
 * <p>Embedding rows are trained with a {@link io.freshrank.model.RowOptimizer} (Adagrad, FTRL or
 * Adam, chosen by {@link io.freshrank.model.RowOptimizers#create}) that keeps its per-row slots in
 * a float array next to the row, optionally after {@link io.freshrank.model.RowClipping}; the dense
 * parameters keep using {@link io.freshrank.model.AdagradOptimizer}.
 */
package io.freshrank.model;
