/**
 * Wire formats of Freshrank's events and their registry-free serde.
 *
 * <p>Every event on a Kafka topic is Avro <em>single-object encoded</em> (bytes {@code C3 01}, the
 * 8-byte CRC-64-AVRO fingerprint of the writer schema, the binary body). Readers resolve the writer
 * schema by that fingerprint from {@link io.freshrank.schema.SchemaHistory}, which holds every
 * released writer version of every record; no schema registry server is needed. An unknown
 * fingerprint or a corrupt body is an invalid event (a {@link io.freshrank.schema.DecodeResult}
 * carrying an {@link io.freshrank.schema.InvalidReason}), never an exception: jobs route invalid
 * events to the dead-letter topic.
 */
package io.freshrank.schema;
