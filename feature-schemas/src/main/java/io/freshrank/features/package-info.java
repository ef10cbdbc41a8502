/**
 * Feature specs and feature ids.
 *
 * <p>A {@link io.freshrank.features.FeatureSpec} declares the slots a model reads (kind, embedding
 * dim, admission threshold, idle expiry, optimizer). {@link io.freshrank.features.FeatureHasher}
 * turns (slot, raw value) into a 64-bit feature id with the slot id in the top 8 bits and a 56-bit
 * MurmurHash3 of the value below, so the same raw value in two slots never shares an embedding row
 * and there are no modulo buckets: two distinct values share a row only on a 56-bit hash collision
 * (about 1e-8 per id at a billion ids per slot). This is the Monolith idea (Liu et al., "Monolith:
 * Real Time Recommendation System With Collisionless Embedding Table", 2022).
 */
package io.freshrank.features;
