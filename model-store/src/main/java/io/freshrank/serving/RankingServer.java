package io.freshrank.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.freshrank.features.FeatureExtractor;
import io.freshrank.features.FeatureVector;
import io.freshrank.store.ExampleOffsets;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ranking HTTP server (JDK {@code HttpServer}, no framework): scores candidates with the model
 * a {@link ModelPuller} keeps current.
 *
 * <ul>
 *   <li>{@code POST /rank}: see {@link RankRequest} for the body; answers {@code {"modelVersion":
 *       N, "ranking": [{"id": ..., "score": p}, ...], "scoredCandidates": n}}, sorted by score
 *       descending, ties in input order, cut to {@code topK}. A candidate's features override the
 *       context's of the same slot. All candidates are scored by one model version.
 *   <li>{@code GET /health}: 200 {@code {"status": "ok", "modelVersion": N}}, 503 without a model.
 *   <li>{@code GET /model}: served version, ages, config, row storage (precision, approximate
 *       bytes, overlay depth), the last swap (kind, apply time, bytes read), freshness (this
 *       version's delay from its newest example's Kafka ingest to its swap; p50/p99 over recent
 *       swaps) and manifest provenance.
 *   <li>{@code GET /metrics}: Prometheus text format.
 * </ul>
 *
 * Errors are JSON {@code {"error": "...", "status": s}}: 400 malformed body, 404 unknown path, 405
 * wrong method, 413 body or candidate list over its limit, 503 no model loaded yet, 500 a bug.
 *
 * <p>Requests run on a bounded pool ({@link RankingServerConfig#threads()} threads, {@link
 * RankingServerConfig#queueCapacity()} queued; beyond that the accepting thread runs the request
 * itself, which slows accepting: backpressure instead of unbounded memory). {@link #close} stops
 * the server, then the puller.
 */
public final class RankingServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RankingServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Bytes of an oversized body read and dropped before answering 413 (so clients see it). */
    private static final long MAX_DRAIN_BYTES = 16L << 20;

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final ModelPuller puller;
    private final RankingServerConfig config;
    private final ServerMetrics metrics = new ServerMetrics();

    private RankingServer(ModelPuller puller, RankingServerConfig config) throws IOException {
        this.puller = puller;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.executor =
                new ThreadPoolExecutor(
                        config.threads(),
                        config.threads(),
                        60,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(config.queueCapacity()),
                        r -> {
                            Thread t = new Thread(r, "freshrank-rank-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        },
                        new ThreadPoolExecutor.CallerRunsPolicy());
        this.server =
                HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /**
     * Starts a server on {@code puller}'s model; the server owns the puller from now on and closes
     * it on {@link #close}. The puller should already be started (or be polled by the caller).
     */
    public static RankingServer start(ModelPuller puller, RankingServerConfig config)
            throws IOException {
        RankingServer s = new RankingServer(puller, config);
        s.server.start();
        LOG.info("ranking server listening on {}", s.uri());
        return s;
    }

    /**
     * Starts a puller on {@code store} ({@link RankingServerConfig#pullerConfig()}: polling every
     * {@code config.pollInterval()}, with its row precision and overlay depth) and a server.
     */
    public static RankingServer start(LocalModelStore store, RankingServerConfig config)
            throws IOException {
        ModelPuller puller = new ModelPuller(store, config.pullerConfig(), Clock.systemUTC());
        puller.start();
        try {
            return start(puller, config);
        } catch (IOException | RuntimeException e) {
            puller.close();
            throw e;
        }
    }

    /** The base URI, e.g. {@code http://127.0.0.1:43127}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public ModelPuller puller() {
        return puller;
    }

    /** Stops accepting, waits up to 1 s for in-flight requests, then stops the puller. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        } finally {
            puller.close();
        }
        LOG.info("ranking server on {} stopped", uri());
    }

    private void handle(HttpExchange ex) {
        // not try-with-resources: the 500 below must be sent before the exchange is closed
        try {
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/rank" -> rank(ex);
                case "/health" -> {
                    if (requireGet(ex)) {
                        health(ex);
                    }
                }
                case "/model" -> {
                    if (requireGet(ex)) {
                        model(ex);
                    }
                }
                case "/metrics" -> {
                    if (requireGet(ex)) {
                        send(
                                ex,
                                200,
                                "text/plain; version=0.0.4; charset=utf-8",
                                metrics.render(puller).getBytes(StandardCharsets.UTF_8));
                    }
                }
                default ->
                        sendError(
                                ex,
                                404,
                                "unknown path; use POST /rank, GET /health, /model or /metrics");
            }
        } catch (IOException e) {
            // the client went away mid-exchange; nothing to answer
            LOG.debug("exchange with {} failed: {}", ex.getRemoteAddress(), e.toString());
        } catch (RuntimeException e) {
            LOG.error(
                    "request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
            try {
                sendError(ex, 500, "internal error");
            } catch (IOException | RuntimeException ignored) {
                // headers may already be sent
            }
        } finally {
            ex.close();
        }
    }

    private static boolean requireGet(HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("GET")) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", "GET");
        sendError(ex, 405, "use GET");
        return false;
    }

    private void rank(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        int status = 500;
        try {
            byte[] response;
            try {
                response = rankBody(ex);
                status = 200;
            } catch (RequestException e) {
                status = e.status();
                if (status == 405) {
                    ex.getResponseHeaders().set("Allow", "POST");
                }
                if (status == 413) {
                    ex.getResponseHeaders().set("Connection", "close");
                }
                sendError(ex, status, e.getMessage());
                return;
            }
            send(ex, 200, "application/json", response);
        } finally {
            metrics.recordRank(status, System.nanoTime() - start);
        }
    }

    private byte[] rankBody(HttpExchange ex) throws IOException, RequestException {
        if (!ex.getRequestMethod().equals("POST")) {
            throw new RequestException(405, "use POST");
        }
        RankRequest request = RankRequest.parse(readBody(ex), config.maxCandidates());
        ServingModel model = puller.current(); // one model for the whole request
        if (model == null) {
            throw new RequestException(503, "no model loaded yet; retry later");
        }
        FeatureExtractor extractor = model.extractor();
        List<FeatureVector> vectors = new ArrayList<>(request.candidates().size());
        for (RankRequest.Candidate c : request.candidates()) {
            RankRequest.RawFeatures f = request.context().overriddenBy(c.features());
            vectors.add(extractor.extract(f.categorical(), f.sequences(), f.numeric()));
        }
        float[] scores = model.score(vectors);
        for (int i = 0; i < scores.length; i++) {
            if (!Float.isFinite(scores[i])) {
                throw new IllegalStateException(
                        "model version " + model.version() + " produced a non-finite score");
            }
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // stable sort: ties keep input order
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        ObjectNode out = JSON.createObjectNode();
        out.put("modelVersion", model.version());
        ArrayNode ranking = out.putArray("ranking");
        for (int r = 0; r < request.topK(); r++) {
            int i = order[r];
            ranking.addObject().put("id", request.candidates().get(i).id()).put("score", scores[i]);
        }
        out.put("scoredCandidates", scores.length);
        return JSON.writeValueAsBytes(out);
    }

    private byte[] readBody(HttpExchange ex) throws IOException, RequestException {
        int max = config.maxBodyBytes();
        InputStream in = ex.getRequestBody();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new RequestException(400, "Content-Length is not a number");
            }
            if (declared > max) {
                drain(in);
                throw tooLarge(max);
            }
        }
        ByteArrayOutputStream buf =
                new ByteArrayOutputStream(declared >= 0 ? (int) declared + 1 : 8192);
        byte[] chunk = new byte[8192];
        for (int n; (n = in.read(chunk)) > 0; ) {
            buf.write(chunk, 0, n);
            if (buf.size() > max) {
                drain(in);
                throw tooLarge(max);
            }
        }
        return buf.toByteArray();
    }

    private static RequestException tooLarge(int max) {
        return new RequestException(
                413,
                "request body is larger than "
                        + max
                        + " bytes ("
                        + RankingServerConfig.MAX_BODY_BYTES_KEY
                        + ")");
    }

    private static void drain(InputStream in) throws IOException {
        byte[] skip = new byte[8192];
        long total = 0;
        for (int n; total < MAX_DRAIN_BYTES && (n = in.read(skip)) > 0; ) {
            total += n;
        }
    }

    private void health(HttpExchange ex) throws IOException {
        ServingModel m = puller.current();
        ObjectNode out = JSON.createObjectNode();
        if (m == null) {
            out.put("status", "unavailable");
            out.put("error", "no model loaded yet");
            out.putNull("modelVersion");
            sendJson(ex, 503, out);
        } else {
            out.put("status", "ok");
            out.put("modelVersion", m.version());
            sendJson(ex, 200, out);
        }
    }

    private void model(HttpExchange ex) throws IOException {
        ServingModel m = puller.current();
        if (m == null) {
            sendError(ex, 503, "no model loaded yet");
            return;
        }
        SnapshotManifest manifest = m.manifest();
        long now = puller.clock().millis();
        ObjectNode out = JSON.createObjectNode();
        out.put("modelVersion", m.version());
        out.put("kind", manifest.kind().name());
        out.put("parentVersion", manifest.parentVersion());
        out.put("checkpointId", manifest.checkpointId());
        out.put("createdAtMs", manifest.createdAtMs());
        out.put("ageSeconds", (now - manifest.createdAtMs()) / 1000.0);
        out.put("swappedAtMs", m.readyAtMs());
        out.put("sinceSwapSeconds", (now - m.readyAtMs()) / 1000.0);
        out.put("modelConfig", manifest.modelConfig().toString());
        out.put("rows", m.rowCount());
        out.put("denseParameters", m.dense().size());
        out.put("rowPrecision", m.precision().name());
        out.put("approximateBytes", m.approximateBytes());
        out.put("overlayDepth", m.overlayDepth());
        out.put("snapshotBytes", manifest.totalBytes());
        out.put("swapCount", puller.swapCount());
        out.put("fullLoads", puller.fullLoadCount());
        out.put("deltaApplies", puller.deltaApplyCount());
        out.put("compactions", puller.compactionCount());
        out.put("loadFailures", puller.loadFailures());
        puller.lastSwap()
                .ifPresent(
                        s -> {
                            ObjectNode last = out.putObject("lastSwap");
                            last.put("version", s.version());
                            last.put("kind", s.kind().name());
                            last.put("swapTimeMs", s.swapTimeMs());
                            last.put("applyMillis", s.applyMillis());
                            last.put("bytesRead", s.bytesRead());
                            last.put("versionsApplied", s.versionsApplied());
                        });
        ObjectNode fresh = out.putObject("freshness");
        OptionalLong ingest = manifest.newestExampleIngestMs();
        if (ingest.isPresent()) {
            fresh.put("newestExampleIngestMs", ingest.getAsLong());
            fresh.put("delaySeconds", (m.readyAtMs() - ingest.getAsLong()) / 1000.0);
        } else {
            fresh.putNull("newestExampleIngestMs");
            fresh.putNull("delaySeconds");
        }
        FreshnessSummary f = puller.freshness();
        fresh.put("samples", f.count());
        putSeconds(fresh, "p50Seconds", f.p50Ms());
        putSeconds(fresh, "p99Seconds", f.p99Ms());
        ObjectNode prov = out.putObject("provenance");
        manifest.provenance().forEach(prov::put);
        putTrainedThrough(out.putObject("trainedThrough"), manifest.provenance());
        sendJson(ex, 200, out);
    }

    /**
     * The examples the served version was trained on, parsed from its provenance: {@code
     * examplesOffsets} (partition -> next offset) and {@code watermarkMs}; null where absent or not
     * parsable (provenance is free-form, a bad entry must not break {@code /model}).
     */
    private static void putTrainedThrough(ObjectNode node, Map<String, String> provenance) {
        String offsets = provenance.get(SnapshotManifest.EXAMPLES_OFFSETS);
        try {
            if (offsets == null) {
                node.putNull("examplesOffsets");
            } else {
                ObjectNode o = node.putObject("examplesOffsets");
                ExampleOffsets.parse(offsets).forEach((p, off) -> o.put(Integer.toString(p), off));
            }
        } catch (IllegalArgumentException e) {
            node.putNull("examplesOffsets");
        }
        try {
            node.put("watermarkMs", Long.parseLong(provenance.get(SnapshotManifest.WATERMARK_MS)));
        } catch (NumberFormatException e) {
            node.putNull("watermarkMs");
        }
    }

    private static void putSeconds(ObjectNode node, String field, OptionalLong ms) {
        if (ms.isPresent()) {
            node.put(field, ms.getAsLong() / 1000.0);
        } else {
            node.putNull(field);
        }
    }

    private static void sendError(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", message);
        out.put("status", status);
        sendJson(ex, status, out);
    }

    private static void sendJson(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
        send(ex, status, "application/json", bytes);
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    ServerMetrics metrics() {
        return metrics;
    }
}
