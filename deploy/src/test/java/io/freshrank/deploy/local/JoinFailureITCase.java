package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshrank.deploy.local.JoinTraffic.Expected;
import io.freshrank.deploy.local.JoinTraffic.Outcome;
import io.freshrank.deploy.local.JoinTraffic.Send;
import io.freshrank.jobs.common.DeliveryMode;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.join.EmissionPolicy;
import io.freshrank.jobs.join.LabelJoinJob;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The label join across a TaskManager failure, per emission policy and delivery mode, on the real
 * stack: KRaft broker child JVM, MiniCluster with 2 TaskManagers at parallelism 2 on RocksDB,
 * checkpoints every second, fixed-delay restarts. Traffic ({@link JoinTraffic}): shuffled,
 * duplicated impressions and actions, actions before their impression, orphans, late actions and
 * one bad record of every kind, paced at wall-clock speed. Halfway through, after at least two
 * completed checkpoints and half a second after the latest, one TaskManager is terminated; the job
 * restarts from its last checkpoint and replays from the checkpointed offsets.
 *
 * <p>Cases: {@code WINDOW} under {@code EXACTLY_ONCE} and {@code AT_LEAST_ONCE}, {@code
 * EARLY_POSITIVE} and {@code FAKE_NEGATIVE} under {@code EXACTLY_ONCE}. Read with {@code
 * read_committed}, each impression's examples are checked against the policy's contract computed
 * offline from the same events ({@link JoinTraffic#expectedExamples}): exactly the expected
 * emission kinds (one {@code WINDOW_CLOSE}; one {@code EARLY_POSITIVE} or {@code WINDOW_CLOSE}; one
 * {@code FAKE_NEGATIVE} plus one {@code CORRECTION} if clicked), each with its emit time and labels
 * (for a click example, one of the label sets its arrival order allows). Under {@code EXACTLY_ONCE}
 * every (impression, emission kind) arrives exactly once and every bad input yields exactly one
 * dead letter; under {@code AT_LEAST_ONCE} at least once, and some examples twice (counted and
 * printed: the proof that the failure hit uncommitted output, so that the exactly-once runs' zero
 * duplicates mean something). Every dead letter has its expected reason.
 */
class JoinFailureITCase {
    private static final int IMPRESSIONS = 400;
    private static final long LIVE_MS = 12_000;
    private static final int PARALLELISM = 2;
    private static final int PARTITIONS = 2; // LocalStack's impressions and actions topics
    private static final long SEED = 7;

    /**
     * The TaskManager fails this long after a checkpoint completed (checkpoints every 1 s), so the
     * examples emitted since are uncommitted: replayed, they are duplicates under at-least-once.
     */
    private static final long FAIL_AFTER_CHECKPOINT_MS = 500;

    /**
     * The cases: {@code WINDOW} in both delivery modes, the click-driven policies under {@code
     * EXACTLY_ONCE} only (about 20 s a case; their at-least-once runs are not covered).
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(EmissionPolicy.WINDOW, DeliveryMode.EXACTLY_ONCE),
                Arguments.of(EmissionPolicy.WINDOW, DeliveryMode.AT_LEAST_ONCE),
                Arguments.of(EmissionPolicy.EARLY_POSITIVE, DeliveryMode.EXACTLY_ONCE),
                Arguments.of(EmissionPolicy.FAKE_NEGATIVE, DeliveryMode.EXACTLY_ONCE));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void everyImpressionYieldsItsExamplesAcrossATaskManagerFailure(
            EmissionPolicy policy, DeliveryMode mode) throws Exception {
        long started = System.nanoTime();
        JoinTraffic traffic = JoinTraffic.generate(SEED, IMPRESSIONS, LIVE_MS, PARTITIONS);
        Map<String, List<Expected>> expected = traffic.expectedExamples(policy);
        Map<String, String> expectedDead = traffic.expectedDeadLetters();
        Map<String, Long> shownAt = traffic.impressionTimes();
        long lastLateClose =
                traffic.lateActions.keySet().stream()
                        .mapToLong(id -> shownAt.get(id) + JoinTraffic.WINDOW_MS)
                        .max()
                        .orElseThrow();

        Map<String, String> job =
                Map.of(
                        FreshrankOptions.ATTRIBUTION_WINDOW.key(), JoinTraffic.WINDOW_MS + " ms",
                        FreshrankOptions.OUT_OF_ORDERNESS.key(),
                                JoinTraffic.OUT_OF_ORDERNESS_MS + " ms",
                        FreshrankOptions.ORPHAN_GRACE.key(), JoinTraffic.GRACE_MS + " ms",
                        FreshrankOptions.EMISSION_POLICY.key(), policy.name(),
                        FreshrankOptions.JOIN_DELIVERY.key(), mode.name());
        LocalStack.Settings settings =
                new LocalStack.Settings(null, PARALLELISM, Duration.ofSeconds(1), job)
                        .withTaskManagers(2);
        try (LocalStack stack = LocalStack.start(settings);
                Outputs out = new Outputs(stack.bootstrapServers());
                KafkaProducer<byte[], byte[]> producer =
                        TestProducers.bytes(stack.bootstrapServers())) {
            JobID id = submitJoin(stack);
            JobProbe probe = new JobProbe(stack.cluster().miniCluster(), id);
            JoinWatermark watermark = new JoinWatermark(stack.cluster().webUrl(), id);
            Await.until(Duration.ofSeconds(60), () -> probe.allRunning(0), probe::describe);
            assertThat(probe.taskManagers()).as("TaskManagers running the join").hasSize(2);

            // Live traffic at wall-clock speed; one TaskManager fails halfway through.
            CompletableFuture<Void> failure = null;
            FailurePoint failurePoint = new FailurePoint(2, FAIL_AFTER_CHECKPOINT_MS);
            long checkpointsBeforeFailure = -1;
            long failedAtMs = -1;
            long t0 = System.currentTimeMillis();
            for (Send s : traffic.live) {
                long wait = t0 + s.atMs() - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                producer.send(s.record());
                if (failure == null
                        && s.atMs() >= LIVE_MS / 2
                        && failurePoint.due(
                                System.currentTimeMillis(), probe.completedCheckpoints())) {
                    checkpointsBeforeFailure = probe.completedCheckpoints();
                    failedAtMs = System.currentTimeMillis();
                    failure = stack.cluster().miniCluster().terminateTaskManager(0);
                }
            }
            producer.flush();
            assertThat(failure)
                    .as(
                            "a TaskManager was stopped %d ms after a checkpoint (>= 2) completed",
                            FAIL_AFTER_CHECKPOINT_MS)
                    .isNotNull();
            failure.get(60, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(60), () -> probe.allRunning(1), probe::describe);
            long downtimeMs = probe.runningSinceMs() - failedAtMs;
            long restoredFrom = probe.restoredCheckpointId();
            assertThat(restoredFrom).as("the job restored a checkpoint").isPositive();

            // Late actions: sent once every late target's window closed in the restarted job.
            // Under WINDOW its example shows it; under the click-driven policies an example may
            // come before the close (or, FAKE_NEGATIVE, never at it), so the join's own watermark
            // must be past the last late target's close, and past anything the failed attempt
            // could have reached (no event is sent before its event time, so the watermark before
            // the failure was below T0 + failure offset - bound): a value of the restarted job.
            if (policy == EmissionPolicy.WINDOW) {
                Await.until(
                        Duration.ofSeconds(60),
                        () -> out.examples.keySet().containsAll(traffic.lateActions.keySet()),
                        () -> "examples of late targets: " + out.examples.size() + " examples");
            }
            long watermarkNeeded = Math.max(lastLateClose, JoinTraffic.T0 + (failedAtMs - t0));
            Await.until(
                    Duration.ofSeconds(60),
                    () -> watermark.minOverSubtasks(PARALLELISM) >= watermarkNeeded,
                    () -> "join watermark " + watermark.describe() + ", needed " + watermarkNeeded);
            for (Send late : traffic.lateActions.values()) {
                producer.send(late.record());
            }
            producer.flush();
            Await.until(
                    Duration.ofSeconds(60),
                    () -> out.reasons().getOrDefault("LATE", 0L) >= traffic.lateActions.size(),
                    () -> "dead letters " + out.reasons());

            // Flush: every window and grace period ends; wait for everything, then two more
            // checkpoints so any duplicate would be committed too.
            for (Send s : traffic.flush) {
                producer.send(s.record());
            }
            producer.flush();
            Await.until(
                    Duration.ofSeconds(60),
                    () ->
                            expected.entrySet().stream()
                                            .allMatch(
                                                    e ->
                                                            out.kinds(e.getKey())
                                                                    .containsAll(
                                                                            kinds(e.getValue())))
                                    && out.deadLetters.keySet().containsAll(expectedDead.keySet()),
                    () -> out.byKind() + " examples, dead letters " + out.reasons());
            long settled = probe.completedCheckpoints() + 2;
            Await.until(
                    Duration.ofSeconds(30),
                    () -> probe.completedCheckpoints() >= settled,
                    probe::describe);

            int duplicateExamples = out.duplicateExamples();
            int duplicateDead = out.duplicateDeadLetters();
            // Click examples whose labels depend on where the impression arrived among its actions,
            // and how many of them carry more than the actions through the first click (the
            // impression arrived after that click: actions first, or a replay reading the actions
            // ahead of the impressions).
            long choices = 0;
            long pastFirstClick = 0;
            for (Map.Entry<String, List<Expected>> e : expected.entrySet()) {
                for (Expected x : e.getValue()) {
                    if (x.allowed().size() > 1) {
                        choices++;
                        Outcome first = x.allowed().iterator().next();
                        pastFirstClick +=
                                out.examples.getOrDefault(e.getKey(), List.of()).stream()
                                        .filter(c -> c.getEmission() == x.kind())
                                        .filter(
                                                c ->
                                                        !new Outcome(
                                                                        c.getEmitTimeMs(),
                                                                        c.getLabels())
                                                                .equals(first))
                                        .count();
                    }
                }
            }
            System.out.printf(
                    "JoinFailureITCase %s %s: %d impressions with examples (%s planned events), %d"
                            + " examples"
                            + " received (distinct by kind %s, %d duplicates; %d click examples"
                            + " whose labels depend on arrival order, %d of them with actions"
                            + " past the first click; %d flush window closes left out), dead"
                            + " letters %s (%d"
                            + " duplicates); TaskManager stopped after %d completed checkpoints,"
                            + " restored checkpoint %d, running again after %d ms; %d s in all%n",
                    policy,
                    mode,
                    expected.size(),
                    traffic.counts(),
                    out.exampleCount(),
                    out.byKind(),
                    duplicateExamples,
                    choices,
                    pastFirstClick,
                    out.flushWindowCloses.get(),
                    out.reasons(),
                    duplicateDead,
                    checkpointsBeforeFailure,
                    restoredFrom,
                    downtimeMs,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

            assertThat(out.examples.keySet())
                    .as("impressions with examples")
                    .containsExactlyInAnyOrderElementsOf(expected.keySet());
            out.examples.forEach(
                    (exampleId, copies) -> {
                        List<Expected> want = expected.get(exampleId);
                        assertThat(out.kinds(exampleId))
                                .as("emission kinds of %s under %s", exampleId, policy)
                                .containsExactlyInAnyOrderElementsOf(kinds(want));
                        for (Expected x : want) {
                            List<LabeledExample> ofKind =
                                    copies.stream()
                                            .filter(e -> e.getEmission() == x.kind())
                                            .toList();
                            assertThat(ofKind)
                                    .as("every %s copy of %s", x.kind(), exampleId)
                                    .allSatisfy(
                                            e -> {
                                                assertThat(
                                                                new Outcome(
                                                                        e.getEmitTimeMs(),
                                                                        e.getLabels()))
                                                        .as("emit time and labels")
                                                        .isIn(x.allowed());
                                                assertThat(e.getSamplingRate()).isEqualTo(1f);
                                            });
                        }
                    });
            assertThat(out.deadLetters.keySet())
                    .as("dead letters (payloads)")
                    .containsExactlyInAnyOrderElementsOf(expectedDead.keySet());
            out.deadLetters.forEach(
                    (payload, copies) ->
                            assertThat(copies)
                                    .as("reasons of dead letter %s", payload)
                                    .containsOnly(expectedDead.get(payload)));
            if (mode == DeliveryMode.AT_LEAST_ONCE) {
                // The failure hit uncommitted output; otherwise zero duplicates under EXACTLY_ONCE
                // would prove nothing.
                assertThat(duplicateExamples)
                        .as("examples replayed after the failure under AT_LEAST_ONCE")
                        .isPositive();
            }
            if (mode == DeliveryMode.EXACTLY_ONCE) {
                assertThat(out.duplicateExampleIds())
                        .as("examples delivered more than once under EXACTLY_ONCE")
                        .isEmpty();
                assertThat(duplicateDead)
                        .as("dead letters delivered more than once under EXACTLY_ONCE")
                        .isZero();
            }
        }
    }

    private static List<EmissionKind> kinds(List<Expected> expected) {
        return expected.stream().map(Expected::kind).toList();
    }

    private static JobID submitJoin(LocalStack stack) throws Exception {
        StreamExecutionEnvironment env =
                stack.cluster().newEnvironment(PARALLELISM, Duration.ofSeconds(1));
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        env.configure(restarts);
        LabelJoinJob.build(env, stack.jobConfiguration());
        return stack.cluster().submit(env, "freshrank-label-join");
    }

    /** Every example (per id, every copy) and dead letter (per payload, every reason) received. */
    static final class Outputs implements AutoCloseable {
        final Map<String, List<LabeledExample>> examples = new ConcurrentHashMap<>();
        final Map<String, List<String>> deadLetters = new ConcurrentHashMap<>();

        /**
         * Window-close examples of the flush impressions, left out of {@link #examples}: the test
         * expects none (the flush moves the watermark only to their own time) and checks before any
         * could come, but after some seconds of silence their windows have been seen to close too
         * (in a run left waiting for a minute; cause not established).
         */
        final AtomicInteger flushWindowCloses = new AtomicInteger();

        private final List<TopicTail> tails = new ArrayList<>();

        Outputs(String bootstrap) {
            EventCodec<LabeledExample> ec = EventCodec.of(LabeledExample.class);
            EventCodec<DeadLetter> dc = EventCodec.of(DeadLetter.class);
            tails.add(
                    new TopicTail(
                            bootstrap,
                            "examples",
                            r -> {
                                LabeledExample e = ec.decode(r.value()).value();
                                if (e.getExampleId().toString().startsWith("flush-")
                                        && e.getEmission() == EmissionKind.WINDOW_CLOSE) {
                                    flushWindowCloses.incrementAndGet();
                                    return;
                                }
                                examples.computeIfAbsent(
                                                e.getExampleId().toString(),
                                                k -> new CopyOnWriteArrayList<>())
                                        .add(e);
                            }));
            tails.add(
                    new TopicTail(
                            bootstrap,
                            "dead-letters",
                            r -> {
                                DeadLetter d = dc.decode(r.value()).value();
                                ByteBuffer b = d.getPayload().duplicate();
                                byte[] payload = new byte[b.remaining()];
                                b.get(payload);
                                deadLetters
                                        .computeIfAbsent(
                                                JoinTraffic.key(payload),
                                                k -> new CopyOnWriteArrayList<>())
                                        .add(d.getReason().toString());
                            }));
        }

        int exampleCount() {
            return examples.values().stream().mapToInt(List::size).sum();
        }

        /** The emission kinds received for an impression (each once). */
        Set<EmissionKind> kinds(String exampleId) {
            return examples.getOrDefault(exampleId, List.of()).stream()
                    .map(LabeledExample::getEmission)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(EmissionKind.class)));
        }

        /** Distinct examples (impression and emission kind) received, per kind. */
        Map<EmissionKind, Long> byKind() {
            Map<EmissionKind, Long> out = new EnumMap<>(EmissionKind.class);
            for (String id : examples.keySet()) {
                kinds(id).forEach(k -> out.merge(k, 1L, Long::sum));
            }
            return out;
        }

        /** Copies beyond the first of every (impression, emission kind). */
        int duplicateExamples() {
            return exampleCount() - byKind().values().stream().mapToInt(Long::intValue).sum();
        }

        /** Every (impression, emission kind) received more than once, with its count. */
        List<String> duplicateExampleIds() {
            return examples.entrySet().stream()
                    .flatMap(
                            e ->
                                    e.getValue().stream()
                                            .collect(
                                                    Collectors.groupingBy(
                                                            LabeledExample::getEmission,
                                                            Collectors.counting()))
                                            .entrySet()
                                            .stream()
                                            .filter(k -> k.getValue() > 1)
                                            .map(
                                                    k ->
                                                            e.getKey()
                                                                    + " "
                                                                    + k.getKey()
                                                                    + " x"
                                                                    + k.getValue()))
                    .sorted()
                    .toList();
        }

        int duplicateDeadLetters() {
            return deadLetters.values().stream().mapToInt(List::size).sum() - deadLetters.size();
        }

        /** Dead letters received per reason (copies included). */
        Map<String, Long> reasons() {
            return deadLetters.values().stream()
                    .flatMap(List::stream)
                    .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        }

        @Override
        public void close() {
            tails.forEach(TopicTail::close);
        }
    }

    /**
     * The label join's input watermark per subtask, from Flink's REST API (the MiniCluster's
     * metrics, fetched at most 1 s old): the vertex whose name contains "join labels".
     */
    static final class JoinWatermark {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;

        JoinWatermark(String webUrl, JobID job) {
            this.base = (webUrl.endsWith("/") ? webUrl : webUrl + "/") + "jobs/" + job;
        }

        /** The lowest subtask watermark, or Long.MIN_VALUE unless all {@code n} report one. */
        long minOverSubtasks(int n) {
            List<Long> w = perSubtask();
            return w.size() < n
                    ? Long.MIN_VALUE
                    : w.stream().mapToLong(Long::longValue).min().orElse(Long.MIN_VALUE);
        }

        String describe() {
            return perSubtask().toString();
        }

        private List<Long> perSubtask() {
            try {
                for (JsonNode v : get("").path("vertices")) {
                    if (v.path("name").asText().contains("join labels")) {
                        List<Long> out = new ArrayList<>();
                        for (JsonNode m :
                                get("/vertices/" + v.path("id").asText() + "/watermarks")) {
                            if (m.path("id").asText().endsWith(".currentInputWatermark")) {
                                out.add(Long.parseLong(m.path("value").asText()));
                            }
                        }
                        return out;
                    }
                }
                return List.of();
            } catch (IOException | RuntimeException e) {
                return List.of(); // e.g. while the job restarts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }

        private JsonNode get(String path) throws IOException, InterruptedException {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(base + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("GET " + base + path + " -> HTTP " + r.statusCode());
            }
            return JSON.readTree(r.body());
        }
    }
}
