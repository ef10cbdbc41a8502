/**
 * The label join: impressions and actions keyed by impression id, joined in event time inside an
 * attribution window of length {@code W} ({@code freshrank.join.attribution-window}), emitted as
 * {@link io.freshrank.schema.avro.LabeledExample}s at the moments the emission policy ({@link
 * io.freshrank.jobs.join.EmissionPolicy}, {@code freshrank.join.emission-policy}) chooses. Waiting
 * impressions live in keyed state (RocksDB in production), never on the heap of the function.
 *
 * <h2>Rules shared by every policy</h2>
 *
 * <ul>
 *   <li>An action is <em>attributed</em> to its impression when its event time is in {@code
 *       [impression time, impression time + W]} and it arrives before the watermark passes the
 *       window's close. Labels: {@code click}, {@code like}, {@code conversion} are 0/1, {@code
 *       dwell} sums seconds; {@code click} is always present.
 *   <li>Duplicate impressions and actions (same id) are ignored and counted.
 *   <li>An action arriving after its impression's window closed is dead-lettered {@code LATE} (the
 *       closed impression is remembered for the orphan grace period {@code G}); an action whose
 *       impression does not arrive within {@code G} of it is dead-lettered {@code ORPHAN_ACTION}.
 *       After close + {@code G} the id is forgotten.
 *   <li>{@code emitTimeMs} is the event time of the emission: window close for {@code
 *       WINDOW_CLOSE}, the (earliest attributed) click's time for {@code EARLY_POSITIVE} and {@code
 *       CORRECTION}, the impression time for {@code FAKE_NEGATIVE}.
 * </ul>
 *
 * <h2>Contract: what every impression yields</h2>
 *
 * <ul>
 *   <li>{@code WINDOW}: exactly one example, {@code WINDOW_CLOSE}, when the watermark passes the
 *       window's close, with the labels of every attributed action.
 *   <li>{@code EARLY_POSITIVE}: exactly one example. As soon as the impression and an attributed
 *       click are both here (before close): {@code EARLY_POSITIVE} with {@code click = 1} and the
 *       labels of the attributed actions that arrived so far; nothing at close. Without an
 *       attributed click: {@code WINDOW_CLOSE} at close as under {@code WINDOW} ({@code click =
 *       0}). Actions that arrive after the early positive are not re-emitted: multi-task labels
 *       (like, dwell, conversion) after the first click are lost.
 *   <li>{@code FAKE_NEGATIVE}: exactly one {@code FAKE_NEGATIVE} example on the impression's
 *       arrival, labels {@code click = 0} only, plus at most one {@code CORRECTION} (same {@code
 *       exampleId}, {@code click = 1}, the labels of the attributed actions that arrived so far) as
 *       soon as an attributed click is here (before close); nothing at close. The negative is not
 *       retracted: the trainer sees a clicked impression twice, once per label (Ktena et al.,
 *       "Addressing Delayed Feedback for Continuous Training with Neural Networks in CTR
 *       Prediction", RecSys 2019). Labels of other tasks reach the trainer only on a correction.
 * </ul>
 *
 * <p>(An impression duplicated more than {@code W + G} after its original is a new impression to
 * the join; the contracts hold for duplicates closer than that.)
 *
 * <h2>Delivery and restarts</h2>
 *
 * <p>The contracts above are per run of the operator. Across a failure, keyed state (waiting
 * impressions, the ids of the impressions and actions seen, tombstones) and timers come back from
 * the last completed checkpoint and the sources replay from its offsets, so duplicates stay
 * recognised after a restore. What reaches Kafka depends on {@code freshrank.join.delivery} ({@link
 * io.freshrank.jobs.common.SinkDelivery}):
 *
 * <ul>
 *   <li>{@code EXACTLY_ONCE} (default): examples and dead letters are written in Kafka transactions
 *       committed when the checkpoint covering them completes; output written after the last
 *       completed checkpoint is aborted and re-emitted by the replay. A {@code read_committed}
 *       consumer sees each contract emission exactly once, up to one checkpoint interval (plus the
 *       commit) after it was emitted.
 *   <li>{@code AT_LEAST_ONCE}: output is visible at once; after a failure the emissions since the
 *       last completed checkpoint appear twice (same example id and labels).
 * </ul>
 *
 * <p>Watermarks are not part of a checkpoint: a replay rebuilds them from the records it reads. An
 * action that arrived just before its window closed in the first run can therefore arrive after it
 * closed in the replay (and be {@code LATE}) only if it was behind the out-of-orderness bound in
 * the stream of its source subtask (watermarks are assigned after decoding, per subtask, not per
 * Kafka partition: with one partition per subtask that is its partition, with several their
 * interleaving may differ in a replay). Within the bound, labels after a restore equal those of an
 * uninterrupted run ({@code JoinRestoreDeduplicationTest} on the harness, {@code JoinFailureITCase}
 * on a real broker and MiniCluster with a TaskManager failure).
 *
 * <h2>What each policy costs</h2>
 *
 * <p>{@code d} = delay from impression to click, {@code B} = watermark out-of-orderness bound,
 * {@code p} = true click probability (within {@code W}), CTR = the average of {@code p}.
 *
 * <table>
 *   <caption>Emission policies</caption>
 *   <tr><th>policy</th><th>freshness: a positive reaches the trainer</th>
 *       <th>bias: what the trainer sees wrong, and for how long</th>
 *       <th>state and output cost</th></tr>
 *   <tr><td>{@code WINDOW}</td>
 *       <td>{@code W + B} after the impression; negatives too. Every example is as old as the
 *       window.</td>
 *       <td>None within the definition "click within {@code W}": one example per impression with
 *       every task's labels. Its cost is staleness: the model always lags traffic by {@code
 *       W + B}.</td>
 *       <td>Impression bytes + actions of every impression for {@code W}, then a tombstone
 *       (flags, action ids) for {@code G}. One example per impression.</td></tr>
 *   <tr><td>{@code EARLY_POSITIVE}</td>
 *       <td>{@code d} after the impression (at the click, no watermark wait); negatives still
 *       {@code W + B}.</td>
 *       <td>Positives and negatives come from different moments: the newest {@code W} of traffic
 *       is present only through its positives, so the recent stream over-represents clicks and
 *       whatever correlates with recency (after a start or under drift, the model over-predicts
 *       for about {@code W}; in stationary traffic the rates even out). Labels of other tasks
 *       after the first click are lost, permanently biased low.</td>
 *       <td>As {@code WINDOW}, but a clicked impression drops its bytes at the click (saves about
 *       CTR x ({@code W - d}) of impression-bytes-time). One example per impression.</td></tr>
 *   <tr><td>{@code FAKE_NEGATIVE}</td>
 *       <td>{@code d} after the impression for positives; every impression reaches the trainer at
 *       once (as a negative).</td>
 *       <td>Every clicked impression is seen as a negative for {@code d}, then also as a
 *       positive: the observed click rate is {@code p / (1 + p)}, biased low for good unless the
 *       trainer applies the fake-negative importance weights (positive x {@code (1 + p)},
 *       negative x {@code (1 - p)(1 + p)}, {@code p} the model's own prediction without gradient)
 *       or calibrates {@code p = b / (1 - b)}. Progressive validation scores the negative copy of
 *       every clicked impression with label 0. Labels of other tasks of unclicked impressions,
 *       and after the click, are lost.</td>
 *       <td>As {@code WINDOW} (features must stay until the correction or close); bytes dropped at
 *       the correction. 1 + CTR examples per impression (topic and trainer load); the trainer
 *       needs a forward pass before the loss to weight it.</td></tr>
 * </table>
 *
 * <h2>Lists (for pairwise and listwise losses)</h2>
 *
 * <p>With {@code freshrank.join.lists=true} the examples also go through the list assembly ({@link
 * io.freshrank.jobs.join.ListAssemblyPipeline}: keyed by request id, {@link
 * io.freshrank.jobs.join.AssembleListsFunction} over the pure {@link
 * io.freshrank.jobs.join.ListAssembler}), which writes one {@link
 * io.freshrank.schema.avro.ListExample} per request to {@code freshrank.topics.example-lists}, with
 * the examples' delivery. The pointwise {@code examples} stream is unchanged.
 *
 * <ul>
 *   <li><em>When</em>: impressions do not carry their request's size, so a list cannot tell that it
 *       is complete; it is emitted when the watermark passes its deadline, the latest window close
 *       of its examples ({@code impression time + W}, also for an {@code EARLY_POSITIVE} example
 *       emitted before its close) plus {@code freshrank.join.lists.grace} ({@code L}, default 2 s).
 *       The join emits an example before it forwards the watermark that closed its window, so at
 *       the deadline every example of the request whose window closed by then has arrived:
 *       impressions of one request shown less than {@code L} apart always share one list.
 *   <li><em>What</em>: the request's examples sorted by position (ties by example id), each with
 *       its features (per candidate: the data model does not separate request and user features
 *       from item features), labels, emission kind and sampling rate; an example id seen twice is
 *       kept once ({@code listDuplicateExamples}). At most {@code freshrank.join.lists.max-size}
 *       candidates (default 200): the lowest positions are kept, the others counted in the list's
 *       {@code overflowCount} and in {@code listOverflowExamples}.
 *   <li><em>Policies</em>: {@code WINDOW} and {@code EARLY_POSITIVE} (whose early positives wait in
 *       the list for their window close: lists gain no freshness from it, and keep its lost
 *       multi-task labels). {@code FAKE_NEGATIVE} is rejected at startup: it emits a clicked
 *       impression twice with contradicting labels. With negative down-sampling a list holds the
 *       kept negatives, each with its {@code samplingRate}.
 *   <li><em>Latency</em>: a list reaches Kafka {@code L} of event time after its last example (plus
 *       the commit under {@code EXACTLY_ONCE}): {@code W + L + B} after its first impression.
 *   <li><em>Stragglers</em>: an example that reaches the assembly after its request's list was
 *       emitted (only possible for an impression whose window closed more than {@code L} after the
 *       others, or that the join emitted late) starts another list of that request ({@code
 *       lateListExamples}): every example is in exactly one list, a request may have two.
 *   <li><em>State</em>: the held examples in keyed map state (RocksDB), the list's progress
 *       (deadline, count, highest held position, overflow) in value state, both with a
 *       processing-time TTL ({@code freshrank.join.lists.state-ttl}, default 1 day) against leaks;
 *       a list whose state expired before its timer is lost and counted in {@code listsExpired}.
 *       Timers and state are checkpointed: a restore emits the lists an uninterrupted run would
 *       ({@code AssembleListsFunctionTest}, {@code ListAssemblyITCase} end to end).
 * </ul>
 */
package io.freshrank.jobs.join;
