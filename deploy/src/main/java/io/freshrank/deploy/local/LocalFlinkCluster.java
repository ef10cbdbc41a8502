package io.freshrank.deploy.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink MiniCluster for the embedded default: bound to 127.0.0.1 (REST on a free port), RocksDB
 * state backend with incremental checkpoints under a local work directory. Jobs are built into
 * environments from {@link #newEnvironment} and submitted with {@link #submit}. {@link #close}
 * cancels running jobs and stops the cluster.
 */
public final class LocalFlinkCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkCluster.class);

    private final MiniCluster cluster;
    private final Configuration conf;
    private final List<JobID> jobs = new ArrayList<>();

    private LocalFlinkCluster(MiniCluster cluster, Configuration conf) {
        this.cluster = cluster;
        this.conf = conf;
    }

    /**
     * Starts a cluster with {@code slots} task slots on RocksDB; checkpoints go under the work dir.
     */
    public static LocalFlinkCluster start(Path workDir, int slots) throws Exception {
        return start(workDir, slots, "rocksdb");
    }

    /**
     * Starts a cluster with {@code slots} task slots and the given state backend ({@code rocksdb}
     * or {@code hashmap}); checkpoints go under {@code workDir/checkpoints}.
     */
    public static LocalFlinkCluster start(Path workDir, int slots, String stateBackend)
            throws Exception {
        return start(workDir, 1, slots, stateBackend);
    }

    /**
     * Starts a cluster of {@code taskManagers} TaskManagers with {@code slotsPerTaskManager} slots
     * each. With more than one, slots are requested evenly across TaskManagers ({@code
     * taskmanager.load-balance.mode: SLOTS}), so a job's subtasks spread over them and a test can
     * fail one with {@link #miniCluster()}{@code .terminateTaskManager(index)}.
     */
    public static LocalFlinkCluster start(
            Path workDir, int taskManagers, int slotsPerTaskManager, String stateBackend)
            throws Exception {
        int slots = slotsPerTaskManager;
        Configuration conf = new Configuration();
        if (taskManagers > 1) {
            conf.set(
                    TaskManagerOptions.TASK_MANAGER_LOAD_BALANCE_MODE,
                    TaskManagerOptions.TaskManagerLoadBalanceMode.SLOTS);
        }
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, 0);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                workDir.resolve("checkpoints").toUri().toString());
        // RocksDB's block cache and memtables come out of managed memory. Hot rows are rewritten at
        // every checkpoint; larger memtables absorb more of those rewrites before a flush
        // (bench-train p=2, 10M ids: 256 MB 11,018-11,472 -> 1 GB 13,103 examples/s, shard CPU
        // 55 -> 46 us per example). Native memory is only taken as RocksDB uses it.
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(1024));
        // Most embedding-row reads that reach RocksDB are for ids it does not hold (ids seen for
        // the first time); a Bloom filter answers those without reading SST blocks.
        conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
        // Embedding rows are random-looking floats: Snappy gains nothing on them (SST bytes per
        // row were the same) but costs flush and compaction CPU.
        conf.setString("state.backend.rocksdb.compression.per.level", "NO_COMPRESSION");
        // A shard answers a batch of 256 examples with ~300 KB of rows; with 32 KB network buffers
        // (the default) only about one batch fits in flight to a trainer, so shard and trainer
        // took turns. 128 KB buffers let them overlap (bench-train p=1, 1M ids: 15,865 -> 19,923
        // examples/s, shard back-pressure 234 -> 26 ms/s).
        conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, MemorySize.parse("128kb"));
        // The REST API serves metrics at most this old (default 10 s); the demo's progress line and
        // the benchmarks read them.
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        // Keep every temp file (RocksDB, blobs, web uploads, RPC jar) under the work dir, deleted
        // on close.
        Path tmp = workDir.resolve("tmp");
        Files.createDirectories(tmp);
        conf.set(CoreOptions.TMP_DIRS, tmp.toString());
        conf.set(WebOptions.UPLOAD_DIR, tmp.resolve("web-upload").toString());
        conf.set(WebOptions.TMP_DIR, tmp.resolve("web").toString());
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(taskManagers)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        long t0 = System.nanoTime();
        cluster.start();
        LOG.info(
                "Flink MiniCluster up in {} ms: {} x {} slots, {} state backend, incremental checkpoints, web UI {}",
                (System.nanoTime() - t0) / 1_000_000,
                taskManagers,
                slots,
                stateBackend,
                cluster.getRestAddress().get());
        return new LocalFlinkCluster(cluster, conf);
    }

    /**
     * An environment for one job: parallelism, checkpoint interval, this cluster's state backend
     * settings.
     */
    public StreamExecutionEnvironment newEnvironment(int parallelism, Duration checkpointInterval) {
        Configuration jobConf = new Configuration(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval.toMillis());
        return env;
    }

    /** Submits the job built in {@code env}; returns its id. */
    public JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
        var graph = env.getStreamGraph();
        graph.setJobName(name);
        JobID id = cluster.submitJob(graph.getJobGraph()).get(60, TimeUnit.SECONDS).getJobID();
        jobs.add(id);
        LOG.info("submitted job '{}' ({})", name, id);
        return id;
    }

    public JobStatus status(JobID id) throws Exception {
        return cluster.getJobStatus(id).get(10, TimeUnit.SECONDS);
    }

    public String webUrl() throws Exception {
        return cluster.getRestAddress().get().toString();
    }

    public MiniCluster miniCluster() {
        return cluster;
    }

    @Override
    public void close() {
        for (JobID id : jobs) {
            try {
                if (!status(id).isGloballyTerminalState()) {
                    cluster.cancelJob(id).get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                LOG.warn("could not cancel job {}: {}", id, e.toString());
            }
        }
        try {
            cluster.closeAsync().get(60, TimeUnit.SECONDS);
            LOG.info("Flink MiniCluster stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Flink MiniCluster did not stop cleanly: {}", e.toString());
        }
    }
}
