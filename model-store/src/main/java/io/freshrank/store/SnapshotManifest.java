package io.freshrank.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshrank.features.FeatureSpec;
import io.freshrank.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * The description of one committed snapshot, stored as {@code manifest.json} in its version
 * directory: what model it is (feature spec, model config), which files make it up (with size and
 * SHA-256), where it came from (checkpoint, provenance) and how it relates to other versions
 * (parent, kind). Its presence is what makes a version committed.
 *
 * <p>JSON layout (format version 1), every field required except unknown extra fields, which are
 * ignored:
 *
 * <pre>{@code
 * {"formatVersion": 1, "modelVersion": 12, "parentVersion": -1, "kind": "FULL",
 *  "checkpointId": 12, "createdAtMs": 1767225600000, "featureSpecJson": "{...}",
 *  "modelConfig": {"numSlots": 7, "dim": 8, "numNumeric": 1, "hidden": [64, 32],
 *                  "denseLearningRate": 0.05, "denseInitialAccumulator": 0.1, "seed": 42},
 *  "files": [{"name": "rows-00000.avro", "role": "ROWS", "bytes": 123,
 *             "sha256": "ab12...", "records": 10}],
 *  "provenance": {"featureSpecHash": "...", "codeVersion": "...", "watermarkMs": "..."}}
 * }</pre>
 *
 * Build one with {@link #builder()}; immutable.
 *
 * @param formatVersion snapshot format version, {@link #CURRENT_FORMAT_VERSION}
 * @param modelVersion strictly increasing per store; the version directory's name
 * @param parentVersion the version this one builds on, -1 for none; required for a DELTA
 * @param kind FULL or DELTA
 * @param checkpointId the Flink checkpoint whose state this snapshot exports
 * @param createdAtMs wall-clock time of the export (epoch millis)
 * @param featureSpecJson the {@link FeatureSpec} JSON, exactly as {@link FeatureSpec#toJson()}
 * @param modelConfig the model's shape and dense hyper-parameters
 * @param files the data files, sorted by name: ROWS files, at most one DENSE file (exactly one in a
 *     FULL), DELETES files (only in a DELTA)
 * @param provenance free-form facts (see the {@code *} key constants), sorted by key
 */
public record SnapshotManifest(
        int formatVersion,
        long modelVersion,
        long parentVersion,
        SnapshotKind kind,
        long checkpointId,
        long createdAtMs,
        String featureSpecJson,
        ModelConfig modelConfig,
        List<FileEntry> files,
        Map<String, String> provenance) {

    /** The only format version this code writes and reads. */
    public static final int CURRENT_FORMAT_VERSION = 1;

    /** Provenance key: SHA-256 of the feature spec JSON ({@link FeatureSpec#hash()}). */
    public static final String FEATURE_SPEC_HASH = "featureSpecHash";

    /** Provenance key: version of the code that trained and exported the model. */
    public static final String CODE_VERSION = "codeVersion";

    /**
     * Provenance key: the event-time watermark of the examples trained into the version (epoch
     * millis): the smallest, over the examples topic's partitions, of the newest example event time
     * trained from that partition. Every partition has been trained at least up to it.
     */
    public static final String WATERMARK_MS = "watermarkMs";

    /**
     * Provenance key: free-form Kafka offsets, e.g. {@code topic-0:123,topic-1:456}. The trainer
     * writes {@link #EXAMPLES_OFFSETS}.
     */
    public static final String KAFKA_OFFSETS = "kafkaOffsets";

    /**
     * Provenance key: per partition of the examples topic, the next offset after the examples
     * trained into the version (exclusive: newest trained offset + 1), e.g. {@code 0:1234,1:987};
     * see {@link ExampleOffsets}.
     */
    public static final String EXAMPLES_OFFSETS = "kafka.examples.offsets";

    /** Provenance key: event time of the newest example trained on (epoch millis). */
    public static final String NEWEST_EXAMPLE_TIME_MS = "newestExampleTimeMs";

    /**
     * Provenance key: wall-clock time (epoch millis) at which the newest example this snapshot was
     * trained on was written to Kafka (its record timestamp). A server's freshness delay is its
     * swap time minus this.
     */
    public static final String NEWEST_EXAMPLE_INGEST_MS = "newestExampleIngestMs";

    /** Provenance key: examples trained on since the job started from scratch. */
    public static final String TRAINED_EXAMPLES = "trainedExamples";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public SnapshotManifest {
        if (formatVersion < 1 || formatVersion > CURRENT_FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "formatVersion must be in 1.."
                            + CURRENT_FORMAT_VERSION
                            + ", got "
                            + formatVersion);
        }
        if (modelVersion < 0) {
            throw new IllegalArgumentException("modelVersion must be >= 0, got " + modelVersion);
        }
        Objects.requireNonNull(kind, "kind");
        if (parentVersion < -1 || parentVersion >= modelVersion) {
            throw new IllegalArgumentException(
                    "parentVersion must be -1 (none) or an older version than modelVersion "
                            + modelVersion
                            + ", got "
                            + parentVersion);
        }
        if (kind == SnapshotKind.DELTA && parentVersion < 0) {
            throw new IllegalArgumentException(
                    "a DELTA snapshot needs a parentVersion (the version it applies to)");
        }
        if (featureSpecJson == null || featureSpecJson.isBlank()) {
            throw new IllegalArgumentException("featureSpecJson must not be empty");
        }
        Objects.requireNonNull(modelConfig, "modelConfig");
        List<FileEntry> sorted = new ArrayList<>(Objects.requireNonNull(files, "files"));
        sorted.sort(Comparator.comparing(FileEntry::name));
        Set<String> names = new HashSet<>();
        int denseFiles = 0;
        int deletesFiles = 0;
        for (FileEntry f : sorted) {
            Objects.requireNonNull(f, "file entry");
            if (!names.add(f.name())) {
                throw new IllegalArgumentException(
                        "file " + f.name() + " is listed twice in snapshot " + modelVersion);
            }
            if (f.role() == FileRole.DENSE) {
                denseFiles++;
            }
            if (f.role() == FileRole.DELETES) {
                deletesFiles++;
            }
        }
        if (kind == SnapshotKind.FULL && deletesFiles > 0) {
            throw new IllegalArgumentException(
                    "snapshot "
                            + modelVersion
                            + " is FULL but lists "
                            + deletesFiles
                            + " DELETES files; a FULL snapshot lists every row, so only a DELTA"
                            + " may delete");
        }
        if (denseFiles > 1 || (kind == SnapshotKind.FULL && denseFiles != 1)) {
            throw new IllegalArgumentException(
                    "snapshot "
                            + modelVersion
                            + " ("
                            + kind
                            + ") lists "
                            + denseFiles
                            + " DENSE files; a FULL snapshot needs exactly one, a DELTA at most"
                            + " one");
        }
        files = List.copyOf(sorted);
        TreeMap<String, String> prov = new TreeMap<>();
        Objects.requireNonNull(provenance, "provenance")
                .forEach(
                        (k, v) ->
                                prov.put(
                                        Objects.requireNonNull(k, "provenance key"),
                                        Objects.requireNonNull(v, "provenance value of " + k)));
        provenance = Collections.unmodifiableMap(prov);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The files of {@code role}, in name order. */
    public List<FileEntry> files(FileRole role) {
        List<FileEntry> out = new ArrayList<>();
        for (FileEntry f : files) {
            if (f.role() == role) {
                out.add(f);
            }
        }
        return out;
    }

    /** Sum of the sizes of this version's own data files (not its parents'), in bytes. */
    public long totalBytes() {
        long sum = 0;
        for (FileEntry f : files) {
            sum += f.bytes();
        }
        return sum;
    }

    /**
     * The {@link #NEWEST_EXAMPLE_INGEST_MS} provenance entry; empty when absent or not a
     * non-negative integer (provenance is free-form, so a bad value is not an error).
     */
    public OptionalLong newestExampleIngestMs() {
        String v = provenance.get(NEWEST_EXAMPLE_INGEST_MS);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            long ms = Long.parseLong(v.trim());
            return ms >= 0 ? OptionalLong.of(ms) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Parses the feature spec this snapshot was trained with. */
    public FeatureSpec featureSpec() {
        return FeatureSpec.fromJson(featureSpecJson);
    }

    /** The manifest as (indented) JSON. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", formatVersion);
        root.put("modelVersion", modelVersion);
        root.put("parentVersion", parentVersion);
        root.put("kind", kind.name());
        root.put("checkpointId", checkpointId);
        root.put("createdAtMs", createdAtMs);
        root.put("featureSpecJson", featureSpecJson);
        ObjectNode cfg = root.putObject("modelConfig");
        cfg.put("numSlots", modelConfig.numSlots());
        cfg.put("dim", modelConfig.dim());
        cfg.put("numNumeric", modelConfig.numNumeric());
        ArrayNode hidden = cfg.putArray("hidden");
        for (int h : modelConfig.hidden()) {
            hidden.add(h);
        }
        cfg.put("denseLearningRate", modelConfig.denseLearningRate());
        cfg.put("denseInitialAccumulator", modelConfig.denseInitialAccumulator());
        cfg.put("seed", modelConfig.seed());
        ArrayNode fileArray = root.putArray("files");
        for (FileEntry f : files) {
            ObjectNode n = fileArray.addObject();
            n.put("name", f.name());
            n.put("role", f.role().name());
            n.put("bytes", f.bytes());
            n.put("sha256", f.sha256());
            n.put("records", f.records());
        }
        ObjectNode prov = root.putObject("provenance");
        provenance.forEach(prov::put);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    /**
     * Parses a manifest.
     *
     * @throws UnsupportedSnapshotFormatException if its formatVersion is not {@link
     *     #CURRENT_FORMAT_VERSION} (checked before any other field)
     * @throws SnapshotCorruptException if it is not valid JSON or a field is missing, has the wrong
     *     type or an invalid value (the message names the field)
     */
    public static SnapshotManifest fromJson(String json) throws SnapshotException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw corrupt(
                    "is not valid JSON (line "
                            + e.getLocation().getLineNr()
                            + ", column "
                            + e.getLocation().getColumnNr()
                            + ")",
                    e);
        }
        if (root == null || !root.isObject()) {
            throw corrupt("is not a JSON object", null);
        }
        JsonNode version = root.get("formatVersion");
        if (version == null || !version.canConvertToInt() || !version.isIntegralNumber()) {
            throw corrupt("has no integer field formatVersion", null);
        }
        if (version.intValue() != CURRENT_FORMAT_VERSION) {
            throw new UnsupportedSnapshotFormatException(
                    LocalModelStore.MANIFEST_FILE, version.intValue(), CURRENT_FORMAT_VERSION);
        }
        try {
            JsonNode cfgNode = object(root, "modelConfig");
            JsonNode hiddenNode = cfgNode.get("hidden");
            if (hiddenNode == null || !hiddenNode.isArray()) {
                throw corrupt("field modelConfig.hidden must be an array of integers", null);
            }
            int[] hidden = new int[hiddenNode.size()];
            for (int i = 0; i < hidden.length; i++) {
                if (!hiddenNode.get(i).canConvertToInt() || !hiddenNode.get(i).isIntegralNumber()) {
                    throw corrupt("field modelConfig.hidden must be an array of integers", null);
                }
                hidden[i] = hiddenNode.get(i).intValue();
            }
            ModelConfig cfg =
                    new ModelConfig(
                            integer(cfgNode, "modelConfig.", "numSlots"),
                            integer(cfgNode, "modelConfig.", "dim"),
                            integer(cfgNode, "modelConfig.", "numNumeric"),
                            hidden,
                            floating(cfgNode, "modelConfig.", "denseLearningRate"),
                            floating(cfgNode, "modelConfig.", "denseInitialAccumulator"),
                            longField(cfgNode, "modelConfig.", "seed"));
            JsonNode filesNode = root.get("files");
            if (filesNode == null || !filesNode.isArray()) {
                throw corrupt("field files must be an array", null);
            }
            List<FileEntry> files = new ArrayList<>();
            for (int i = 0; i < filesNode.size(); i++) {
                JsonNode f = filesNode.get(i);
                String where = "files[" + i + "].";
                if (!f.isObject()) {
                    throw corrupt("field files[" + i + "] must be an object", null);
                }
                files.add(
                        new FileEntry(
                                text(f, where, "name"),
                                role(f, where),
                                longField(f, where, "bytes"),
                                text(f, where, "sha256"),
                                longField(f, where, "records")));
            }
            JsonNode provNode = object(root, "provenance");
            Map<String, String> provenance = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = provNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw corrupt("field provenance." + e.getKey() + " must be a string", null);
                }
                provenance.put(e.getKey(), e.getValue().asText());
            }
            return new SnapshotManifest(
                    version.intValue(),
                    longField(root, "", "modelVersion"),
                    longField(root, "", "parentVersion"),
                    enumValue(SnapshotKind.class, root, "", "kind"),
                    longField(root, "", "checkpointId"),
                    longField(root, "", "createdAtMs"),
                    text(root, "", "featureSpecJson"),
                    cfg,
                    files,
                    provenance);
        } catch (IllegalArgumentException e) {
            throw corrupt("is invalid: " + e.getMessage(), e);
        }
    }

    private static SnapshotCorruptException corrupt(String what, Throwable cause) {
        return new SnapshotCorruptException(
                LocalModelStore.MANIFEST_FILE, LocalModelStore.MANIFEST_FILE + " " + what, cause);
    }

    private static JsonNode field(JsonNode n, String prefix, String name)
            throws SnapshotCorruptException {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            throw corrupt("has no field " + prefix + name, null);
        }
        return v;
    }

    private static JsonNode object(JsonNode n, String name) throws SnapshotCorruptException {
        JsonNode v = field(n, "", name);
        if (!v.isObject()) {
            throw corrupt("field " + name + " must be an object", null);
        }
        return v;
    }

    private static String text(JsonNode n, String prefix, String name)
            throws SnapshotCorruptException {
        JsonNode v = field(n, prefix, name);
        if (!v.isTextual()) {
            throw corrupt("field " + prefix + name + " must be a string", null);
        }
        return v.textValue();
    }

    private static long longField(JsonNode n, String prefix, String name)
            throws SnapshotCorruptException {
        JsonNode v = field(n, prefix, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw corrupt("field " + prefix + name + " must be an integer", null);
        }
        return v.longValue();
    }

    private static int integer(JsonNode n, String prefix, String name)
            throws SnapshotCorruptException {
        JsonNode v = field(n, prefix, name);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw corrupt("field " + prefix + name + " must be a 32-bit integer", null);
        }
        return v.intValue();
    }

    private static float floating(JsonNode n, String prefix, String name)
            throws SnapshotCorruptException {
        JsonNode v = field(n, prefix, name);
        if (!v.isNumber()) {
            throw corrupt("field " + prefix + name + " must be a number", null);
        }
        return v.floatValue();
    }

    /**
     * A file's role. An unknown role is a newer writer's addition to format version 1: rejecting
     * the snapshot is the only safe choice, as skipping the file could change the model.
     */
    private static FileRole role(JsonNode n, String prefix) throws SnapshotCorruptException {
        String v = text(n, prefix, "role");
        for (FileRole r : FileRole.values()) {
            if (r.name().equals(v)) {
                return r;
            }
        }
        throw corrupt(
                "field "
                        + prefix
                        + "role has file role '"
                        + v
                        + "', which this reader does not know (it knows "
                        + Arrays.toString(FileRole.values())
                        + "); the snapshot was probably written by a newer Freshrank and cannot be"
                        + " read without that file: upgrade this reader",
                null);
    }

    private static <E extends Enum<E>> E enumValue(
            Class<E> type, JsonNode n, String prefix, String name) throws SnapshotCorruptException {
        String v = text(n, prefix, name);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name());
        }
        throw corrupt(
                "field "
                        + prefix
                        + name
                        + " has unknown value '"
                        + v
                        + "' (expected one of "
                        + allowed
                        + ")",
                null);
    }

    /**
     * Builds a manifest; {@link #build()} names the first missing field. Defaults: {@code
     * formatVersion} = {@link #CURRENT_FORMAT_VERSION}, {@code parentVersion} = -1, {@code kind} =
     * FULL. Not thread-safe.
     */
    public static final class Builder {
        private Long modelVersion;
        private long parentVersion = -1;
        private SnapshotKind kind = SnapshotKind.FULL;
        private Long checkpointId;
        private Long createdAtMs;
        private String featureSpecJson;
        private ModelConfig modelConfig;
        private final List<FileEntry> files = new ArrayList<>();
        private final Map<String, String> provenance = new TreeMap<>();

        private Builder() {}

        public Builder modelVersion(long v) {
            this.modelVersion = v;
            return this;
        }

        public Builder parentVersion(long v) {
            this.parentVersion = v;
            return this;
        }

        public Builder kind(SnapshotKind k) {
            this.kind = k;
            return this;
        }

        public Builder checkpointId(long id) {
            this.checkpointId = id;
            return this;
        }

        public Builder createdAtMs(long ms) {
            this.createdAtMs = ms;
            return this;
        }

        /** Sets featureSpecJson and the {@link #FEATURE_SPEC_HASH} provenance entry. */
        public Builder featureSpec(FeatureSpec spec) {
            this.featureSpecJson = spec.toJson();
            this.provenance.put(FEATURE_SPEC_HASH, spec.hash());
            return this;
        }

        public Builder modelConfig(ModelConfig config) {
            this.modelConfig = config;
            return this;
        }

        /** Adds data files, e.g. the entries collected from every writer subtask (any order). */
        public Builder files(Collection<FileEntry> entries) {
            this.files.addAll(entries);
            return this;
        }

        public Builder file(FileEntry entry) {
            this.files.add(entry);
            return this;
        }

        public Builder provenance(String key, String value) {
            this.provenance.put(key, value);
            return this;
        }

        public Builder provenance(Map<String, String> entries) {
            this.provenance.putAll(entries);
            return this;
        }

        public SnapshotManifest build() {
            require(modelVersion, "modelVersion");
            require(checkpointId, "checkpointId");
            require(createdAtMs, "createdAtMs");
            require(featureSpecJson, "featureSpec");
            require(modelConfig, "modelConfig");
            return new SnapshotManifest(
                    CURRENT_FORMAT_VERSION,
                    modelVersion,
                    parentVersion,
                    kind,
                    checkpointId,
                    createdAtMs,
                    featureSpecJson,
                    modelConfig,
                    files,
                    provenance);
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException(
                        "snapshot manifest needs "
                                + name
                                + ": call "
                                + name
                                + "(...) before build()");
            }
        }
    }
}
