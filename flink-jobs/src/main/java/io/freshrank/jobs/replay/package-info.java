/**
 * Dataset replayers: public click logs (MIND, Open Bandit, Criteo, Avazu, or any CSV described by a
 * {@link io.freshrank.jobs.replay.CsvReplayConfig}) turned into Freshrank's {@code Impression} and
 * {@code Action} events, in event-time order, with their original timestamps compressed by a
 * factor, so the label join and the trainer run on real traffic.
 *
 * <p>Why: the simulator's ground truth is known, but only real logs show how the pipeline copes
 * with real feature distributions, list sizes and label rates. Every replay also reports what the
 * file itself contains ({@link io.freshrank.jobs.replay.ReplayStats}: shown items, clicks, other
 * labels), so the examples the join emits can be compared with the file, number for number.
 *
 * <p>Contract shared by every reader ({@link io.freshrank.jobs.replay.DatasetReplay}):
 *
 * <ul>
 *   <li>One event stream per call of {@code events()}, in non-decreasing event time; an impression
 *       always precedes its actions. Time compression maps an original time {@code t} to {@code
 *       start + floor((t - origin) / compression)} ({@link
 *       io.freshrank.jobs.replay.TimeCompression}), which keeps the order and divides every gap by
 *       the factor (to the millisecond). A request earlier than the one before it (a file not in
 *       time order where the reader does not sort) is moved to the previous request's time and
 *       counted as out of order.
 *   <li>Ids: {@code requestId} groups one shown list; {@code impressionId = requestId + "-" +
 *       position} (position 0-based), unique within a replay; actions are {@code impressionId + "-"
 *       + type}.
 *   <li>Bad rows are data, not bugs: a malformed row is skipped, counted by reason in {@link
 *       io.freshrank.jobs.replay.ReplayStats#skippedRows()} and logged with file and line number,
 *       never its content.
 *   <li>Synthetic times are documented where the data has none: MIND, Open Bandit, Criteo and Avazu
 *       have no click times, so a click is placed a fixed delay ({@link
 *       io.freshrank.jobs.replay.ReplayOptions#clickDelayMs()}, original time) after its
 *       impression; Criteo has no time at all (rows get a uniform synthetic rate); Avazu has the
 *       hour only (its rows are spread uniformly over the hour in file order).
 * </ul>
 *
 * <p>Feature slots match the specs {@code io/freshrank/features/{mind,openbandit,criteo,
 * avazu}.spec.json} in the feature-schemas module. Notes on those specs (JSON has no comments):
 *
 * <ul>
 *   <li>Numeric counts are fed through {@code sign(x) * ln(1 + |x|)} ({@link
 *       io.freshrank.jobs.replay.CriteoReplay#signedLog1p}): the DeepFM MLP reads numerics raw, and
 *       Criteo's counts reach the tens of thousands. It is log1p for counts {@code >= 0}; the sign
 *       keeps Criteo's few negative values (I2 has -1..-3) ordered.
 *   <li>Open Bandit keeps the logging policy's {@code propensity_score} as a NUMERIC slot. It is a
 *       property of the logging policy, not of the user or item: it helps fit the logged clicks (it
 *       encodes where the policy put its mass) but is not available for a candidate the policy did
 *       not pick; drop the slot from the spec to train a model that ranks unseen candidates.
 * </ul>
 *
 * <p>Nothing here uses Flink: readers are plain Java and deterministic; {@link
 * io.freshrank.jobs.replay.ReplayProducer} writes a replay to Kafka, paced or not.
 */
package io.freshrank.jobs.replay;
