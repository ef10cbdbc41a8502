/**
 * The label join: impressions and actions keyed by impression id, joined in event time inside an
 * attribution window. When the window closes (an event-time timer at impression time + window) the
 * impression is emitted as a {@link io.freshrank.schema.avro.LabeledExample}, positive for every
 * action type seen inside the window, negative otherwise. Duplicate impressions and actions (same
 * id) are ignored and counted; an action whose impression never arrives within the orphan grace
 * period, or that arrives after its impression was emitted, is dead-lettered ({@code
 * ORPHAN_ACTION}, {@code LATE}). Waiting impressions live in keyed state (RocksDB in production),
 * never on the heap of the function.
 */
package io.freshrank.jobs.join;
