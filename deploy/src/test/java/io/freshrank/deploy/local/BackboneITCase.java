package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.DeadLetter;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.Prediction;
import io.freshrank.serving.RankingServer;
import io.freshrank.serving.RankingServerConfig;
import io.freshrank.store.LocalModelStore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The backbone end to end on the real stack (KRaft broker child JVM, MiniCluster at parallelism 2
 * on RocksDB): planted impressions and clicks go through the label join and the training job; every
 * impression yields exactly one example with the planted label; bad records land in dead letters
 * with their reason; snapshots are published; the ranking server loads one and scores an example
 * exactly as the job scored it.
 */
class BackboneITCase {
    private static final int IMPRESSIONS = 400;
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void trafficFlowsFromEventsToServedScores() throws Exception {
        Map<String, String> job = new HashMap<>();
        job.put(FreshrankOptions.ATTRIBUTION_WINDOW.key(), "10 s");
        job.put(FreshrankOptions.ORPHAN_GRACE.key(), "5 s");
        job.put(FreshrankOptions.OUT_OF_ORDERNESS.key(), "1 s");
        job.put(FreshrankOptions.BATCH_TIMEOUT.key(), "100 ms");
        job.put(FreshrankOptions.BATCH_SIZE.key(), "64");
        // Publish dense deltas after every batch so both trainer subtasks agree once traffic stops.
        job.put(FreshrankOptions.DENSE_SYNC_BATCHES.key(), "1");
        LocalStack.Settings settings = new LocalStack.Settings(null, 2, Duration.ofSeconds(1), job);
        try (LocalStack stack = LocalStack.start(settings);
                Outputs out = new Outputs(stack.bootstrapServers())) {
            Set<String> clicked = produceTraffic(stack.bootstrapServers());

            // All events are in Kafka: a bounded join reads them and flushes every window at the
            // end.
            Configuration joinConf = stack.jobConfiguration();
            joinConf.set(FreshrankOptions.BOUNDED, true);
            stack.startJoin(joinConf);
            stack.startTraining();

            Await.until(
                    Duration.ofSeconds(120),
                    () -> out.examples.size() >= IMPRESSIONS && out.deadLetters.size() >= 2,
                    () ->
                            out.examples.size()
                                    + " examples, dead letters "
                                    + out.deadLetterReasons());
            assertThat(out.duplicateExamples).as("examples emitted twice").isEmpty();
            assertThat(out.examples).hasSize(IMPRESSIONS);
            for (int i = 0; i < IMPRESSIONS; i++) {
                String id = impressionId(i);
                float expected = clicked.contains(id) ? 1f : 0f;
                assertThat(out.examples.get(id).getLabels().get("click"))
                        .as("click label of %s", id)
                        .isEqualTo(expected);
            }
            assertThat(out.deadLetterReasons()).containsKeys("UNDECODABLE", "ORPHAN_ACTION");
            DeadLetter undecodable =
                    out.deadLetters.stream()
                            .filter(d -> d.getReason().equals("UNDECODABLE"))
                            .findFirst()
                            .orElseThrow();
            assertThat(undecodable.getSourceTopic()).isEqualTo("impressions");
            assertThat(undecodable.getDetail()).isNotBlank();
            assertThat(StandardCharsets.UTF_8.decode(undecodable.getPayload()).toString())
                    .isEqualTo("garbage");

            // Training: every example is scored (progressive validation) and snapshots get
            // published.
            Await.until(
                    Duration.ofSeconds(120),
                    () -> out.predictions.size() >= IMPRESSIONS,
                    () -> out.predictions.size() + " predictions");
            LocalModelStore store = new LocalModelStore(stack.storePath());
            long trainedAt =
                    out.predictions.values().stream()
                            .mapToLong(Prediction::getTrainedAtMs)
                            .max()
                            .orElseThrow();
            // Let the gradient loop drain, then take a version published after it.
            Await.until(
                    Duration.ofSeconds(60),
                    () -> latestCreatedAfter(store, trainedAt + 3000),
                    () -> "latest version " + latestVersion(store));

            // Score probes (holdout: scored, never learned from) in the job ...
            Map<String, Features> probes = produceProbes(stack.bootstrapServers());
            Await.until(
                    Duration.ofSeconds(60),
                    () -> probes.keySet().stream().allMatch(out.predictions::containsKey),
                    () ->
                            "probe predictions "
                                    + out.predictions.keySet().stream()
                                            .filter(probes::containsKey)
                                            .toList());
            long servedAtLeast = store.readLatestVersion().orElseThrow();

            // ... and in the ranking server, from the published snapshot.
            try (RankingServer server =
                    RankingServer.start(
                            store,
                            RankingServerConfig.defaults()
                                    .withPort(0)
                                    .withPollInterval(Duration.ofMillis(200)))) {
                Await.until(
                        Duration.ofSeconds(30),
                        () -> server.puller().currentVersion() >= servedAtLeast,
                        () -> "serving version " + server.puller().currentVersion());
                HttpClient http = HttpClient.newHttpClient();
                for (Map.Entry<String, Features> probe : probes.entrySet()) {
                    float jobScore = out.predictions.get(probe.getKey()).getScore();
                    float served = rank(http, server, probe.getValue());
                    assertThat((double) served)
                            .as("served score of %s vs the job's %s", probe.getKey(), jobScore)
                            .isCloseTo(jobScore, org.assertj.core.data.Offset.offset(1e-5));
                }
                HttpResponse<String> bad =
                        http.send(
                                HttpRequest.newBuilder(server.uri().resolve("/rank"))
                                        .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(bad.statusCode()).isEqualTo(400);

                // Provenance: the served version names the examples it was trained on.
                String model =
                        http.send(
                                        HttpRequest.newBuilder(server.uri().resolve("/model"))
                                                .GET()
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                JsonNode trained = JSON.readTree(model).get("trainedThrough");
                Map<Integer, Long> end = endOffsets(stack.bootstrapServers(), "examples");
                assertThat(trained.get("examplesOffsets").isObject()).as(model).isTrue();
                assertThat(trained.get("examplesOffsets").size()).as(model).isPositive();
                trained.get("examplesOffsets")
                        .fields()
                        .forEachRemaining(
                                e ->
                                        assertThat(e.getValue().asLong())
                                                .as(
                                                        "next offset of examples-%s in %s",
                                                        e.getKey(), model)
                                                .isPositive()
                                                .isLessThanOrEqualTo(
                                                        end.get(Integer.parseInt(e.getKey()))));
                assertThat(trained.get("watermarkMs").asLong())
                        .as(model)
                        .isGreaterThanOrEqualTo(T0);
            }
        }
    }

    private static Map<Integer, Long> endOffsets(String bootstrap, String topic) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicPartitionInfo p :
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions()) {
                request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
            Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(request)
                    .all()
                    .get()
                    .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        }
    }

    private static long latestVersion(LocalModelStore store) {
        try {
            return store.readLatestVersion().orElse(-1);
        } catch (java.io.IOException e) {
            return -2;
        }
    }

    private static boolean latestCreatedAfter(LocalModelStore store, long ms) {
        try {
            var latest = store.readLatestVersion();
            return latest.isPresent() && store.readManifest(latest.getAsLong()).createdAtMs() > ms;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static float rank(HttpClient http, RankingServer server, Features f) throws Exception {
        Map<String, Object> body = new HashMap<>();
        body.put("context", Map.of("categorical", f.getCategorical(), "numeric", f.getNumeric()));
        body.put("candidates", List.of(Map.of("id", "probe")));
        HttpResponse<String> resp =
                http.send(
                        HttpRequest.newBuilder(server.uri().resolve("/rank"))
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        JsonNode ranking = JSON.readTree(resp.body()).get("ranking");
        return (float) ranking.get(0).get("score").asDouble();
    }

    static String impressionId(int i) {
        return "imp-" + i;
    }

    static Features features(int user, int item, int position) {
        Map<String, String> cat = new HashMap<>();
        cat.put("user_id", "u" + user);
        cat.put("item_id", "i" + item);
        cat.put("user_segment", "s" + (user % 3));
        cat.put("item_category", "c" + (item % 4));
        cat.put("position", Integer.toString(position));
        cat.put("device", "d" + (user % 2));
        return Features.newBuilder()
                .setCategorical(cat)
                .setNumeric(Map.of("item_age_hours", (float) (item % 5)))
                .build();
    }

    /** Impressions every 100 ms; a click on every 5th 2 s later; noise. Returns the clicked ids. */
    private static Set<String> produceTraffic(String bootstrap) throws Exception {
        EventCodec<Impression> ic = EventCodec.of(Impression.class);
        EventCodec<Action> ac = EventCodec.of(Action.class);
        Set<String> clicked = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            for (int i = 0; i < IMPRESSIONS; i++) {
                long t = T0 + i * 100L;
                Impression imp =
                        Impression.newBuilder()
                                .setImpressionId(impressionId(i))
                                .setRequestId("req-" + (i / 10))
                                .setEventTimeMs(t)
                                .setPosition(i % 10)
                                .setFeatures(features(i % 20, (i * 7) % 20, i % 10))
                                .setOracleProbability(0.2f)
                                .build();
                send(p, "impressions", impressionId(i), ic.encode(imp));
                if (i == 3) { // a duplicate impression: ignored
                    send(p, "impressions", impressionId(i), ic.encode(imp));
                }
                if (i % 5 == 0) {
                    Action click = action("click-" + i, impressionId(i), t + 2000);
                    send(p, "actions", impressionId(i), ac.encode(click));
                    send(p, "actions", impressionId(i), ac.encode(click)); // duplicate: ignored
                    clicked.add(impressionId(i));
                }
                if (i == 7) { // a click after the 10 s window: not attributed
                    send(
                            p,
                            "actions",
                            impressionId(i),
                            ac.encode(action("late-7", impressionId(i), t + 15_000)));
                }
            }
            send(p, "impressions", "bad", "garbage".getBytes(StandardCharsets.UTF_8));
            send(p, "actions", "orphan", ac.encode(action("orphan-1", "never-shown", T0 + 1000)));
            p.flush();
        }
        return clicked;
    }

    /**
     * Holdout examples written straight to the examples topic; the trainer scores them without
     * learning.
     */
    private static Map<String, Features> produceProbes(String bootstrap) throws Exception {
        EventCodec<LabeledExample> codec = EventCodec.of(LabeledExample.class);
        Map<String, Features> probes = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            for (int k = 0; k < 4; k++) {
                String id = "probe-" + k;
                Features f = features(k * 3, k * 5 + 1, 0);
                probes.put(id, f);
                LabeledExample ex =
                        LabeledExample.newBuilder()
                                .setExampleId(id)
                                .setRequestId("probe")
                                .setImpressionTimeMs(T0 + 100_000)
                                .setEmitTimeMs(T0 + 110_000)
                                .setPosition(0)
                                .setFeatures(f)
                                .setLabels(Map.of("click", 0f))
                                .setHoldout(true)
                                .build();
                send(p, "examples", id, codec.encode(ex));
            }
            p.flush();
        }
        return probes;
    }

    private static Action action(String id, String impressionId, long t) {
        return Action.newBuilder()
                .setActionId(id)
                .setImpressionId(impressionId)
                .setType(ActionType.CLICK)
                .setEventTimeMs(t)
                .setValue(1f)
                .build();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props);
    }

    private static void send(
            KafkaProducer<byte[], byte[]> p, String topic, String key, byte[] value)
            throws Exception {
        p.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    /** Decoded contents of the output topics. */
    static final class Outputs implements AutoCloseable {
        final Map<String, LabeledExample> examples = new ConcurrentHashMap<>();
        final List<String> duplicateExamples = new CopyOnWriteArrayList<>();
        final Map<String, Prediction> predictions = new ConcurrentHashMap<>();
        final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        private final List<TopicTail> tails = new ArrayList<>();

        Outputs(String bootstrap) {
            EventCodec<LabeledExample> ec = EventCodec.of(LabeledExample.class);
            EventCodec<Prediction> pc = EventCodec.of(Prediction.class);
            EventCodec<DeadLetter> dc = EventCodec.of(DeadLetter.class);
            tails.add(
                    new TopicTail(
                            bootstrap,
                            "examples",
                            r -> {
                                LabeledExample ex = ec.decode(r.value()).value();
                                if (ex.getHoldout()) {
                                    return;
                                }
                                if (examples.put(ex.getExampleId(), ex) != null) {
                                    duplicateExamples.add(ex.getExampleId());
                                }
                            }));
            tails.add(
                    new TopicTail(
                            bootstrap,
                            "predictions",
                            r -> {
                                Prediction p = pc.decode(r.value()).value();
                                predictions.put(p.getExampleId(), p);
                            }));
            tails.add(
                    new TopicTail(
                            bootstrap,
                            "dead-letters",
                            r -> deadLetters.add(dc.decode(r.value()).value())));
        }

        Map<String, Long> deadLetterReasons() {
            Map<String, Long> m = new HashMap<>();
            for (DeadLetter d : deadLetters) {
                m.merge(d.getReason(), 1L, Long::sum);
            }
            return m;
        }

        @Override
        public void close() {
            tails.forEach(TopicTail::close);
        }
    }
}
