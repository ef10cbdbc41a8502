package io.freshrank.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A parsed, validated {@code POST /rank} body:
 *
 * <pre>{@code
 * {"context": {"categorical": {"user_id": "u1"}, "numeric": {"x": 1.5},
 *              "sequences": {"recent_categories": ["c1", "c2"]}},
 *  "candidates": [{"id": "item-17", "categorical": {"item_id": "17"}, "numeric": {...}}],
 *  "topK": 10}
 * }</pre>
 *
 * Categorical values and sequence elements are strings (integers are accepted and used as their
 * decimal text); numerics are numbers; JSON null means absent. Error messages name the offending
 * field but never echo values.
 */
record RankRequest(RawFeatures context, List<Candidate> candidates, int topK) {

    /** Raw features of the context or of one candidate, before extraction. */
    record RawFeatures(
            Map<String, String> categorical,
            Map<String, Float> numeric,
            Map<String, List<String>> sequences) {
        static final RawFeatures EMPTY = new RawFeatures(Map.of(), Map.of(), Map.of());

        /** These features with {@code candidate}'s replacing those of the same slot. */
        RawFeatures overriddenBy(RawFeatures candidate) {
            return new RawFeatures(
                    merge(categorical, candidate.categorical),
                    merge(numeric, candidate.numeric),
                    merge(sequences, candidate.sequences));
        }

        private static <V> Map<String, V> merge(Map<String, V> base, Map<String, V> override) {
            if (override.isEmpty()) {
                return base;
            }
            if (base.isEmpty()) {
                return override;
            }
            Map<String, V> out = new HashMap<>(base);
            out.putAll(override);
            return out;
        }
    }

    record Candidate(String id, RawFeatures features) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static RankRequest parse(byte[] body, int maxCandidates) throws RequestException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new RequestException(
                    400,
                    "request body is not valid JSON (line "
                            + e.getLocation().getLineNr()
                            + ", column "
                            + e.getLocation().getColumnNr()
                            + ")");
        } catch (IOException e) {
            throw new RequestException(400, "request body cannot be read as JSON");
        }
        if (root == null || !root.isObject()) {
            throw new RequestException(400, "request body must be a JSON object");
        }
        RawFeatures context = RawFeatures.EMPTY;
        JsonNode ctx = root.get("context");
        if (ctx != null && !ctx.isNull()) {
            if (!ctx.isObject()) {
                throw new RequestException(400, "\"context\" must be an object");
            }
            context = features(ctx, "context");
        }
        JsonNode cands = root.get("candidates");
        if (cands == null || cands.isNull()) {
            throw new RequestException(400, "request needs a \"candidates\" array");
        }
        if (!cands.isArray()) {
            throw new RequestException(400, "\"candidates\" must be an array");
        }
        if (cands.isEmpty()) {
            throw new RequestException(400, "\"candidates\" must not be empty");
        }
        if (cands.size() > maxCandidates) {
            throw new RequestException(
                    413,
                    "too many candidates: "
                            + cands.size()
                            + " > "
                            + maxCandidates
                            + " ("
                            + RankingServerConfig.MAX_CANDIDATES_KEY
                            + "); split the request");
        }
        List<Candidate> candidates = new ArrayList<>(cands.size());
        for (int i = 0; i < cands.size(); i++) {
            JsonNode c = cands.get(i);
            String where = "candidates[" + i + "]";
            if (!c.isObject()) {
                throw new RequestException(400, where + " must be an object");
            }
            JsonNode id = c.get("id");
            if (id == null || id.isNull()) {
                throw new RequestException(400, where + " has no \"id\"");
            }
            if (!id.isTextual() && !id.isIntegralNumber()) {
                throw new RequestException(400, where + ".id must be a string");
            }
            candidates.add(new Candidate(id.asText(), features(c, where)));
        }
        int topK = candidates.size();
        JsonNode k = root.get("topK");
        if (k != null && !k.isNull()) {
            if (!k.isIntegralNumber() || !k.canConvertToInt() || k.intValue() < 1) {
                throw new RequestException(400, "\"topK\" must be an integer >= 1");
            }
            topK = Math.min(k.intValue(), candidates.size());
        }
        return new RankRequest(context, List.copyOf(candidates), topK);
    }

    private static RawFeatures features(JsonNode n, String where) throws RequestException {
        Map<String, String> categorical = Map.of();
        JsonNode cat = object(n, "categorical", where);
        if (cat != null) {
            categorical = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = cat.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String v = text(e.getValue(), where + ".categorical." + e.getKey());
                if (v != null) {
                    categorical.put(e.getKey(), v);
                }
            }
        }
        Map<String, Float> numeric = Map.of();
        JsonNode num = object(n, "numeric", where);
        if (num != null) {
            numeric = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = num.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (v.isNull()) {
                    continue;
                }
                if (!v.isNumber()) {
                    throw new RequestException(
                            400, where + ".numeric." + e.getKey() + " must be a number");
                }
                numeric.put(e.getKey(), v.floatValue());
            }
        }
        Map<String, List<String>> sequences = Map.of();
        JsonNode seq = object(n, "sequences", where);
        if (seq != null) {
            sequences = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = seq.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                String field = where + ".sequences." + e.getKey();
                if (v.isNull()) {
                    continue;
                }
                if (!v.isArray()) {
                    throw new RequestException(400, field + " must be an array of strings");
                }
                List<String> values = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) {
                    String s = text(v.get(i), field + "[" + i + "]");
                    if (s != null) {
                        values.add(s);
                    }
                }
                sequences.put(e.getKey(), values);
            }
        }
        return new RawFeatures(categorical, numeric, sequences);
    }

    private static JsonNode object(JsonNode n, String field, String where) throws RequestException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new RequestException(400, where + "." + field + " must be an object");
        }
        return v;
    }

    private static String text(JsonNode v, String field) throws RequestException {
        if (v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isIntegralNumber()) {
            return v.asText();
        }
        throw new RequestException(400, field + " must be a string");
    }
}
