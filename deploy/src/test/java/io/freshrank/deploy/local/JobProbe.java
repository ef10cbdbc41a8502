package io.freshrank.deploy.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Reads a running job's execution graph on a MiniCluster: task states and attempts, where tasks
 * run, checkpoint counts and the checkpoint it was last restored from. A graph that cannot be read
 * (e.g. while the job restarts) reads as "nothing running, no checkpoints".
 */
final class JobProbe {
    private final MiniCluster cluster;
    private final JobID job;

    JobProbe(MiniCluster cluster, JobID job) {
        this.cluster = cluster;
        this.job = job;
    }

    /** Every subtask is RUNNING, in attempt {@code >= minAttempt}. */
    boolean allRunning(int minAttempt) {
        List<AccessExecutionVertex> vs = vertices();
        return !vs.isEmpty()
                && vs.stream()
                        .allMatch(
                                v ->
                                        v.getExecutionState() == ExecutionState.RUNNING
                                                && v.getCurrentExecutionAttempt().getAttemptNumber()
                                                        >= minAttempt);
    }

    /** When the last subtask's current attempt switched to RUNNING (epoch ms), or -1. */
    long runningSinceMs() {
        long since = -1;
        for (AccessExecutionVertex v : vertices()) {
            since =
                    Math.max(
                            since,
                            v.getCurrentExecutionAttempt()
                                    .getStateTimestamp(ExecutionState.RUNNING));
        }
        return since;
    }

    /** The TaskManagers running the job's subtasks (their resource ids). */
    Set<String> taskManagers() {
        Set<String> out = new TreeSet<>();
        for (AccessExecutionVertex v : vertices()) {
            if (v.getCurrentAssignedResourceLocation() != null) {
                out.add(v.getCurrentAssignedResourceLocation().getResourceID().toString());
            }
        }
        return out;
    }

    long completedCheckpoints() {
        CheckpointStatsSnapshot s = stats();
        return s == null ? 0 : s.getCounts().getNumberOfCompletedCheckpoints();
    }

    /** The id of the checkpoint the job was last restored from, or -1. */
    long restoredCheckpointId() {
        CheckpointStatsSnapshot s = stats();
        RestoredCheckpointStats r = s == null ? null : s.getLatestRestoredCheckpoint();
        return r == null ? -1 : r.getCheckpointId();
    }

    /** Subtask states and attempts, for failure messages. */
    String describe() {
        List<String> out = new ArrayList<>();
        for (AccessExecutionVertex v : vertices()) {
            out.add(
                    v.getTaskNameWithSubtaskIndex()
                            + "="
                            + v.getExecutionState()
                            + "#"
                            + v.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return out + ", completed checkpoints " + completedCheckpoints();
    }

    private CheckpointStatsSnapshot stats() {
        AccessExecutionGraph g = graph();
        return g == null ? null : g.getCheckpointStatsSnapshot();
    }

    private List<AccessExecutionVertex> vertices() {
        AccessExecutionGraph g = graph();
        List<AccessExecutionVertex> out = new ArrayList<>();
        if (g != null) {
            g.getAllExecutionVertices().forEach(out::add);
        }
        return out;
    }

    private AccessExecutionGraph graph() {
        try {
            return cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return null;
        }
    }
}
