/**
 * The ranking server and its model pull client, free of the Flink runtime so it runs as a small
 * standalone process next to the store.
 *
 * <p>{@link io.freshrank.serving.ModelPuller} polls the store's {@code LATEST}, loads and verifies
 * a new version off the request path and swaps it in atomically (keeping the old model when a
 * snapshot is bad); {@link io.freshrank.serving.ServingModel} scores with the very {@link
 * io.freshrank.model.Scorer} the trainer uses (no second forward pass), one per request thread;
 * {@link io.freshrank.serving.RankingServer} exposes {@code POST /rank}, health, model provenance
 * and Prometheus metrics on the JDK's HTTP server, so serving adds no web framework.
 */
package io.freshrank.serving;
