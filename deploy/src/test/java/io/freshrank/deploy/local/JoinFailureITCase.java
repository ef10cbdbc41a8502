package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.deploy.local.JoinTraffic.Send;
import io.freshrank.jobs.common.DeliveryMode;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.join.LabelJoinJob;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The label join across a TaskManager failure, per delivery mode, on the real stack: KRaft broker
 * child JVM, MiniCluster with 2 TaskManagers at parallelism 2 on RocksDB, checkpoints every second,
 * fixed-delay restarts. Traffic ({@link JoinTraffic}): shuffled, duplicated impressions and
 * actions, actions before their impression, orphans, late actions and one bad record of every kind,
 * paced at wall-clock speed. Halfway through, after at least two completed checkpoints and half a
 * second after the latest, one TaskManager is terminated; the job restarts from its last checkpoint
 * and replays from the checkpointed offsets.
 *
 * <p>Read with {@code read_committed}: under {@code EXACTLY_ONCE} every impression yields exactly
 * one example and every bad input exactly one dead letter; under {@code AT_LEAST_ONCE} at least
 * one, and some examples twice (counted and printed: the proof that the failure hit uncommitted
 * output, so that the exactly-once run's zero duplicates mean something). In both, every example's
 * labels equal the offline reference and every dead letter has its expected reason.
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

    @ParameterizedTest
    @EnumSource(DeliveryMode.class)
    void everyImpressionYieldsItsExampleAcrossATaskManagerFailure(DeliveryMode mode)
            throws Exception {
        long started = System.nanoTime();
        JoinTraffic traffic = JoinTraffic.generate(SEED, IMPRESSIONS, LIVE_MS, PARTITIONS);
        Map<String, Map<String, Float>> expectedLabels = traffic.expectedLabels();
        Map<String, String> expectedDead = traffic.expectedDeadLetters();

        Map<String, String> job =
                Map.of(
                        FreshrankOptions.ATTRIBUTION_WINDOW.key(), JoinTraffic.WINDOW_MS + " ms",
                        FreshrankOptions.OUT_OF_ORDERNESS.key(),
                                JoinTraffic.OUT_OF_ORDERNESS_MS + " ms",
                        FreshrankOptions.ORPHAN_GRACE.key(), JoinTraffic.GRACE_MS + " ms",
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

            // Late actions: sent once their impression's example is out (its window closed).
            Await.until(
                    Duration.ofSeconds(60),
                    () -> out.examples.keySet().containsAll(traffic.lateActions.keySet()),
                    () -> "examples of late targets: " + out.examples.size() + " examples");
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
                            out.examples.keySet().containsAll(expectedLabels.keySet())
                                    && out.deadLetters.keySet().containsAll(expectedDead.keySet()),
                    () -> out.examples.size() + " examples, dead letters " + out.reasons());
            long settled = probe.completedCheckpoints() + 2;
            Await.until(
                    Duration.ofSeconds(30),
                    () -> probe.completedCheckpoints() >= settled,
                    probe::describe);

            int duplicateExamples = out.duplicateExamples();
            int duplicateDead = out.duplicateDeadLetters();
            System.out.printf(
                    "JoinFailureITCase %s: %d impressions (%s planned events), %d examples received"
                            + " (%d distinct, %d duplicates), dead letters %s (%d duplicates);"
                            + " TaskManager stopped after %d completed checkpoints, restored"
                            + " checkpoint %d, running again after %d ms; %d s in all%n",
                    mode,
                    expectedLabels.size(),
                    traffic.counts(),
                    out.exampleCount(),
                    out.examples.size(),
                    duplicateExamples,
                    out.reasons(),
                    duplicateDead,
                    checkpointsBeforeFailure,
                    restoredFrom,
                    downtimeMs,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

            assertThat(out.examples.keySet())
                    .as("impressions with examples")
                    .containsExactlyInAnyOrderElementsOf(expectedLabels.keySet());
            out.examples.forEach(
                    (exampleId, copies) ->
                            assertThat(copies)
                                    .as("every copy of the example of %s", exampleId)
                                    .allSatisfy(
                                            e -> {
                                                assertThat(e.getEmission())
                                                        .isEqualTo(EmissionKind.WINDOW_CLOSE);
                                                assertThat(new TreeMap<>(e.getLabels()))
                                                        .isEqualTo(expectedLabels.get(exampleId));
                                            }));
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

        int duplicateExamples() {
            return exampleCount() - examples.size();
        }

        List<String> duplicateExampleIds() {
            return examples.entrySet().stream()
                    .filter(e -> e.getValue().size() > 1)
                    .map(e -> e.getKey() + " x" + e.getValue().size())
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
}
