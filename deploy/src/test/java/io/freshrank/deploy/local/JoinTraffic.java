package io.freshrank.deploy.local;

import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
 *       sent only after the target's example is visible, i.e. after its window closed: dead letter
 *       {@code LATE}.
 *   <li>{@link #flush}: an event per partition {@link #FLUSH_MS} after everything else, which moves
 *       the watermark past every window and grace period (orphans become dead letters).
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

    private JoinTraffic(
            long durationMs,
            List<Send> live,
            Map<String, Send> lateActions,
            List<Send> flush,
            List<Event> events) {
        this.durationMs = durationMs;
        this.live = live;
        this.lateActions = lateActions;
        this.flush = flush;
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

    private static final class Generator {
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
            List<Send> live =
                    events.stream()
                            .map(Event::send)
                            .filter(s -> s.atMs() >= 0)
                            .sorted(Comparator.comparingLong(Send::atMs))
                            .toList();
            return new JoinTraffic(durationMs, live, late, flush(partitions), List.copyOf(events));
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
         * One impression and one action per partition at end + {@link #FLUSH_MS}: never emitted
         * (their own window never closes), they only move the watermark of every partition.
         */
        private List<Send> flush(int partitions) {
            List<Send> out = new ArrayList<>();
            long t = T0 + durationMs + FLUSH_MS;
            for (int p = 0; p < partitions; p++) {
                String id = "flush-" + p;
                out.add(new Send(0, IMPRESSIONS, p, id, impressions.encode(impression(id, t, 0))));
                out.add(
                        new Send(
                                0,
                                ACTIONS,
                                p,
                                id,
                                actions.encode(action(id, id + "-a", ActionType.LIKE, t))));
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

        private static Impression impression(String id, long t, int i) {
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

        private static Action action(
                String impressionId, String actionId, ActionType type, long t) {
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
