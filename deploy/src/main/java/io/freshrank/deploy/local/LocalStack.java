package io.freshrank.deploy.local;

import io.freshrank.deploy.kafka.LocalKafkaBroker;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.join.LabelJoinJob;
import io.freshrank.jobs.train.TrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole embedded default on one machine: a real KRaft Kafka broker (child JVM), the topics, a
 * Flink MiniCluster on RocksDB, and a local model store directory. The label-join and training jobs
 * are submitted with {@link #startJoin} and {@link #startTraining}. {@link #close} stops everything
 * it started and deletes its work directory (when it created it). The demo and the end-to-end tests
 * run on this same stack.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /** Topics and their partition counts. */
    public static final Map<String, Integer> TOPICS = topics();

    private final Settings settings;
    private final Path workDir;
    private final boolean ownsWorkDir;
    private final LocalKafkaBroker broker;
    private final LocalFlinkCluster cluster;
    private final Path storePath;

    /**
     * How to run the stack.
     *
     * @param workDir where broker data, checkpoints and the model store go; null for a temp dir
     *     deleted on close
     * @param parallelism parallelism of both jobs
     * @param checkpointInterval checkpoint (and snapshot publishing) interval * @param jobSettings
     *     extra {@code freshrank.*} settings for both jobs
     * @param stateBackend {@code rocksdb} (default) or {@code hashmap}
     * @param taskManagers TaskManagers of the MiniCluster (default 1; failure tests use 2 and stop
     *     one); the slots for both jobs are split evenly between them
     */
    public record Settings(
            Path workDir,
            int parallelism,
            Duration checkpointInterval,
            Map<String, String> jobSettings,
            String stateBackend,
            int taskManagers) {
        public Settings {
            jobSettings = Map.copyOf(jobSettings);
            if (taskManagers < 1) {
                throw new IllegalArgumentException(
                        "taskManagers must be >= 1, got " + taskManagers);
            }
        }

        public Settings(
                Path workDir,
                int parallelism,
                Duration checkpointInterval,
                Map<String, String> jobSettings,
                String stateBackend) {
            this(workDir, parallelism, checkpointInterval, jobSettings, stateBackend, 1);
        }

        /** These settings on a MiniCluster of {@code n} TaskManagers. */
        public Settings withTaskManagers(int n) {
            return new Settings(
                    workDir, parallelism, checkpointInterval, jobSettings, stateBackend, n);
        }

        public Settings(
                Path workDir,
                int parallelism,
                Duration checkpointInterval,
                Map<String, String> jobSettings) {
            this(workDir, parallelism, checkpointInterval, jobSettings, "rocksdb");
        }
    }

    private LocalStack(
            Settings settings,
            Path workDir,
            boolean ownsWorkDir,
            LocalKafkaBroker broker,
            LocalFlinkCluster cluster) {
        this.settings = settings;
        this.workDir = workDir;
        this.ownsWorkDir = ownsWorkDir;
        this.broker = broker;
        this.cluster = cluster;
        this.storePath = workDir.resolve("model-store");
    }

    public static LocalStack start(Settings settings) throws Exception {
        boolean owns = settings.workDir() == null;
        Path dir = owns ? Files.createTempDirectory("freshrank-") : settings.workDir();
        Files.createDirectories(dir);
        LocalKafkaBroker broker = null;
        LocalFlinkCluster cluster = null;
        try {
            broker = LocalKafkaBroker.builder().workDir(dir.resolve("kafka")).start();
            broker.createTopics(TOPICS);
            // Two jobs at full parallelism, each sharing one slot per subtask index.
            int taskManagers = settings.taskManagers();
            cluster =
                    LocalFlinkCluster.start(
                            dir.resolve("flink"),
                            taskManagers,
                            (2 * settings.parallelism() + taskManagers - 1) / taskManagers,
                            settings.stateBackend());
            Files.createDirectories(dir.resolve("model-store"));
            return new LocalStack(settings, dir, owns, broker, cluster);
        } catch (Exception e) {
            closeQuietly(cluster);
            closeQuietly(broker);
            if (owns) {
                deleteRecursively(dir);
            }
            throw e;
        }
    }

    /** The job configuration: Kafka, store and the extra settings. */
    public Configuration jobConfiguration() {
        Configuration conf = new Configuration();
        conf.set(FreshrankOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(FreshrankOptions.STORE_PATH, storePath.toString());
        settings.jobSettings().forEach(conf::setString);
        return conf;
    }

    /** Submits the label-join job. */
    public JobID startJoin() throws Exception {
        return startJoin(jobConfiguration());
    }

    public JobID startJoin(Configuration conf) throws Exception {
        StreamExecutionEnvironment env =
                cluster.newEnvironment(settings.parallelism(), settings.checkpointInterval());
        LabelJoinJob.build(env, conf);
        return cluster.submit(env, "freshrank-label-join");
    }

    /** Submits the training job (publishing snapshots into {@link #storePath()}). */
    public JobID startTraining() throws Exception {
        StreamExecutionEnvironment env =
                cluster.newEnvironment(settings.parallelism(), settings.checkpointInterval());
        env.setMaxParallelism(TrainJob.DEFAULT_MAX_PARALLELISM);
        TrainJob.build(env, jobConfiguration());
        return cluster.submit(env, "freshrank-train");
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public Path storePath() {
        return storePath;
    }

    public Path workDir() {
        return workDir;
    }

    public LocalFlinkCluster cluster() {
        return cluster;
    }

    public LocalKafkaBroker broker() {
        return broker;
    }

    @Override
    public void close() {
        closeQuietly(cluster);
        closeQuietly(broker);
        if (ownsWorkDir) {
            deleteRecursively(workDir);
            LOG.info("deleted work directory {}", workDir);
        }
    }

    private static Map<String, Integer> topics() {
        Map<String, Integer> t = new LinkedHashMap<>();
        t.put(FreshrankOptions.TOPIC_IMPRESSIONS.defaultValue(), 2);
        t.put(FreshrankOptions.TOPIC_ACTIONS.defaultValue(), 2);
        t.put(FreshrankOptions.TOPIC_EXAMPLES.defaultValue(), 2);
        t.put(FreshrankOptions.TOPIC_DEAD_LETTERS.defaultValue(), 1);
        t.put(FreshrankOptions.TOPIC_EXAMPLE_LISTS.defaultValue(), 2);
        t.put(FreshrankOptions.TOPIC_GRADIENTS.defaultValue(), 2);
        t.put(FreshrankOptions.TOPIC_DENSE_UPDATES.defaultValue(), 1);
        t.put(FreshrankOptions.TOPIC_PREDICTIONS.defaultValue(), 2);
        return Map.copyOf(t);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    LOG.warn("could not delete {}: {}", p, e.toString());
                                }
                            });
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
