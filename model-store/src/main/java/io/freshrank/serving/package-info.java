/**
 * The ranking server and its model pull client, free of the Flink runtime so it runs as a small
 * standalone process next to the store.
 *
 * <p>{@link io.freshrank.serving.ModelPuller} polls the store's {@code LATEST}, loads and verifies
 * a new version off the request path and swaps it in atomically (keeping the old model when a
 * snapshot is bad); a delta on the served version is applied in memory as an overlay on the served
 * rows instead of reloading the chain (no table copy, no pause), and overlays are compacted into
 * one table beyond a configured depth. Every swap records its freshness delay (swap time minus the
 * Kafka ingest time of the newest trained example); {@link io.freshrank.serving.ServingModel}
 * scores with the very {@link io.freshrank.model.Scorer} the trainer uses (no second forward pass),
 * one per request thread; {@link io.freshrank.serving.RankingServer} exposes {@code POST /rank},
 * health, model provenance and Prometheus metrics on the JDK's HTTP server, so serving adds no web
 * framework.
 */
package io.freshrank.serving;
