/**
 * Pieces every Freshrank job shares: Kafka record types and (de)serializers that keep source
 * coordinates, the dead-letter contract, configuration options and the stable operator uids.
 */
package io.freshrank.jobs.common;
