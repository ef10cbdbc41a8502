package io.freshrank.serving;

import static io.freshrank.serving.TestModels.assumeModelImplemented;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshrank.features.FeatureExtractor;
import io.freshrank.features.FeatureHasher;
import io.freshrank.features.FeatureVector;
import io.freshrank.model.DeepFmModel;
import io.freshrank.store.LocalModelStore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RankingServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String VALID =
            "{\"context\": {\"categorical\": {\"user_id\": \"u1\"}},"
                    + " \"candidates\": [{\"id\": \"a\", \"categorical\": {\"item_id\": \"1\"}}]}";

    @TempDir Path root;
    private LocalModelStore store;
    private RankingServer server;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        store = new LocalModelStore(root);
        RankingServerConfig config =
                RankingServerConfig.defaults()
                        .withThreads(4)
                        .withMaxCandidates(50)
                        .withMaxBodyBytes(64 << 10)
                        .withPollInterval(Duration.ofMillis(5));
        server = RankingServer.start(store, config);
        client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(30));
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body) throws Exception {
        return send("POST", "/rank", body);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String messagePart)
            throws Exception {
        assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(r);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("error").asText()).contains(messagePart);
    }

    private void awaitVersion(long version) {
        ModelPuller puller = server.puller();
        Await.until(
                "model version " + version + " served",
                () -> puller.currentVersion() == version,
                WAIT,
                () -> "version " + puller.currentVersion() + ", failures " + puller.loadFailures());
    }

    // ---- errors (no model needed) ----

    @Test
    void bindsToLoopbackOnAFreePort() {
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
        assertThat(server.port()).isPositive();
    }

    @Test
    void withoutAModelRankAndHealthAnswer503() throws Exception {
        assertError(post(VALID), 503, "no model loaded yet");
        HttpResponse<String> health = send("GET", "/health", null);
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(json(health).get("modelVersion").isNull()).isTrue();
        assertError(send("GET", "/model", null), 503, "no model");
    }

    @Test
    void malformedRequestsAre400() throws Exception {
        assertError(post("{\"candidates\": [}"), 400, "not valid JSON");
        assertError(post(""), 400, "JSON");
        assertError(post("[1, 2]"), 400, "must be a JSON object");
        assertError(post("{}"), 400, "needs a \"candidates\" array");
        assertError(post("{\"candidates\": []}"), 400, "must not be empty");
        assertError(post("{\"candidates\": {\"id\": \"a\"}}"), 400, "must be an array");
        assertError(
                post("{\"candidates\": [{\"id\": \"a\"}, {\"categorical\": {}}]}"),
                400,
                "candidates[1] has no \"id\"");
        assertError(post("{\"candidates\": [{\"id\": {}}]}"), 400, "candidates[0].id");
        assertError(
                post("{\"candidates\": [{\"id\": \"a\"}], \"topK\": 0}"), 400, "\"topK\" must be");
        assertError(post("{\"candidates\": [{\"id\": \"a\"}], \"topK\": \"3\"}"), 400, "\"topK\"");
        assertError(
                post("{\"candidates\": [{\"id\": \"a\", \"categorical\": {\"item_id\": [1]}}]}"),
                400,
                "candidates[0].categorical.item_id must be a string");
        assertError(
                post("{\"candidates\": [{\"id\": \"a\", \"numeric\": {\"age\": \"old\"}}]}"),
                400,
                "candidates[0].numeric.age must be a number");
        assertError(
                post(
                        "{\"context\": {\"sequences\": {\"recent\": \"c1\"}}, \"candidates\": [{\"id\": \"a\"}]}"),
                400,
                "context.sequences.recent must be an array");
        assertError(
                post("{\"context\": 3, \"candidates\": [{\"id\": \"a\"}]}"), 400, "\"context\"");
    }

    @Test
    void oversizedRequestsAre413() throws Exception {
        StringBuilder many = new StringBuilder("{\"candidates\": [");
        for (int i = 0; i < 51; i++) {
            many.append(i == 0 ? "" : ",").append("{\"id\": \"c").append(i).append("\"}");
        }
        assertError(post(many.append("]}").toString()), 413, "too many candidates: 51 > 50");
        String huge = "{\"candidates\": [{\"id\": \"" + "x".repeat(70 << 10) + "\"}]}";
        assertError(post(huge), 413, RankingServerConfig.MAX_BODY_BYTES_KEY);
        // the server still answers after dropping a large body
        assertError(post(VALID), 503, "no model");
    }

    @Test
    void wrongMethodsAre405AndUnknownPathsAre404() throws Exception {
        HttpResponse<String> get = send("GET", "/rank", null);
        assertError(get, 405, "POST");
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertError(send("PUT", "/rank", VALID), 405, "POST");
        assertError(send("POST", "/health", "{}"), 405, "GET");
        assertError(send("DELETE", "/metrics", null), 405, "GET");
        assertError(send("GET", "/nope", null), 404, "unknown path");
        assertError(send("POST", "/rank/extra", VALID), 404, "unknown path");
        assertError(send("GET", "/", null), 404, "unknown path");
    }

    @Test
    void metricsCountRankRequestsByStatus() throws Exception {
        post("{}");
        post("{}");
        post(VALID);
        send("GET", "/rank", null);
        HttpResponse<String> r = send("GET", "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .get()
                .asString()
                .startsWith("text/plain");
        assertThat(r.body())
                .contains("freshrank_rank_requests_total{status=\"400\"} 2\n")
                .contains("freshrank_rank_requests_total{status=\"503\"} 1\n")
                .contains("freshrank_rank_requests_total{status=\"405\"} 1\n")
                .contains("freshrank_served_model_version -1\n")
                .contains("freshrank_model_swaps_total 0\n")
                .contains("freshrank_model_load_failures_total 0\n")
                .contains("# TYPE freshrank_rank_latency_seconds histogram\n")
                .contains("freshrank_rank_latency_seconds_bucket{le=\"+Inf\"} 4\n")
                .contains("freshrank_rank_latency_seconds_count 4\n");
    }

    @Test
    void configErrorsNameTheKey() {
        RankingServerConfig d = RankingServerConfig.defaults();
        assertThat(d.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(d.port()).isZero();
        assertThat(d.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(d.maxCandidates()).isEqualTo(1000);
        assertThat(d.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> d.withMaxCandidates(0))
                .hasMessageContaining(RankingServerConfig.MAX_CANDIDATES_KEY);
        assertThatThrownBy(() -> d.withPort(70000))
                .hasMessageContaining(RankingServerConfig.PORT_KEY);
        assertThatThrownBy(() -> d.withPollInterval(Duration.ZERO))
                .hasMessageContaining(RankingServerConfig.POLL_INTERVAL_KEY);
        assertThat(d.fp16()).isFalse();
        assertThat(d.maxOverlayDepth()).isEqualTo(8);
        assertThatThrownBy(() -> d.withMaxOverlayDepth(-1))
                .hasMessageContaining(RankingServerConfig.MAX_OVERLAY_DEPTH_KEY);
        PullerConfig p = d.withFp16(true).withMaxOverlayDepth(3).pullerConfig();
        assertThat(p.precision()).isEqualTo(io.freshrank.store.RowPrecision.FLOAT16);
        assertThat(p.maxOverlayDepth()).isEqualTo(3);
        assertThat(p.pollInterval()).isEqualTo(d.pollInterval());
        assertThatThrownBy(() -> PullerConfig.defaults().withMaxOverlayDepth(-2))
                .hasMessageContaining(RankingServerConfig.MAX_OVERLAY_DEPTH_KEY);
        // the settings of before the in-memory model options still construct
        RankingServerConfig legacy =
                new RankingServerConfig("127.0.0.1", 0, 2, 16, 1024, 10, Duration.ofSeconds(2));
        assertThat(legacy.fp16()).isFalse();
        assertThat(legacy.maxOverlayDepth()).isEqualTo(PullerConfig.DEFAULT_MAX_OVERLAY_DEPTH);
    }

    // ---- scoring (needs io.freshrank.model) ----

    /** A request for user u3 over items 0..9 plus two identical candidates. */
    private static ObjectNode request() {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode ctx = req.putObject("context");
        ctx.putObject("categorical").put("user_id", "u3").put("item_category", "c0");
        ctx.putObject("sequences").putArray("recent_categories").add("c1").add("c2");
        ArrayNode cands = req.putArray("candidates");
        for (int i = 0; i < 10; i++) {
            ObjectNode c = cands.addObject().put("id", "item-" + i);
            c.putObject("categorical")
                    .put("item_id", Integer.toString(i))
                    .put("item_category", "c" + (i % 5));
            c.putObject("numeric").put("item_age_hours", i * 1.5f);
        }
        for (String id : List.of("dup-a", "dup-b")) {
            cands.addObject().put("id", id).putObject("categorical").put("item_id", 7);
        }
        return req;
    }

    /** The same request's model inputs, built independently of the server's parser. */
    private static List<FeatureVector> requestVectors() {
        FeatureExtractor x = new FeatureExtractor(TestModels.SPEC);
        List<String> recent = List.of("c1", "c2");
        List<FeatureVector> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(
                    x.extract(
                            Map.of(
                                    "user_id",
                                    "u3",
                                    "item_id",
                                    Integer.toString(i),
                                    "item_category",
                                    "c" + (i % 5)),
                            Map.of("recent_categories", recent),
                            Map.of("item_age_hours", i * 1.5f)));
        }
        for (int d = 0; d < 2; d++) {
            out.add(
                    x.extract(
                            Map.of("user_id", "u3", "item_id", "7", "item_category", "c0"),
                            Map.of("recent_categories", recent),
                            Map.of()));
        }
        return out;
    }

    @Test
    void ranksWithExactlyTheScorerScores() throws Exception {
        assumeModelImplemented();
        TestModels.Version v = TestModels.write(store, 1, 1);
        awaitVersion(1);
        float[] expected = v.expectedScores(requestVectors());
        List<String> ids = new ArrayList<>();
        request().get("candidates").forEach(c -> ids.add(c.get("id").asText()));
        Integer[] order = new Integer[expected.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(expected[b], expected[a]));

        HttpResponse<String> r = post(request().toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("modelVersion").asLong()).isEqualTo(1);
        assertThat(body.get("scoredCandidates").asInt()).isEqualTo(12);
        JsonNode ranking = body.get("ranking");
        assertThat(ranking).hasSize(12);
        Map<String, Float> served = new HashMap<>();
        List<String> servedOrder = new ArrayList<>();
        ranking.forEach(
                e -> {
                    served.put(e.get("id").asText(), e.get("score").floatValue());
                    servedOrder.add(e.get("id").asText());
                });
        for (int i = 0; i < ids.size(); i++) {
            assertThat(served.get(ids.get(i))).as("score of %s", ids.get(i)).isEqualTo(expected[i]);
        }
        assertThat(servedOrder)
                .containsExactlyElementsOf(Arrays.stream(order).map(ids::get).toList());
        assertThat(expected[10]).isEqualTo(expected[11]);
        assertThat(servedOrder.indexOf("dup-a"))
                .as("ties keep input order")
                .isLessThan(servedOrder.indexOf("dup-b"));

        ObjectNode top3 = request().put("topK", 3);
        JsonNode cut = json(post(top3.toString()));
        assertThat(cut.get("ranking")).hasSize(3);
        assertThat(cut.get("scoredCandidates").asInt()).isEqualTo(12);
        assertThat(cut.get("ranking").get(0).get("id").asText()).isEqualTo(servedOrder.get(0));
        assertThat(json(post(request().put("topK", 100).toString())).get("ranking")).hasSize(12);
    }

    @Test
    void healthModelAndMetricsDescribeTheServedModel() throws Exception {
        assumeModelImplemented();
        TestModels.write(store, 4, 4);
        awaitVersion(4);
        HttpResponse<String> health = send("GET", "/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("ok");
        assertThat(json(health).get("modelVersion").asLong()).isEqualTo(4);
        JsonNode model = json(send("GET", "/model", null));
        assertThat(model.get("modelVersion").asLong()).isEqualTo(4);
        assertThat(model.get("checkpointId").asLong()).isEqualTo(4);
        assertThat(model.get("ageSeconds").asDouble()).isPositive();
        assertThat(model.get("provenance").get("codeVersion").asText()).isEqualTo("serving-test");
        assertThat(model.get("provenance").get("featureSpecHash").asText())
                .isEqualTo(TestModels.SPEC.hash());
        assertThat(model.get("rows").asInt()).isEqualTo(73);
        assertThat(model.get("provenance").get("kafka.examples.offsets").asText())
                .isEqualTo("0:400,1:7");
        assertThat(model.get("trainedThrough").get("examplesOffsets").get("0").asLong())
                .isEqualTo(400);
        assertThat(model.get("trainedThrough").get("examplesOffsets").get("1").asLong())
                .isEqualTo(7);
        assertThat(model.get("trainedThrough").get("watermarkMs").asLong())
                .isEqualTo(TestModels.CREATED_AT_MS);
        String metrics = send("GET", "/metrics", null).body();
        assertThat(metrics)
                .contains("freshrank_served_model_version 4\n")
                .contains("freshrank_model_swaps_total 1\n")
                .containsPattern("freshrank_served_model_age_seconds [0-9.]+\n");
    }

    @Test
    void swapsUnderLoadWithoutAFailedRequest() throws Exception {
        assumeModelImplemented();
        TestModels.write(store, 1, 1);
        awaitVersion(1);
        String body = request().toString();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        Set<Long> versionsSeen = ConcurrentHashMap.newKeySet();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th =
                    new Thread(
                            () -> {
                                long last = 0;
                                while (!stop.get()) {
                                    try {
                                        HttpResponse<String> r = post(body);
                                        if (r.statusCode() != 200) {
                                            problems.add(r.statusCode() + " " + r.body());
                                            continue;
                                        }
                                        long v = json(r).get("modelVersion").asLong();
                                        if (v < last) {
                                            problems.add(
                                                    "version went back from " + last + " to " + v);
                                        }
                                        last = v;
                                        versionsSeen.add(v);
                                        ok.incrementAndGet();
                                    } catch (Exception e) {
                                        problems.add(e.toString());
                                    }
                                }
                            },
                            "rank-client-" + t);
            th.start();
            clients.add(th);
        }
        try {
            for (long v = 2; v <= 21; v++) {
                TestModels.write(store, v, v);
                awaitVersion(v);
                // let every version serve some requests, so swaps happen under load
                long before = ok.get();
                Await.until(
                        "requests on version " + v,
                        () -> ok.get() >= before + 4,
                        WAIT,
                        () -> ok + " ok, problems " + problems);
            }
        } finally {
            stop.set(true);
            for (Thread th : clients) {
                th.join(30_000);
            }
        }
        assertThat(problems).as("non-200 responses or errors").isEmpty();
        assertThat(server.puller().swapCount()).isEqualTo(21);
        assertThat(server.puller().loadFailures()).isZero();
        assertThat(json(post(body)).get("modelVersion").asLong()).isEqualTo(21);
        assertThat(ok.get()).isGreaterThan(80);
        assertThat(versionsSeen).as("versions answered while swapping").hasSizeGreaterThan(15);
    }

    @Test
    void aCorruptNewestSnapshotKeepsTheOldModelServing() throws Exception {
        assumeModelImplemented();
        TestModels.write(store, 1, 1);
        awaitVersion(1);
        TestModels.write(store, 2, 2, true);
        ModelPuller puller = server.puller();
        Await.until(
                "a load failure",
                () -> puller.loadFailures() >= 1,
                WAIT,
                () -> "failures " + puller.loadFailures());
        HttpResponse<String> r = post(request().toString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("modelVersion").asLong()).isEqualTo(1);
        assertThat(json(send("GET", "/health", null)).get("modelVersion").asLong()).isEqualTo(1);
        assertThat(send("GET", "/metrics", null).body())
                .contains("freshrank_served_model_version 1\n")
                .contains("freshrank_model_load_failures_total 1\n");
        TestModels.write(store, 3, 3);
        awaitVersion(3);
        assertThat(json(post(request().toString())).get("modelVersion").asLong()).isEqualTo(3);
    }

    @Test
    void aNonFiniteScoreIsA500AndIsCounted() throws Exception {
        assumeModelImplemented();
        // finite rows whose sums overflow: the FM term becomes inf - inf = NaN
        Map<Long, float[]> rows = new HashMap<>();
        float[] huge = new float[TestModels.CONFIG.rowWidth()];
        Arrays.fill(huge, 3e38f);
        rows.put(FeatureHasher.featureId(1, "u-huge"), huge);
        rows.put(FeatureHasher.featureId(2, "huge"), huge.clone());
        store.writeFull(
                1,
                1,
                TestModels.CREATED_AT_MS,
                TestModels.SPEC,
                TestModels.CONFIG,
                rows.entrySet(),
                new DeepFmModel(TestModels.CONFIG).initialParameters(),
                Map.of());
        awaitVersion(1);
        String body =
                "{\"context\": {\"categorical\": {\"user_id\": \"u-huge\"}},"
                        + " \"candidates\": [{\"id\": \"a\", \"categorical\": {\"item_id\": \"huge\"}}]}";
        assertError(post(body), 500, "internal error");
        assertThat(post(VALID).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/metrics", null).body())
                .contains("freshrank_rank_requests_total{status=\"500\"} 1\n")
                .contains("freshrank_rank_requests_total{status=\"200\"} 1\n");
    }

    /** Restarts the server on the same store with {@code config}'s in-memory model options. */
    private void restartWith(RankingServerConfig config) throws Exception {
        server.close();
        server = RankingServer.start(store, config);
    }

    @Test
    void swapsTwentyDeltasUnderLoadWithoutAFailedRequest() throws Exception {
        assumeModelImplemented();
        restartWith(
                RankingServerConfig.defaults()
                        .withThreads(4)
                        .withPollInterval(Duration.ofMillis(5))
                        .withMaxOverlayDepth(3));
        TestModels.Version v = TestModels.write(store, 1, 1);
        awaitVersion(1);
        String body = request().toString();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        Set<Long> versionsSeen = ConcurrentHashMap.newKeySet();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th =
                    new Thread(
                            () -> {
                                long last = 0;
                                while (!stop.get()) {
                                    try {
                                        HttpResponse<String> r = post(body);
                                        if (r.statusCode() != 200) {
                                            problems.add(r.statusCode() + " " + r.body());
                                            continue;
                                        }
                                        long seen = json(r).get("modelVersion").asLong();
                                        if (seen < last) {
                                            problems.add(
                                                    "version went back from "
                                                            + last
                                                            + " to "
                                                            + seen);
                                        }
                                        last = seen;
                                        versionsSeen.add(seen);
                                        ok.incrementAndGet();
                                    } catch (Exception e) {
                                        problems.add(e.toString());
                                    }
                                }
                            },
                            "rank-client-" + t);
            th.start();
            clients.add(th);
        }
        try {
            for (long version = 2; version <= 21; version++) {
                v = TestModels.writeDelta(store, v, version, 1000 + version);
                awaitVersion(version);
                long before = ok.get();
                Await.until(
                        "requests on version " + version,
                        () -> ok.get() >= before + 4,
                        WAIT,
                        () -> ok + " ok, problems " + problems);
            }
        } finally {
            stop.set(true);
            for (Thread th : clients) {
                th.join(30_000);
            }
        }
        ModelPuller puller = server.puller();
        assertThat(problems).as("non-200 responses or errors").isEmpty();
        assertThat(puller.loadFailures()).isZero();
        assertThat(puller.swapCount()).isEqualTo(21);
        assertThat(puller.fullLoadCount()).isEqualTo(1);
        assertThat(puller.deltaApplyCount()).isEqualTo(20);
        assertThat(puller.compactionCount()).isEqualTo(5);
        assertThat(puller.current().overlayDepth()).isLessThanOrEqualTo(3);
        assertThat(versionsSeen).as("versions answered while swapping").hasSizeGreaterThan(15);

        // the final in-memory model ranks exactly like the reference
        float[] expected = v.expectedScores(requestVectors());
        List<String> ids = new ArrayList<>();
        request().get("candidates").forEach(c -> ids.add(c.get("id").asText()));
        JsonNode answer = json(post(body));
        assertThat(answer.get("modelVersion").asLong()).isEqualTo(21);
        Map<String, Float> served = new HashMap<>();
        answer.get("ranking")
                .forEach(e -> served.put(e.get("id").asText(), e.get("score").floatValue()));
        for (int i = 0; i < ids.size(); i++) {
            assertThat(served.get(ids.get(i))).as("score of %s", ids.get(i)).isEqualTo(expected[i]);
        }
        String metrics = send("GET", "/metrics", null).body();
        assertThat(metrics)
                .contains("freshrank_model_delta_applies_total 20\n")
                .contains("freshrank_model_full_loads_total 1\n")
                .contains("freshrank_model_compactions_total 5\n")
                .contains("freshrank_model_freshness_delay_seconds_count 21\n");
    }

    @Test
    void freshnessAppearsInMetricsAndModel() throws Exception {
        assumeModelImplemented();
        String before = send("GET", "/metrics", null).body();
        assertThat(before)
                .contains("freshrank_model_freshness_seconds NaN\n")
                .contains("freshrank_model_freshness_delay_seconds{quantile=\"0.99\"} NaN\n")
                .contains("freshrank_model_freshness_delay_seconds_count 0\n");
        // TestModels stamps newestExampleIngestMs = CREATED_AT_MS + 1000 * version, in the past
        TestModels.Version v1 = TestModels.write(store, 1, 1);
        awaitVersion(1);
        TestModels.writeDelta(store, v1, 2, 2);
        awaitVersion(2);
        long ingest2 = TestModels.CREATED_AT_MS + 2000;
        SwapRecord last = server.puller().swapHistory().get(1);
        assertThat(last.kind()).isEqualTo(SwapRecord.Kind.DELTA_APPLY);
        assertThat(last.freshnessDelayMs()).hasValue(last.swapTimeMs() - ingest2);
        double delaySeconds = (last.swapTimeMs() - ingest2) / 1000.0;

        String metrics = send("GET", "/metrics", null).body();
        assertThat(metrics)
                .contains("# TYPE freshrank_model_freshness_seconds gauge\n")
                .contains(
                        String.format(
                                java.util.Locale.ROOT,
                                "freshrank_model_freshness_seconds %.3f\n",
                                delaySeconds))
                .contains("# TYPE freshrank_model_freshness_delay_seconds summary\n")
                .containsPattern(
                        "freshrank_model_freshness_delay_seconds\\{quantile=\"0.5\"} [0-9.]+\n")
                .containsPattern(
                        "freshrank_model_freshness_delay_seconds\\{quantile=\"0.99\"} [0-9.]+\n")
                .contains("freshrank_model_freshness_delay_seconds_count 2\n")
                .contains("freshrank_served_model_overlay_depth 1\n")
                .contains("freshrank_served_model_fp16 0\n")
                .containsPattern("freshrank_served_model_bytes [1-9][0-9]*\n")
                .contains(
                        "freshrank_served_model_snapshot_bytes "
                                + store.readManifest(2).totalBytes()
                                + "\n")
                .containsPattern("freshrank_model_last_apply_seconds [0-9.]+\n");

        JsonNode model = json(send("GET", "/model", null));
        assertThat(model.get("modelVersion").asLong()).isEqualTo(2);
        assertThat(model.get("kind").asText()).isEqualTo("DELTA");
        assertThat(model.get("overlayDepth").asInt()).isEqualTo(1);
        assertThat(model.get("rowPrecision").asText()).isEqualTo("FLOAT32");
        assertThat(model.get("snapshotBytes").asLong())
                .isEqualTo(store.readManifest(2).totalBytes());
        assertThat(model.get("lastSwap").get("kind").asText()).isEqualTo("DELTA_APPLY");
        assertThat(model.get("lastSwap").get("bytesRead").asLong())
                .isEqualTo(store.readManifest(2).totalBytes());
        JsonNode fresh = model.get("freshness");
        assertThat(fresh.get("newestExampleIngestMs").asLong()).isEqualTo(ingest2);
        assertThat(fresh.get("delaySeconds").asDouble()).isEqualTo(delaySeconds);
        assertThat(fresh.get("samples").asLong()).isEqualTo(2);
        assertThat(fresh.get("p50Seconds").asDouble()).isPositive();
        long maxDelay =
                server.puller().swapHistory().stream()
                        .mapToLong(r -> r.freshnessDelayMs().orElseThrow())
                        .max()
                        .orElseThrow();
        assertThat(fresh.get("p99Seconds").asDouble()).isEqualTo(maxDelay / 1000.0);
    }

    @Test
    void fp16ServingIsVisibleInModelAndMetrics() throws Exception {
        assumeModelImplemented();
        restartWith(
                RankingServerConfig.defaults()
                        .withThreads(2)
                        .withPollInterval(Duration.ofMillis(5))
                        .withFp16(true));
        TestModels.Version v = TestModels.write(store, 1, 1);
        awaitVersion(1);
        JsonNode model = json(send("GET", "/model", null));
        assertThat(model.get("rowPrecision").asText()).isEqualTo("FLOAT16");
        assertThat(send("GET", "/metrics", null).body())
                .contains("freshrank_served_model_fp16 1\n");
        float[] expected = TestModels.roundedToHalf(v).expectedScores(requestVectors());
        JsonNode answer = json(post(request().toString()));
        List<String> ids = new ArrayList<>();
        request().get("candidates").forEach(c -> ids.add(c.get("id").asText()));
        Map<String, Float> served = new HashMap<>();
        answer.get("ranking")
                .forEach(e -> served.put(e.get("id").asText(), e.get("score").floatValue()));
        for (int i = 0; i < ids.size(); i++) {
            assertThat(served.get(ids.get(i))).as("score of %s", ids.get(i)).isEqualTo(expected[i]);
        }
    }
}
