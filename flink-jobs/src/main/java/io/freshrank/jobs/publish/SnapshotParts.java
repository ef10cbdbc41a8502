package io.freshrank.jobs.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshrank.store.FileEntry;
import io.freshrank.store.FileRole;
import io.freshrank.store.LocalModelStore;
import io.freshrank.store.SnapshotStaging;
import io.freshrank.store.StoreFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Part descriptors: the {@link FileEntry} of a staged data file plus the writer's facts about it
 * (snapshot kind, delta base), as a {@code <file>.part.json} beside it, written atomically (tmp +
 * rename, or one upload on an object store) so a reader sees a complete descriptor or none. Format
 * version 1 (field {@code "v"}). Also each trainer subtask's {@link TrainingProgress}, as {@code
 * progress-00003.progress.json}.
 */
public final class SnapshotParts {
    /** Meta key: FULL or DELTA. */
    public static final String KIND = "kind";

    /**
     * Meta key: the checkpoint id of the writer's previous snapshot (a DELTA's base), -1 for none.
     */
    public static final String BASE = "base";

    static final String SUFFIX = ".part.json";
    static final String PROGRESS_PREFIX = "progress-";
    static final String PROGRESS_SUFFIX = ".progress.json";
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotParts() {}

    /** A staged file and its writer's meta facts. */
    public record Part(FileEntry entry, Map<String, String> meta) {}

    /**
     * Whether version {@code checkpointId} can still be staged: not committed and newer than {@code
     * LATEST} (a job restored from an old savepoint must not overwrite newer published versions; it
     * publishes again once its checkpoint ids pass them).
     */
    public static boolean stageable(LocalModelStore store, long checkpointId) throws IOException {
        if (store.isCommitted(checkpointId)) {
            return false;
        }
        var latest = store.readLatestVersion();
        return latest.isEmpty() || checkpointId > latest.getAsLong();
    }

    public static void write(SnapshotStaging staging, FileEntry entry) throws IOException {
        write(staging, entry, Map.of());
    }

    public static void write(SnapshotStaging staging, FileEntry entry, Map<String, String> meta)
            throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("name", entry.name());
        m.put("role", entry.role().name());
        m.put("bytes", entry.bytes());
        m.put("sha256", entry.sha256());
        m.put("records", entry.records());
        m.put("meta", new TreeMap<>(meta));
        staging.fileSystem()
                .publish(
                        StoreFileSystem.child(staging.location(), entry.name() + SUFFIX),
                        JSON.writeValueAsBytes(m));
    }

    /** Every complete part descriptor in {@code staging} (none when it does not exist). */
    public static List<Part> read(SnapshotStaging staging) throws IOException {
        List<Part> out = new ArrayList<>();
        for (String name : stagedFiles(staging, SUFFIX)) {
            String p = StoreFileSystem.child(staging.location(), name);
            JsonNode n = JSON.readTree(readString(staging, p));
            int v = n.path("v").asInt(-1);
            if (v != VERSION) {
                throw new IOException(
                        "part descriptor "
                                + staging.fileSystem().describe(p)
                                + " has format version "
                                + v
                                + "; this reader supports "
                                + VERSION);
            }
            Map<String, String> meta = new TreeMap<>();
            n.path("meta")
                    .fields()
                    .forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
            out.add(
                    new Part(
                            new FileEntry(
                                    n.get("name").asText(),
                                    FileRole.valueOf(n.get("role").asText()),
                                    n.get("bytes").asLong(),
                                    n.get("sha256").asText(),
                                    n.get("records").asLong()),
                            meta));
        }
        return out;
    }

    /**
     * Stages trainer subtask {@code subtask}'s {@link TrainingProgress} for the version (one small
     * file per subtask, replaced whole if written again).
     */
    public static void writeProgress(
            SnapshotStaging staging, int subtask, TrainingProgress progress) throws IOException {
        String name =
                String.format(Locale.ROOT, "%s%05d%s", PROGRESS_PREFIX, subtask, PROGRESS_SUFFIX);
        staging.fileSystem()
                .publish(
                        StoreFileSystem.child(staging.location(), name),
                        progress.toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** The merge of every trainer subtask's staged {@link TrainingProgress}. */
    public static TrainingProgress readProgress(SnapshotStaging staging) throws IOException {
        TrainingProgress merged = new TrainingProgress();
        for (String name : stagedFiles(staging, PROGRESS_SUFFIX)) {
            if (name.startsWith(PROGRESS_PREFIX)) {
                merged.merge(
                        TrainingProgress.fromJson(
                                readString(
                                        staging, StoreFileSystem.child(staging.location(), name))));
            }
        }
        return merged;
    }

    private static List<String> stagedFiles(SnapshotStaging staging, String suffix)
            throws IOException {
        List<String> out = new ArrayList<>();
        for (StoreFileSystem.Entry e : staging.fileSystem().list(staging.location())) {
            if (!e.directory() && !e.name().startsWith(".") && e.name().endsWith(suffix)) {
                out.add(e.name());
            }
        }
        return out;
    }

    private static String readString(SnapshotStaging staging, String path) throws IOException {
        try (InputStream in = staging.fileSystem().open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
