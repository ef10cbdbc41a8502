package io.freshrank.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;

/**
 * Reads a running job's task metrics from Flink's REST API (the MiniCluster's web URL): per job
 * vertex the share of time its subtasks are busy, back-pressured or idle (averaged over subtasks),
 * and operator metrics summed over subtasks (e.g. the embedding shards' cache gauges). Where a
 * pipeline's time goes is the vertex that is busy while the ones before it are back-pressured.
 * Blocking calls; use from one thread.
 */
final class FlinkRestProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    /**
     * Load of one job vertex (a chain of operators), in ms per second averaged over subtasks.
     *
     * @param name the vertex's name (its chained operators)
     * @param parallelism subtasks
     */
    record VertexLoad(
            String name, int parallelism, double busy, double backPressured, double idle) {}

    FlinkRestProbe(String webUrl, JobID job) {
        this.base = (webUrl.endsWith("/") ? webUrl : webUrl + "/") + "jobs/" + job;
    }

    /**
     * Per vertex, the mean of several {@link #vertexLoads} samples. The first sample and samples
     * Flink has not filled yet (NaN, or every vertex reported 100% busy, which is what the first
     * fetch after a job starts returns) are skipped.
     */
    static List<VertexLoad> average(List<List<VertexLoad>> samples) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, Integer> parallelism = new LinkedHashMap<>();
        // The first sample of a job mixes start-up with running: skip it when there are others.
        for (List<VertexLoad> sample :
                samples.subList(samples.size() > 1 ? 1 : 0, samples.size())) {
            boolean unfilled =
                    sample.isEmpty()
                            || sample.stream()
                                    .anyMatch(v -> Double.isNaN(v.busy()) || Double.isNaN(v.idle()))
                            || sample.stream().allMatch(v -> v.busy() >= 999.5);
            if (unfilled) {
                continue;
            }
            for (VertexLoad v : sample) {
                double[] acc = sums.computeIfAbsent(v.name(), k -> new double[4]);
                acc[0] += v.busy();
                acc[1] += v.backPressured();
                acc[2] += v.idle();
                acc[3]++;
                parallelism.put(v.name(), v.parallelism());
            }
        }
        List<VertexLoad> out = new ArrayList<>();
        sums.forEach(
                (name, a) ->
                        out.add(
                                new VertexLoad(
                                        name,
                                        parallelism.get(name),
                                        a[0] / a[3],
                                        a[1] / a[3],
                                        a[2] / a[3])));
        return out;
    }

    /** Every vertex's busy / back-pressured / idle time. */
    List<VertexLoad> vertexLoads() throws IOException, InterruptedException {
        List<VertexLoad> out = new ArrayList<>();
        for (JsonNode v : get("").path("vertices")) {
            Map<String, JsonNode> m =
                    metrics(
                            v.path("id").asText(),
                            List.of(
                                    "busyTimeMsPerSecond",
                                    "backPressuredTimeMsPerSecond",
                                    "idleTimeMsPerSecond"));
            out.add(
                    new VertexLoad(
                            v.path("name").asText(),
                            v.path("parallelism").asInt(),
                            avg(m.get("busyTimeMsPerSecond")),
                            avg(m.get("backPressuredTimeMsPerSecond")),
                            avg(m.get("idleTimeMsPerSecond"))));
        }
        return out;
    }

    /**
     * An operator metric aggregated over subtasks.
     *
     * @param sum sum over subtasks
     * @param avg mean over subtasks
     */
    record Agg(double sum, double avg) {}

    /**
     * Every operator metric whose id ends with {@code "." + name}, for each name, aggregated over
     * subtasks (and summed over vertices if several have it); names no vertex has are absent.
     */
    Map<String, Agg> operatorMetrics(List<String> names) throws IOException, InterruptedException {
        Map<String, Agg> out = new LinkedHashMap<>();
        for (JsonNode v : get("").path("vertices")) {
            String vid = v.path("id").asText();
            List<String> wanted = new ArrayList<>();
            Map<String, String> idToName = new LinkedHashMap<>();
            for (JsonNode m : get("/vertices/" + vid + "/subtasks/metrics")) {
                String id = m.path("id").asText();
                for (String n : names) {
                    if (id.endsWith("." + n)) {
                        wanted.add(id);
                        idToName.put(id, n);
                    }
                }
            }
            if (wanted.isEmpty()) {
                continue;
            }
            metrics(vid, wanted)
                    .forEach(
                            (id, node) ->
                                    out.merge(
                                            idToName.get(id),
                                            new Agg(
                                                    node.path("sum").asDouble(Double.NaN),
                                                    node.path("avg").asDouble(Double.NaN)),
                                            (a, b) -> new Agg(a.sum() + b.sum(), a.avg())));
        }
        return out;
    }

    /**
     * The job's checkpoints so far.
     *
     * @param completed completed checkpoints
     * @param failed failed checkpoints
     * @param avgDurationMs mean end-to-end duration
     * @param maxDurationMs longest end-to-end duration
     * @param avgCheckpointedBytes mean checkpointed (incremental) size
     */
    record CheckpointStats(
            long completed,
            long failed,
            double avgDurationMs,
            double maxDurationMs,
            double avgCheckpointedBytes) {}

    CheckpointStats checkpoints() throws IOException, InterruptedException {
        JsonNode c = get("/checkpoints");
        JsonNode duration = c.path("summary").path("end_to_end_duration");
        return new CheckpointStats(
                c.path("counts").path("completed").asLong(),
                c.path("counts").path("failed").asLong(),
                duration.path("avg").asDouble(Double.NaN),
                duration.path("max").asDouble(Double.NaN),
                c.path("summary").path("checkpointed_size").path("avg").asDouble(Double.NaN));
    }

    private Map<String, JsonNode> metrics(String vertexId, List<String> ids)
            throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder();
        for (String id : ids) {
            if (q.length() > 0) {
                q.append(',');
            }
            q.append(URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode m :
                get("/vertices/" + vertexId + "/subtasks/metrics?get=" + q + "&agg=avg,sum")) {
            out.put(m.path("id").asText(), m);
        }
        return out;
    }

    private static double avg(JsonNode n) {
        return n == null ? Double.NaN : n.path("avg").asDouble(Double.NaN);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + base + path + " -> HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }
}
