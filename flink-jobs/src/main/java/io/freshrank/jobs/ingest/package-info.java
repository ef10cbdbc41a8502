/**
 * Ingest: raw Kafka records to typed, validated events. A record that cannot be decoded (bad
 * header, unknown writer-schema fingerprint, corrupt body) or fails validation becomes a dead
 * letter with its reason and coordinates; the job keeps running.
 */
package io.freshrank.jobs.ingest;
