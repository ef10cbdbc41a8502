/**
 * Model math shared by training (inside Flink) and serving (outside it): the DeepFM ranking model's
 * forward and backward passes over mini-batches (ND4J for the MLP, plain Java for per-row work),
 * embedding pooling and gradient scatter, stateless optimizers and deterministic row
 * initialisation.
 *
 * <p>There is exactly one forward pass: the trainer's progressive-validation score and the ranking
 * server's score both come from {@link io.freshrank.model.DeepFmModel#forward}, so a served model
 * scores an example exactly as the job did.
 */
package io.freshrank.model;
