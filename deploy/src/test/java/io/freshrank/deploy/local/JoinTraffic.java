package io.freshrank.deploy.local;

import io.freshrank.jobs.join.EmissionPolicy;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Seeded traffic for the label join under failure, and the join's expected output computed offline
 * from the same events.
 *
 * <p>Three parts, sent in this order:
 *
 * <ol>
 *   <li>{@link #live}: impressions and their actions, each sent {@link Send#atMs} after the start
 *       (event time = {@link #T0} + the planned offset, so the stream runs at wall-clock speed), in
 *       an order shuffled by up to {@link #JITTER_MS}; duplicated impressions and actions; one in
 *       ten impressions sent a second after an action that refers to it; actions of impressions
 *       that never come (orphans); one bad record of every decode-time kind.
 *   <li>{@link #lateActions}: one click per late target, inside its window by event time, to be
 *       sent only after the target's window closed (under {@code WINDOW} its example is visible;
 *       under every policy the join's watermark is past its close): dead letter {@code LATE}.
 *   <li>{@link #flush}: an impression and an action per partition {@link #FLUSH_MS} after
 *       everything else, which move the watermark past every window and grace period (orphans
 *       become dead letters). Their own windows are not expected to close (a window-close example
 *       of theirs, seen after a minute of silence, is left out by the failure test); under {@code
 *       FAKE_NEGATIVE} the flush impressions do yield their fake negatives (at arrival).
 * </ol>
 *
 * <p>Why the expected labels do not depend on arrival interleaving, replays or restarts: within a
 * partition no event is sent before its event time (sends are in {@code atMs} order and event time
 * never exceeds {@code atMs}), so when an event arrives, the watermark of its own partition, and
 * therefore the join's (the minimum over inputs), is at most its send offset minus the
 * out-of-orderness bound. Every attributed action is sent at least {@code WINDOW - 1.2 s - jitter}
 * before its window closes and every impression well before its own close, so each arrives while
 * its window is open however the partitions interleave after a restore. Late actions are sent after
 * the join closed the window (their example is visible), and within the grace period. (This assumes
 * one partition per source reader, as with 2 partitions at parallelism 2.)
 */
final class JoinTraffic {
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final long WINDOW_MS = 3_000;
    static final long OUT_OF_ORDERNESS_MS = 1_000;
    static final long GRACE_MS = 30_000;
    static final long JITTER_MS = 300;
    static final long FLUSH_MS = 3_600_000;
    static final String IMPRESSIONS = "impressions";
    static final String ACTIONS = "actions";

    /** One record to send; {@code partition} null means by key. */
    record Send(long atMs, String topic, Integer partition, String key, byte[] value) {
        /** The same record sent at another time (a duplicate). */
        Send withAt(long at) {
            return new Send(at, topic, partition, key, value);
        }

        /** The Kafka record to send. */
        ProducerRecord<byte[], byte[]> record() {
            return new ProducerRecord<>(
                    topic, partition, key.getBytes(StandardCharsets.UTF_8), value);
        }
    }

    /** What an event is, for the offline reference. */
    enum Kind {
        IMPRESSION,
        ACTION,
        LATE_ACTION,
        BAD
    }

    /** A planned event: decoded form for the reference, bytes for the wire. */
    record Event(Kind kind, Impression impression, Action action, String badReason, Send send) {}

    final long durationMs;
    final List<Send> live;
    final Map<String, Send> lateActions;
    final List<Send> flush;
    final List<Event> events;
    private final List<Event> flushEvents;

    private JoinTraffic(
            long durationMs,
            List<Send> live,
            Map<String, Send> lateActions,
            List<Event> flushEvents,
            List<Event> events) {
        this.durationMs = durationMs;
        this.live = live;
        this.lateActions = lateActions;
        this.flushEvents = flushEvents;
        this.flush = flushEvents.stream().map(Event::send).toList();
        this.events = events;
    }

    /** Traffic of {@code impressions} impressions over {@code durationMs} of event time. */
    static JoinTraffic generate(long seed, int impressions, long durationMs, int partitions) {
        return new Generator(seed, durationMs).generate(impressions, partitions);
    }

    // ---- the offline reference -----------------------------------------------------------------

    /**
     * The labels of every impression under the join's contract: each distinct impression yields one
     * example whose labels come from its distinct, attributed (event time in {@code [t, t + W]}),
     * not-late actions: click/like/conversion 0/1, dwell summed, every task present.
     */
    Map<String, Map<String, Float>> expectedLabels() {
        Map<String, Long> shown = new LinkedHashMap<>();
        for (Event e : events) {
            if (e.kind() == Kind.IMPRESSION) {
                shown.putIfAbsent(
                        e.impression().getImpressionId(), e.impression().getEventTimeMs());
            }
        }
        Map<String, Map<String, Float>> labels = new TreeMap<>();
        // every task is present (0 without an attributed action)
        Map<String, Float> none = Map.of("click", 0f, "like", 0f, "conversion", 0f, "dwell", 0f);
        shown.keySet().forEach(id -> labels.put(id, new TreeMap<>(none)));
        Set<String> counted = new java.util.HashSet<>();
        for (Event e : events) {
            if (e.kind() != Kind.ACTION || !counted.add(e.action().getActionId())) {
                continue;
            }
            Action a = e.action();
            Long t = shown.get(a.getImpressionId());
            if (t == null || a.getEventTimeMs() < t || a.getEventTimeMs() > t + WINDOW_MS) {
                continue;
            }
            Map<String, Float> l = labels.get(a.getImpressionId());
            String name = a.getType().name().toLowerCase(java.util.Locale.ROOT);
            switch (a.getType()) {
                case DWELL -> l.merge(name, a.getValue(), Float::sum);
                case UNKNOWN -> {}
                default -> l.put(name, 1f);
            }
        }
        return labels;
    }

    /**
     * What one (emission kind of an) example may carry: its {@code emitTimeMs} and its labels
     * (every task).
     */
    record Outcome(long emitTimeMs, Map<String, Float> labels) {
        Outcome {
            labels = new TreeMap<>(labels);
        }
    }

    /**
     * One example the join must emit for an impression under a policy: its emission kind and the
     * outcomes it may have (one, except for a click example whose labels depend on when the
     * impression arrived among its actions, see {@link #expectedExamples(List, EmissionPolicy)}).
     */
    record Expected(EmissionKind kind, Set<Outcome> allowed) {}

    /**
     * Per impression, the examples the join must emit under {@code policy} for this traffic (the
     * package doc's contract of {@code io.freshrank.jobs.join}, one window for every action type).
     */
    Map<String, List<Expected>> expectedExamples(EmissionPolicy policy) {
        List<Event> sent = new ArrayList<>(inSendOrder(events));
        sent.addAll(flushEvents); // sent last; the watermark never reaches their close
        return expectedExamples(sent, policy, T0 + durationMs + FLUSH_MS - OUT_OF_ORDERNESS_MS);
    }

    /**
     * The per-policy reference over events in the order they are sent (impressions and actions;
     * other kinds are ignored). Every distinct impression yields:
     *
     * <ul>
     *   <li>{@code WINDOW}: one {@code WINDOW_CLOSE} at {@code t + W} with the labels of its
     *       distinct attributed actions (event time in {@code [t, t + W]}).
     *   <li>{@code EARLY_POSITIVE}: with an attributed click one {@code EARLY_POSITIVE}, else the
     *       {@code WINDOW_CLOSE} above.
     *   <li>{@code FAKE_NEGATIVE}: one {@code FAKE_NEGATIVE} at {@code t}, every label 0; with an
     *       attributed click also one {@code CORRECTION}.
     * </ul>
     *
     * <p>A click example ({@code EARLY_POSITIVE}, {@code CORRECTION}) carries the actions that
     * arrived by its emission: when both the impression and an attributed click are there. The
     * actions of an impression share one partition (keyed by impression id) and arrive in send
     * order, also in a replay, but the impression comes from another topic, so where it falls among
     * them is not fixed: with its distinct attributed actions {@code a1..an} in send order and
     * {@code ac} the first click, the example carries {@code a1..aj} for some {@code j} in {@code
     * [c, n]} (the impression arrived before {@code a(j+1)}), and {@code emitTimeMs} is the
     * earliest click time among them. Every such {@code j} is allowed.
     *
     * <p>A window closes only if the watermark gets there: {@code WINDOW_CLOSE} examples are
     * expected for the impressions with {@code t + W <= finalWatermark}; an impression that yields
     * nothing is left out.
     */
    static Map<String, List<Expected>> expectedExamples(
            List<Event> sent, EmissionPolicy policy, long finalWatermark) {
        Map<String, Long> shown = shownAt(sent);
        Map<String, List<Action>> attributed = new HashMap<>();
        Set<String> counted = new HashSet<>();
        for (Event e : sent) {
            if (e.kind() != Kind.ACTION || !counted.add(e.action().getActionId().toString())) {
                continue;
            }
            Action a = e.action();
            Long t = shown.get(a.getImpressionId().toString());
            if (t != null && a.getEventTimeMs() >= t && a.getEventTimeMs() <= t + WINDOW_MS) {
                attributed
                        .computeIfAbsent(a.getImpressionId().toString(), k -> new ArrayList<>())
                        .add(a);
            }
        }
        Map<String, List<Expected>> out = new TreeMap<>();
        shown.forEach(
                (id, t) -> {
                    List<Action> actions = attributed.getOrDefault(id, List.of());
                    Outcome atClose = new Outcome(t + WINDOW_MS, labels(actions));
                    boolean closes = t + WINDOW_MS <= finalWatermark;
                    Set<Outcome> click = clickOutcomes(actions);
                    List<Expected> expected = new ArrayList<>();
                    switch (policy) {
                        case WINDOW -> {
                            if (closes) {
                                expected.add(
                                        new Expected(EmissionKind.WINDOW_CLOSE, Set.of(atClose)));
                            }
                        }
                        case EARLY_POSITIVE -> {
                            if (!click.isEmpty()) {
                                expected.add(new Expected(EmissionKind.EARLY_POSITIVE, click));
                            } else if (closes) {
                                expected.add(
                                        new Expected(EmissionKind.WINDOW_CLOSE, Set.of(atClose)));
                            }
                        }
                        case FAKE_NEGATIVE -> {
                            expected.add(
                                    new Expected(
                                            EmissionKind.FAKE_NEGATIVE,
                                            Set.of(new Outcome(t, labels(List.of())))));
                            if (!click.isEmpty()) {
                                expected.add(new Expected(EmissionKind.CORRECTION, click));
                            }
                        }
                    }
                    if (!expected.isEmpty()) {
                        out.put(id, List.copyOf(expected));
                    }
                });
        return out;
    }

    /**
     * The outcomes a click example may have (empty without an attributed click): for every prefix
     * of the attributed actions (send order) that includes the first click, its labels and earliest
     * click time.
     */
    private static Set<Outcome> clickOutcomes(List<Action> attributed) {
        Set<Outcome> out = new LinkedHashSet<>();
        long earliestClick = Long.MAX_VALUE;
        for (int j = 0; j < attributed.size(); j++) {
            Action a = attributed.get(j);
            if (a.getType() == ActionType.CLICK) {
                earliestClick = Math.min(earliestClick, a.getEventTimeMs());
            }
            if (earliestClick != Long.MAX_VALUE) {
                out.add(new Outcome(earliestClick, labels(attributed.subList(0, j + 1))));
            }
        }
        return out;
    }

    /** Every task's label from these actions: click/like/conversion 0/1, dwell summed. */
    private static Map<String, Float> labels(List<Action> actions) {
        Map<String, Float> l = new TreeMap<>();
        for (String task : List.of("click", "like", "conversion", "dwell")) {
            l.put(task, 0f);
        }
        for (Action a : actions) {
            switch (a.getType()) {
                case DWELL -> l.merge("dwell", a.getValue(), Float::sum);
                case UNKNOWN -> {}
                default -> l.put(a.getType().name().toLowerCase(Locale.ROOT), 1f);
            }
        }
        return l;
    }

    /** The event time of every impression, by id. */
    Map<String, Long> impressionTimes() {
        return shownAt(events);
    }

    /** The event time of every impression among these events, by id, in first-seen order. */
    private static Map<String, Long> shownAt(List<Event> events) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Event e : events) {
            if (e.kind() == Kind.IMPRESSION) {
                out.putIfAbsent(
                        e.impression().getImpressionId().toString(),
                        e.impression().getEventTimeMs());
            }
        }
        return out;
    }

    /**
     * Live events in the order they are sent (by {@link Send#atMs}, ties in generation order: the
     * order of {@link #live}); late actions and others not sent live are left out.
     */
    static List<Event> inSendOrder(List<Event> events) {
        return events.stream()
                .filter(e -> e.send().atMs() >= 0)
                .sorted(Comparator.comparingLong(e -> e.send().atMs()))
                .toList();
    }

    /**
     * Every expected dead letter, keyed by its payload (Base64), with its reason: each bad record
     * once, each late action once, each distinct orphan action (an action id whose impression is
     * never shown) once.
     */
    Map<String, String> expectedDeadLetters() {
        Set<String> shown =
                events.stream()
                        .filter(e -> e.kind() == Kind.IMPRESSION)
                        .map(e -> e.impression().getImpressionId().toString())
                        .collect(Collectors.toSet());
        Map<String, String> dead = new TreeMap<>();
        Set<String> orphans = new java.util.HashSet<>();
        for (Event e : events) {
            switch (e.kind()) {
                case BAD -> dead.put(key(e.send().value()), e.badReason());
                case LATE_ACTION -> dead.put(key(e.send().value()), "LATE");
                case ACTION -> {
                    if (!shown.contains(e.action().getImpressionId().toString())
                            && orphans.add(e.action().getActionId().toString())) {
                        dead.put(key(e.send().value()), "ORPHAN_ACTION");
                    }
                }
                case IMPRESSION -> {}
            }
        }
        return dead;
    }

    /** How many events of each kind were planned (duplicates included), for the report. */
    Map<Kind, Long> counts() {
        return events.stream()
                .collect(
                        Collectors.groupingBy(
                                Event::kind,
                                () -> new java.util.EnumMap<>(Kind.class),
                                Collectors.counting()));
    }

    /** The key of a payload in {@link #expectedDeadLetters()}. */
    static String key(byte[] payload) {
        return Base64.getEncoder().encodeToString(payload);
    }

    // ---- generation ----------------------------------------------------------------------------

    static final class Generator {
        private final Random r;
        private final long durationMs;
        private final EventCodec<Impression> impressions = EventCodec.of(Impression.class);
        private final EventCodec<Action> actions = EventCodec.of(Action.class);
        private final List<Event> events = new ArrayList<>();

        Generator(long seed, long durationMs) {
            this.r = new Random(seed);
            this.durationMs = durationMs;
        }

        JoinTraffic generate(int count, int partitions) {
            Map<String, Send> late = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                long offset = i * durationMs / count;
                String id = "imp-" + i;
                Impression imp = impression(id, T0 + offset, i);
                boolean actionFirst = r.nextDouble() < 0.1;
                long impAt = offset + (actionFirst ? 1_000 : 0) + jitter();
                Send impSend = send(impAt, IMPRESSIONS, id, impressions.encode(imp));
                events.add(new Event(Kind.IMPRESSION, imp, null, null, impSend));
                if (r.nextDouble() < 0.1) {
                    long dupAt = impAt + 100 + r.nextInt(800);
                    events.add(new Event(Kind.IMPRESSION, imp, null, null, impSend.withAt(dupAt)));
                }
                int n = actionFirst ? 1 + r.nextInt(3) : r.nextInt(4);
                for (int k = 0; k < n; k++) {
                    // attributed: inside [t + 100, t + W - 1200], sent right at its event time
                    long ta = offset + 100 + r.nextInt((int) (WINDOW_MS - 1_300));
                    if (actionFirst && k == 0) {
                        ta = offset + 200 + r.nextInt(600); // sent before its impression
                    }
                    addAction(id, id + "-a" + k, randomType(), T0 + ta, ta + jitter());
                }
                if (i % 20 == 7 && offset < durationMs * 4 / 10) {
                    Action click = action(id, id + "-late", ActionType.CLICK, T0 + offset + 1_000);
                    Send s = send(-1, ACTIONS, id, actions.encode(click));
                    events.add(new Event(Kind.LATE_ACTION, null, click, null, s));
                    late.put(id, s);
                }
            }
            for (int g = 0; g < 8; g++) {
                long ta = durationMs * (g + 1) / 10;
                addAction("ghost-" + g, "ghost-" + g + "-a", ActionType.CLICK, T0 + ta, ta);
            }
            addBadRecords();
            List<Send> live = inSendOrder(events).stream().map(Event::send).toList();
            return new JoinTraffic(
                    durationMs, live, late, List.copyOf(flush(partitions)), List.copyOf(events));
        }

        private void addAction(
                String impressionId, String actionId, ActionType type, long t, long at) {
            float value = type == ActionType.DWELL ? 0.5f * (1 + r.nextInt(10)) : 1f;
            Action a = action(impressionId, actionId, type, t);
            a.setValue(value);
            Send s = send(at, ACTIONS, impressionId, actions.encode(a));
            events.add(new Event(Kind.ACTION, null, a, null, s));
            if (r.nextDouble() < 0.15) {
                events.add(
                        new Event(Kind.ACTION, null, a, null, s.withAt(at + 50 + r.nextInt(550))));
            }
        }

        /** One bad record of each decode-time kind, spread over the live part. */
        private void addBadRecords() {
            long step = durationMs / 12;
            long at = step;
            bad(
                    at,
                    IMPRESSIONS,
                    "UNDECODABLE",
                    "not an avro record".getBytes(StandardCharsets.UTF_8));
            at += step;
            bad(at, ACTIONS, "UNDECODABLE", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3});
            at += step;
            byte[] unknown = impressions.encode(impression("bad-fp", T0 + at, 0));
            for (int b = 2; b < 10; b++) {
                unknown[b] ^= (byte) 0x5A; // a writer-schema fingerprint no release has
            }
            bad(at, IMPRESSIONS, "UNKNOWN_SCHEMA", unknown);
            at += step;
            Impression noRequest = impression("bad-no-request", T0 + at, 0);
            noRequest.setRequestId("");
            bad(at, IMPRESSIONS, "MISSING_FIELD", impressions.encode(noRequest));
            at += step;
            Action noId = action("imp-3", "", ActionType.CLICK, T0 + at);
            bad(at, ACTIONS, "MISSING_FIELD", actions.encode(noId));
            at += step;
            Impression nan = impression("bad-nan", T0 + at, 0);
            nan.getFeatures().setNumeric(Map.of("item_age_hours", Float.NaN));
            bad(at, IMPRESSIONS, "NON_FINITE", impressions.encode(nan));
            at += step;
            Action infinite = action("imp-5", "bad-infinite", ActionType.DWELL, T0 + at);
            infinite.setValue(Float.POSITIVE_INFINITY);
            bad(at, ACTIONS, "NON_FINITE", actions.encode(infinite));
            at += step;
            bad(
                    at,
                    IMPRESSIONS,
                    "TIME_OUT_OF_RANGE",
                    impressions.encode(impression("bad-1990", 631_152_000_000L, 0)));
            at += step;
            bad(
                    at,
                    ACTIONS,
                    "TIME_OUT_OF_RANGE",
                    actions.encode(
                            action("imp-9", "bad-2200", ActionType.CLICK, 7_258_118_400_000L)));
        }

        private void bad(long at, String topic, String reason, byte[] bytes) {
            events.add(new Event(Kind.BAD, null, null, reason, send(at, topic, "bad", bytes)));
        }

        /**
         * One impression and one action (a like) per partition at end + {@link #FLUSH_MS}: they
         * move the watermark of every partition; their own window never closes.
         */
        private List<Event> flush(int partitions) {
            List<Event> out = new ArrayList<>();
            long t = T0 + durationMs + FLUSH_MS;
            for (int p = 0; p < partitions; p++) {
                String id = "flush-" + p;
                Impression imp = impression(id, t, 0);
                Action like = action(id, id + "-a", ActionType.LIKE, t);
                out.add(
                        new Event(
                                Kind.IMPRESSION,
                                imp,
                                null,
                                null,
                                new Send(0, IMPRESSIONS, p, id, impressions.encode(imp))));
                out.add(
                        new Event(
                                Kind.ACTION,
                                null,
                                like,
                                null,
                                new Send(0, ACTIONS, p, id, actions.encode(like))));
            }
            return out;
        }

        private long jitter() {
            return r.nextInt((int) JITTER_MS + 1);
        }

        private ActionType randomType() {
            double u = r.nextDouble();
            if (u < 0.5) {
                return ActionType.CLICK;
            } else if (u < 0.7) {
                return ActionType.LIKE;
            } else if (u < 0.9) {
                return ActionType.DWELL;
            }
            return ActionType.CONVERSION;
        }

        private static Send send(long at, String topic, String key, byte[] value) {
            return new Send(at, topic, null, key, value);
        }

        static Impression impression(String id, long t, int i) {
            Map<String, String> cat = new HashMap<>();
            cat.put("user_id", "u" + (i % 37));
            cat.put("item_id", "i" + (i % 53));
            return Impression.newBuilder()
                    .setImpressionId(id)
                    .setRequestId("req-" + (i / 10))
                    .setEventTimeMs(t)
                    .setPosition(i % 10)
                    .setFeatures(
                            Features.newBuilder()
                                    .setCategorical(cat)
                                    .setNumeric(Map.of("item_age_hours", (float) (i % 5)))
                                    .build())
                    .build();
        }

        static Action action(String impressionId, String actionId, ActionType type, long t) {
            return Action.newBuilder()
                    .setActionId(actionId)
                    .setImpressionId(impressionId)
                    .setType(type)
                    .setEventTimeMs(t)
                    .setValue(1f)
                    .build();
        }
    }
}
