/**
 * The label join: impressions and actions keyed by impression id, joined in event time inside
 * per-action attribution windows, emitted as {@link io.freshrank.schema.avro.LabeledExample}s at
 * the moments the emission policy ({@link io.freshrank.jobs.join.EmissionPolicy}, {@code
 * freshrank.join.emission-policy}) chooses. Waiting impressions live in keyed state (RocksDB in
 * production), never on the heap of the function; the state has a TTL so a lost timer cannot leak
 * it.
 *
 * <h2>Windows</h2>
 *
 * <p>Every action type {@code T} (click, like, conversion, dwell) has its own attribution window
 * {@code W_T}: {@code freshrank.join.windows} (e.g. {@code click=15min,like=1h,conversion=3d}),
 * {@code freshrank.join.attribution-window} for the types not listed (with nothing set, every type
 * has that one window: the behaviour before per-action windows). {@code W} below is the window that
 * closes the impression ({@link io.freshrank.jobs.join.AttributionWindows#closeAfterMs}):
 *
 * <ul>
 *   <li>{@code WINDOW}: the longest window {@code max_T W_T}: the impression waits until every
 *       type's window has closed, and its one example has every task's final label.
 *   <li>{@code EARLY_POSITIVE}, {@code FAKE_NEGATIVE}: the click window {@code W_click}. These
 *       policies exist for click freshness; waiting longer would keep the impression's state for
 *       nothing they could still emit. A type with a window longer than the click's is therefore
 *       effectively cut at {@code W_click} (its actions after that are {@code LATE}); a shorter one
 *       keeps its own.
 * </ul>
 *
 * <h2>Rules shared by every policy</h2>
 *
 * <ul>
 *   <li>An action of type {@code T} is <em>attributed</em> to its impression when its event time is
 *       in {@code [impression time, impression time + min(W_T, W)]} and it arrives before the
 *       watermark passes the impression's close (impression time + {@code W}).
 *   <li>Labels: every example carries every task: {@code click}, {@code like}, {@code conversion}
 *       0/1, {@code dwell} the sum of the attributed dwell actions' {@code value} (seconds); 0 for
 *       a task without an attributed action. {@code UNKNOWN} actions are recorded (deduplicated,
 *       dead-lettered when late) but label nothing.
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
 *       window's close ({@code W} = the longest window), with the final labels of every task.
 *   <li>{@code EARLY_POSITIVE}: exactly one example. As soon as the impression and an attributed
 *       click are both here (before close): {@code EARLY_POSITIVE} with {@code click = 1} and the
 *       labels of the attributed actions that arrived so far; nothing at close. Without an
 *       attributed click: {@code WINDOW_CLOSE} at close as under {@code WINDOW} ({@code click =
 *       0}). Actions that arrive after the early positive are not re-emitted: multi-task labels
 *       (like, dwell, conversion) after the first click are lost.
 *   <li>{@code FAKE_NEGATIVE}: exactly one {@code FAKE_NEGATIVE} example on the impression's
 *       arrival, every label 0, plus at most one {@code CORRECTION} (same {@code exampleId}, {@code
 *       click = 1}, the labels of the attributed actions that arrived so far) as soon as an
 *       attributed click is here (before close); nothing at close. The negative is not retracted:
 *       the trainer sees a clicked impression twice, once per label (Ktena et al., "Addressing
 *       Delayed Feedback for Continuous Training with Neural Networks in CTR Prediction", RecSys
 *       2019). Labels of other tasks reach the trainer only on a correction.
 * </ul>
 *
 * <p>(An impression duplicated more than {@code W + G} after its original is a new impression to
 * the join; the contracts hold for duplicates closer than that.)
 *
 * <p><b>Labels of windows still open at emission.</b> Under {@code WINDOW} no label is provisional.
 * Under the click-driven policies an emission can come before some windows have closed: an {@code
 * EARLY_POSITIVE} or {@code CORRECTION} example (at the click) carries, for every other task, only
 * the actions attributed <em>and arrived</em> by then (a like or conversion after the click is
 * missing: labelled 0); a {@code FAKE_NEGATIVE} carries 0 for every task; a {@code WINDOW_CLOSE}
 * under {@code EARLY_POSITIVE} (at {@code W_click}) carries the final labels of the types whose
 * window is at most {@code W_click} and, for longer windows, the actions up to {@code W_click}
 * only. A model trained on {@code like}, {@code conversion} or {@code dwell} should use {@code
 * WINDOW}: under the click-driven policies those labels are biased low.
 *
 * <h2>Negative down-sampling</h2>
 *
 * <p>{@code freshrank.join.negative-sampling-rate} {@code r} (default 1 = off): a {@code
 * WINDOW_CLOSE} example with {@code click = 0} (under {@code WINDOW} and {@code EARLY_POSITIVE}) is
 * kept with probability {@code r} and carries {@code samplingRate = r}; every other example
 * (positives, fake negatives, corrections) is kept and carries 1. {@code FAKE_NEGATIVE}'s negatives
 * are never sampled: the fake-negative weights assume every impression is seen once as a negative.
 * The decision is a hash of the example id ({@link io.freshrank.jobs.join.NegativeSampler}), not a
 * random draw, so a replay after a restore drops exactly the examples the failed attempt dropped,
 * and every job on the same input agrees. Dropped negatives are counted ({@code
 * negativesDroppedBySampling}); their other tasks' labels (a like without a click) go with them and
 * are corrected by the same weight.
 *
 * <p><b>The trainer's correction: importance weight {@code 1/samplingRate}</b> (in {@code
 * ExampleDecoder}, so every downstream weight, the fake-negative ones included, multiplies it). In
 * expectation the weighted loss of the sampled stream is the loss of the full stream, so the model
 * predicts the true click rate directly. The alternative, training unweighted on the sampled data
 * and correcting the logit by {@code log r} (the log-odds shift of Monolith and of He et al.,
 * "Practical Lessons from Predicting Clicks on Ads at Facebook", ADKDD 2014), was not chosen: the
 * shift holds only for a rate constant over the model's lifetime (an online model that sees the
 * rate change carries a mixture of both biases in its weights, with no single correction), it must
 * be applied identically in every consumer of the model (ranking servers, progressive validation,
 * distillation), and a served model that forgot it is wrong by a factor {@code 1/r} in odds with no
 * error anywhere. The cost of weights: the gradient variance of negatives grows with {@code 1/r} (a
 * kept negative's step is {@code 1/r} times larger; Adagrad's accumulators absorb it, but keep
 * {@code r} above about 0.05). {@code SampledNegativesCalibrationTest} (model-store) trains a small
 * DeepFM at {@code r = 0.25}: mean prediction 0.114 against a base rate of 0.115 (0.112 without
 * sampling, 0.321 sampled without the weight). The trainer's rolling metrics are computed on the
 * sampled stream unweighted: AUC is unaffected in expectation, log loss and calibration there
 * describe the sampled stream.
 *
 * <h2>State and its TTL</h2>
 *
 * <p>Everything per impression (impression bytes, the actions seen, flags) is one {@link
 * io.freshrank.jobs.join.JoinState} value in keyed state; timers (event time: close, close + {@code
 * G}, first early action + {@code G}) clear it. The value also has a Flink state TTL of {@code
 * max_T W_T + G + freshrank.join.state-ttl-margin} (default margin 1 day), refreshed on every
 * write, never returning expired values, cleaned by RocksDB's compaction filter. It is a backstop:
 * a timer that is lost (or a watermark that stops for good) cannot keep state forever. Flink's TTL
 * runs in processing time only, so the margin must cover how far event time can lag wall time:
 * watermark lag, backlog after an outage, and downtime (a job restored after more than the TTL from
 * its last write finds those impressions gone: their examples and their orphans' dead letters are
 * not emitted). Adding the TTL changed the state's serialized form (an 8-byte timestamp per value):
 * Flink 2.2 migrates state written without TTL when a TTL descriptor restores it (FLINK-35780 for
 * RocksDB, FLINK-37294 for the heap backend); that restore path is not covered by a test here.
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
 * its Kafka partition: watermarks are generated in the Kafka sources ({@link
 * io.freshrank.jobs.join.SourceWatermarks}), per partition, and a partition silent for {@code
 * freshrank.join.source-idleness} stops holding them back, so how a subtask interleaves its
 * partitions in a replay does not matter. Within the bound, labels after a restore equal those of
 * an uninterrupted run ({@code JoinRestoreDeduplicationTest} on the harness, {@code
 * JoinFailureITCase} on a real broker and MiniCluster with a TaskManager failure).
 *
 * <h2>What each policy costs</h2>
 *
 * <p>{@code d} = delay from impression to click, {@code B} = watermark out-of-orderness bound,
 * {@code p} = true click probability (within {@code W}), CTR = the average of {@code p}. With
 * per-action windows, {@code W} is the closing window of the policy (see Windows): under {@code
 * WINDOW} the longest one, so a conversion window of days makes every example, click labels
 * included, days old and keeps every impression's bytes for days; use a click-driven policy when
 * clicks must be fresh and a long window only where its task needs it.
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
