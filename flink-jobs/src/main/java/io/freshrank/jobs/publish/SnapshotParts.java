package io.freshrank.jobs.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshrank.store.FileEntry;
import io.freshrank.store.FileRole;
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

/**
 * Part descriptors: the {@link FileEntry} of a staged data file, as a {@code <file>.part.json}
 * beside it, written atomically (tmp + rename) so a reader sees a complete descriptor or none.
 */
public final class SnapshotParts {
    static final String SUFFIX = ".part.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotParts() {}

    public static void write(Path stagingDir, FileEntry entry) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", entry.name());
        m.put("role", entry.role().name());
        m.put("bytes", entry.bytes());
        m.put("sha256", entry.sha256());
        m.put("records", entry.records());
        Path target = stagingDir.resolve(entry.name() + SUFFIX);
        Path tmp = stagingDir.resolve(".tmp-" + entry.name() + SUFFIX);
        Files.write(tmp, JSON.writeValueAsBytes(m));
        Files.move(
                tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every complete part descriptor in {@code stagingDir} (none when it does not exist). */
    public static List<FileEntry> read(Path stagingDir) throws IOException {
        List<FileEntry> out = new ArrayList<>();
        if (!Files.isDirectory(stagingDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stagingDir, "[!.]*" + SUFFIX)) {
            for (Path p : ds) {
                var n = JSON.readTree(Files.readString(p, StandardCharsets.UTF_8));
                out.add(
                        new FileEntry(
                                n.get("name").asText(),
                                FileRole.valueOf(n.get("role").asText()),
                                n.get("bytes").asLong(),
                                n.get("sha256").asText(),
                                n.get("records").asLong()));
            }
        }
        return out;
    }
}
