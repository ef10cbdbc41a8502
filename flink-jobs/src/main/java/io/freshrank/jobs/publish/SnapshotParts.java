package io.freshrank.jobs.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshrank.store.FileEntry;
import io.freshrank.store.FileRole;
import io.freshrank.store.LocalModelStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Part descriptors: the {@link FileEntry} of a staged data file plus the writer's facts about it
 * (snapshot kind, delta base), as a {@code <file>.part.json} beside it, written atomically (tmp +
 * rename) so a reader sees a complete descriptor or none. Format version 1 (field {@code "v"}).
 */
public final class SnapshotParts {
    /** Meta key: FULL or DELTA. */
    public static final String KIND = "kind";

    /**
     * Meta key: the checkpoint id of the writer's previous snapshot (a DELTA's base), -1 for none.
     */
    public static final String BASE = "base";

    static final String SUFFIX = ".part.json";
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

    public static void write(Path stagingDir, FileEntry entry) throws IOException {
        write(stagingDir, entry, Map.of());
    }

    public static void write(Path stagingDir, FileEntry entry, Map<String, String> meta)
            throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("name", entry.name());
        m.put("role", entry.role().name());
        m.put("bytes", entry.bytes());
        m.put("sha256", entry.sha256());
        m.put("records", entry.records());
        m.put("meta", new TreeMap<>(meta));
        Path target = stagingDir.resolve(entry.name() + SUFFIX);
        Path tmp = stagingDir.resolve(".tmp-" + entry.name() + SUFFIX);
        Files.write(tmp, JSON.writeValueAsBytes(m));
        Files.move(
                tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every complete part descriptor in {@code stagingDir} (none when it does not exist). */
    public static List<Part> read(Path stagingDir) throws IOException {
        List<Part> out = new ArrayList<>();
        if (!Files.isDirectory(stagingDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stagingDir, "[!.]*" + SUFFIX)) {
            for (Path p : ds) {
                JsonNode n = JSON.readTree(Files.readString(p, StandardCharsets.UTF_8));
                int v = n.path("v").asInt(-1);
                if (v != VERSION) {
                    throw new IOException(
                            "part descriptor "
                                    + p
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
        }
        return out;
    }
}
