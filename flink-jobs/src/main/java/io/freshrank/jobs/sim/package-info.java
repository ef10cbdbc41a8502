/**
 * The traffic simulator: synthetic impressions, clicks and likes with a known click model, and a
 * producer that writes them to Kafka at a chosen event-time speed.
 *
 * <p>Why: an online learner needs a stream whose ground truth is known. Every simulated impression
 * carries its true click probability, so the metrics can compare a model's AUC with the oracle's
 * (the best any model could reach on the same labels), and the click model is built from terms the
 * feature spec {@code FeatureSpec.simulator()} can express (user, item, segment x category,
 * position, device, recent categories, item age) plus a small per-user x per-item latent part, so a
 * factorization model has a well-defined target. Delayed, log-normal clicks and likes exercise the
 * label join's attribution window; drifting item quality exercises freshness.
 *
 * <p>{@link io.freshrank.jobs.sim.TrafficSimulator} and {@link
 * io.freshrank.jobs.sim.SimulatorConfig} are pure Java (deterministic for a seed, no clock, no
 * I/O), so tests and benchmarks can generate the same stream in memory; only {@link
 * io.freshrank.jobs.sim.SimulatorProducer} touches Kafka and the wall clock. Nothing here uses
 * Flink.
 */
package io.freshrank.jobs.sim;
