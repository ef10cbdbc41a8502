/**
 * Benchmark commands (not tests): {@link io.freshrank.deploy.bench.TrainBenchmark} ({@code
 * ./freshrank bench-train}) measures the training job's throughput and state bytes per row on the
 * embedded default, one fresh stack per configuration, with a synthetic Zipf id stream. They live
 * here rather than in test code because they are run on purpose, print a report, and assert
 * nothing; they reuse the embedded default of {@code io.freshrank.deploy.local}.
 */
package io.freshrank.deploy.bench;
