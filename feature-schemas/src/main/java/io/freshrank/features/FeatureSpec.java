package io.freshrank.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The slots a model reads, parsed from JSON and validated. Immutable and thread-safe.
 *
 * <pre>{@code
 * {"name": "simulator", "slots": [
 *   {"id": 1, "name": "user_id", "kind": "CATEGORICAL", "dim": 8, "admissionThreshold": 1,
 *    "idleExpiry": "PT24H", "optimizer": {"type": "ADAGRAD", "learningRate": 0.05}},
 *   {"id": 9, "name": "price", "kind": "NUMERIC"}]}
 * }</pre>
 *
 * Embedded slots (CATEGORICAL, SEQUENCE) come first in {@link #embeddedSlots()} in declaration
 * order; that order is the model's input layout, so it is part of the model (its hash is in every
 * snapshot's provenance).
 */
public final class FeatureSpec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_EXPIRY = Duration.ofDays(7);

    private final String name;
    private final List<SlotSpec> embedded;
    private final List<SlotSpec> numeric;
    private final Map<String, SlotSpec> byName;
    private final String canonicalJson;

    private FeatureSpec(String name, List<SlotSpec> slots, String canonicalJson) {
        this.name = name;
        this.canonicalJson = canonicalJson;
        List<SlotSpec> emb = new ArrayList<>();
        List<SlotSpec> num = new ArrayList<>();
        Map<String, SlotSpec> names = new HashMap<>();
        for (SlotSpec s : slots) {
            (s.embedded() ? emb : num).add(s);
            names.put(s.name(), s);
        }
        this.embedded = List.copyOf(emb);
        this.numeric = List.copyOf(num);
        this.byName = Map.copyOf(names);
    }

    /** Parses and validates a spec; errors name the slot and field to change. */
    public static FeatureSpec fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "feature spec is not valid JSON: " + e.getMessage(), e);
        }
        String name = text(root, "name", "unnamed");
        rejectUnknown(root, Set.of("name", "slots"), "feature spec '" + name + "'");
        JsonNode slotsNode = root.get("slots");
        if (slotsNode == null || !slotsNode.isArray() || slotsNode.isEmpty()) {
            throw new IllegalArgumentException(
                    "feature spec '" + name + "' needs a non-empty \"slots\" array");
        }
        List<SlotSpec> slots = new ArrayList<>();
        Map<Integer, String> ids = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (JsonNode n : slotsNode) {
            SlotSpec s = parseSlot(n);
            String other = ids.putIfAbsent(s.id(), s.name());
            if (other != null) {
                throw new IllegalArgumentException(
                        "slot id "
                                + s.id()
                                + " is used by both '"
                                + other
                                + "' and '"
                                + s.name()
                                + "'; slot ids must be unique");
            }
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("slot name '" + s.name() + "' is used twice");
            }
            slots.add(s);
        }
        return new FeatureSpec(name, slots, root.toString());
    }

    public static FeatureSpec load(Path path) {
        try {
            return fromJson(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read feature spec " + path, e);
        }
    }

    /** Loads a spec from the classpath, e.g. {@code io/freshrank/features/simulator.spec.json}. */
    public static FeatureSpec fromResource(String resource) {
        try (InputStream in = FeatureSpec.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no feature spec resource " + resource);
            }
            return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read feature spec " + resource, e);
        }
    }

    /** The spec of the built-in traffic simulator. */
    public static FeatureSpec simulator() {
        return fromResource("io/freshrank/features/simulator.spec.json");
    }

    private static SlotSpec parseSlot(JsonNode n) {
        String slotName = text(n, "name", null);
        if (slotName == null || slotName.isBlank()) {
            throw new IllegalArgumentException("every slot needs a \"name\": " + n);
        }
        String where = "slot '" + slotName + "'";
        rejectUnknown(n, SLOT_FIELDS, where);
        if (n.hasNonNull("optimizer")) {
            if (!n.get("optimizer").isObject()) {
                throw new IllegalArgumentException(where + ": \"optimizer\" must be an object");
            }
            rejectUnknown(n.get("optimizer"), OPTIMIZER_FIELDS, where + " optimizer");
        }
        if (!n.hasNonNull("id")
                || !n.get("id").isIntegralNumber()
                || !n.get("id").canConvertToInt()) {
            throw new IllegalArgumentException(where + " needs an integer \"id\" in 1..255");
        }
        int id = n.get("id").asInt();
        if (id < 1 || id > FeatureHasher.MAX_SLOT_ID) {
            throw new IllegalArgumentException(where + ": \"id\" must be in 1..255, got " + id);
        }
        SlotKind kind;
        try {
            kind = SlotKind.valueOf(text(n, "kind", "CATEGORICAL").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ": \"kind\" must be CATEGORICAL, SEQUENCE or NUMERIC", e);
        }
        int dim = intOr(n, "dim", kind == SlotKind.NUMERIC ? 1 : 8, where);
        if (dim < 1 || dim > 1024) {
            throw new IllegalArgumentException(where + ": \"dim\" must be in 1..1024, got " + dim);
        }
        int admission = intOr(n, "admissionThreshold", 1, where);
        if (admission < 1) {
            throw new IllegalArgumentException(
                    where
                            + ": \"admissionThreshold\" must be >= 1 (1 admits at first sight), got "
                            + admission);
        }
        Duration expiry = DEFAULT_EXPIRY;
        if (n.hasNonNull("idleExpiry")) {
            try {
                expiry = Duration.parse(n.get("idleExpiry").asText());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(
                        where + ": \"idleExpiry\" must be an ISO-8601 duration such as PT24H", e);
            }
            if (expiry.isNegative() || expiry.isZero()) {
                throw new IllegalArgumentException(where + ": \"idleExpiry\" must be positive");
            }
        }
        float admissionProbability = floatOr(n, "admissionProbability", 1f, where);
        if (!(admissionProbability > 0f && admissionProbability <= 1f)) {
            throw new IllegalArgumentException(
                    where
                            + ": \"admissionProbability\" must be in (0, 1], got "
                            + admissionProbability);
        }
        float initStddev = floatOr(n, "initStddev", 0.01f, where);
        if (!(initStddev >= 0f) || !Float.isFinite(initStddev)) {
            throw new IllegalArgumentException(
                    where + ": \"initStddev\" must be a finite number >= 0, got " + initStddev);
        }
        float clipNorm = floatOr(n, "clipNorm", 0f, where);
        if (!(clipNorm >= 0f) || !Float.isFinite(clipNorm)) {
            throw new IllegalArgumentException(
                    where
                            + ": \"clipNorm\" must be a finite number >= 0 (0 = off), got "
                            + clipNorm);
        }
        OptimizerSpec opt = OptimizerSpec.DEFAULT;
        if (n.hasNonNull("optimizer")) {
            JsonNode o = n.get("optimizer");
            OptimizerSpec d = OptimizerSpec.DEFAULT;
            try {
                opt =
                        new OptimizerSpec(
                                text(o, "type", d.type()),
                                floatOr(o, "learningRate", d.learningRate()),
                                floatOr(o, "initialAccumulator", d.initialAccumulator()),
                                floatOr(o, "l1", d.l1()),
                                floatOr(o, "l2", d.l2()),
                                floatOr(o, "beta", d.beta()),
                                floatOr(o, "beta1", d.beta1()),
                                floatOr(o, "beta2", d.beta2()),
                                floatOr(o, "epsilon", d.epsilon()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return new SlotSpec(
                id,
                slotName,
                kind,
                dim,
                admission,
                admissionProbability,
                expiry,
                initStddev,
                clipNorm,
                opt);
    }

    private static final Set<String> SLOT_FIELDS =
            Set.of(
                    "id",
                    "name",
                    "kind",
                    "dim",
                    "admissionThreshold",
                    "admissionProbability",
                    "idleExpiry",
                    "initStddev",
                    "clipNorm",
                    "optimizer");
    private static final Set<String> OPTIMIZER_FIELDS =
            Set.of(
                    "type",
                    "learningRate",
                    "initialAccumulator",
                    "l1",
                    "l2",
                    "beta",
                    "beta1",
                    "beta2",
                    "epsilon");

    /** Typos must not pass silently: every field must be one this spec knows. */
    private static void rejectUnknown(JsonNode n, Set<String> known, String where) {
        var it = n.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new IllegalArgumentException(
                        where
                                + ": unknown field \""
                                + f
                                + "\" (known: "
                                + new java.util.TreeSet<>(known)
                                + ")");
            }
        }
    }

    private static float floatOr(JsonNode n, String field, float dflt) {
        return floatOr(n, field, dflt, "optimizer");
    }

    /** A finite number field, or {@code dflt} when absent; anything else names the field. */
    private static float floatOr(JsonNode n, String field, float dflt, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        float f = (float) v.asDouble();
        if (!v.isNumber() || !Float.isFinite(f)) {
            throw new IllegalArgumentException(
                    where + ": \"" + field + "\" must be a finite number, got " + v);
        }
        return f;
    }

    /** An integer field, or {@code dflt} when absent; anything else names the field. */
    private static int intOr(JsonNode n, String field, int dflt, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(
                    where + ": \"" + field + "\" must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    public String name() {
        return name;
    }

    /** CATEGORICAL and SEQUENCE slots in declaration order: the model's embedding input layout. */
    public List<SlotSpec> embeddedSlots() {
        return embedded;
    }

    /** NUMERIC slots in declaration order: the model's dense input layout. */
    public List<SlotSpec> numericSlots() {
        return numeric;
    }

    public SlotSpec slot(String slotName) {
        SlotSpec s = byName.get(slotName);
        if (s == null) {
            throw new IllegalArgumentException("no slot named '" + slotName + "' in spec " + name);
        }
        return s;
    }

    /** The slot a feature id belongs to, by its 8-bit prefix; null if none. */
    public SlotSpec slotOf(long featureId) {
        int slotId = FeatureHasher.slotId(featureId);
        for (SlotSpec s : embedded) {
            if (s.id() == slotId) {
                return s;
            }
        }
        return null;
    }

    /**
     * The embedding dim shared by all embedded slots; fails if they differ (FM interactions need
     * one dim).
     */
    public int uniformDim() {
        int dim = embedded.isEmpty() ? 0 : embedded.get(0).dim();
        for (SlotSpec s : embedded) {
            if (s.dim() != dim) {
                throw new IllegalArgumentException(
                        "slot '"
                                + s.name()
                                + "' has dim "
                                + s.dim()
                                + " but '"
                                + embedded.get(0).name()
                                + "' has "
                                + dim
                                + "; this model needs one embedding dim for all slots");
            }
        }
        return dim;
    }

    /** The spec as compact JSON (as parsed). */
    public String toJson() {
        return canonicalJson;
    }

    /** SHA-256 of {@link #toJson()}, hex; goes into snapshot provenance. */
    public String hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of()
                    .formatHex(md.digest(canonicalJson.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
