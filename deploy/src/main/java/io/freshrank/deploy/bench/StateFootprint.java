package io.freshrank.deploy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Measures where a run's embedding state lives: the files of the RocksDB instances the job's
 * keyed-state backends keep under Flink's temp directory, and the heap the JVM holds after a full
 * collection.
 */
final class StateFootprint {
    private StateFootprint() {}

    /**
     * The RocksDB instances found.
     *
     * @param embeddingBytes bytes of every file in the embedding shards' instance directories
     * @param embeddingSstBytes of which in SST files (compressed, after flushes)
     * @param otherBytes bytes of every other operator's instances (e.g. the trainer's pending
     *     batches)
     * @param instances number of instance directories found
     */
    record RocksDbBytes(
            long embeddingBytes, long embeddingSstBytes, long otherBytes, int instances) {}

    /**
     * Walks {@code root} for RocksDB instance directories (named {@code db}, below a Flink operator
     * directory {@code job_<job>_op_<operator>...}) and adds up their files; the embedding shards'
     * instances are those whose operator directory names the {@code EmbeddingShardOperator}.
     */
    static RocksDbBytes rocksDb(Path root) {
        if (!Files.isDirectory(root)) {
            return new RocksDbBytes(0, 0, 0, 0);
        }
        List<Path> dbs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().equals("db"))
                    .forEach(dbs::add);
        } catch (IOException | UncheckedIOException e) {
            // A checkpoint may delete files while we walk: measure again next time.
            return new RocksDbBytes(-1, -1, -1, 0);
        }
        long embedding = 0;
        long embeddingSst = 0;
        long other = 0;
        for (Path db : dbs) {
            String owner =
                    db.getParent() == null
                            ? ""
                            : db.getParent().getFileName().toString().toLowerCase(Locale.ROOT);
            long[] sizes = sizes(db);
            if (owner.contains("embeddingshard") || owner.contains("embedding_shard")) {
                embedding += sizes[0];
                embeddingSst += sizes[1];
            } else {
                other += sizes[0];
            }
        }
        return new RocksDbBytes(embedding, embeddingSst, other, dbs.size());
    }

    /**
     * Bytes of each topic's log segments in a broker's data directory ({@code <topic>-<partition>}
     * directories below {@code dataDir}), summed over partitions: what the run moved through Kafka
     * (lz4-compressed batches for the examples, as the sinks wrote them for the rest).
     */
    static Map<String, Long> topicBytes(Path dataDir, List<String> topics) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dataDir)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(dataDir)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                for (String t : topics) {
                    if (name.matches(Pattern.quote(t) + "-\\d+")) {
                        long bytes = 0;
                        try (Stream<Path> files = Files.list(d)) {
                            for (Path f : files.toList()) {
                                if (f.getFileName().toString().endsWith(".log")) {
                                    bytes += Files.size(f);
                                }
                            }
                        }
                        out.merge(t, bytes, Long::sum);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // segments roll while we look: report what was read
        }
        return out;
    }

    /** {@code [all files, SST files]} bytes below {@code dir}. */
    private static long[] sizes(Path dir) {
        long[] out = new long[2];
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile)
                    .forEach(
                            p -> {
                                long size;
                                try {
                                    size = Files.size(p);
                                } catch (IOException e) {
                                    return; // deleted by a compaction meanwhile
                                }
                                out[0] += size;
                                if (p.getFileName().toString().endsWith(".sst")) {
                                    out[1] += size;
                                }
                            });
        } catch (IOException | UncheckedIOException e) {
            // as above: partial sizes are still a lower bound
        }
        return out;
    }

    /**
     * The machine's 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or "n/a": the cores
     * are shared, so a run's figures are read together with the load it ran under.
     */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Heap bytes in use after full collections (System.gc() until the figure settles). */
    static long heapUsedAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            long used = mem.getHeapMemoryUsage().getUsed();
            if (Math.abs(last - used) < (1 << 20)) {
                return used;
            }
            last = used;
        }
        return last;
    }
}
