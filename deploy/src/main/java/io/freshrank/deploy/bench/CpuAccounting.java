package io.freshrank.deploy.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time spent between two points of a run, per group of threads of this JVM (the MiniCluster
 * runs in it, so a Flink task's thread is named after its chain of operators), for the whole JVM,
 * and for the Kafka broker's child process. On a shared machine wall-clock throughput depends on
 * what else runs; CPU time per example does much less, and the busiest task thread's CPU per
 * example bounds what one subtask can reach on a core of its own.
 */
final class CpuAccounting {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds at one point in time. */
    record Snapshot(
            long wallNanos,
            Map<String, Long> byGroup,
            long processNanos,
            long brokerNanos,
            long gcMillis,
            long jitMillis) {}

    /**
     * CPU used between two snapshots.
     *
     * @param wallSeconds wall time between them
     * @param byGroup CPU seconds per thread group, largest first
     * @param processSeconds CPU seconds of this JVM (tasks, Kafka clients, GC, JIT, ...)
     * @param brokerSeconds CPU seconds of the Kafka broker process
     * @param gcSeconds time the collectors report (pauses plus concurrent work, wall time)
     * @param jitSeconds time the JIT compilers report
     */
    record Usage(
            double wallSeconds,
            Map<String, Double> byGroup,
            double processSeconds,
            double brokerSeconds,
            double gcSeconds,
            double jitSeconds) {

        /** CPU seconds of the JVM outside its Java threads (GC, JIT and other VM threads). */
        double vmSeconds() {
            return processSeconds - byGroup.values().stream().mapToDouble(d -> d).sum();
        }
    }

    private CpuAccounting() {}

    static Snapshot snapshot(long brokerPid) {
        Map<String, Long> groups = new HashMap<>();
        if (THREADS.isThreadCpuTimeSupported()) {
            long[] ids = THREADS.getAllThreadIds();
            ThreadInfo[] infos = THREADS.getThreadInfo(ids);
            for (int i = 0; i < ids.length; i++) {
                long cpu = THREADS.getThreadCpuTime(ids[i]);
                if (infos[i] != null && cpu > 0) {
                    groups.merge(group(infos[i].getThreadName()), cpu, Long::sum);
                }
            }
        }
        long gc = 0;
        for (var c : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, c.getCollectionTime());
        }
        var jit = ManagementFactory.getCompilationMXBean();
        return new Snapshot(
                System.nanoTime(),
                groups,
                processCpuNanos(),
                childCpuNanos(brokerPid),
                gc,
                jit != null && jit.isCompilationTimeMonitoringSupported()
                        ? jit.getTotalCompilationTime()
                        : 0);
    }

    static Usage between(Snapshot a, Snapshot b) {
        Map<String, Double> delta = new HashMap<>();
        b.byGroup()
                .forEach(
                        (g, ns) -> {
                            double d = (ns - a.byGroup().getOrDefault(g, 0L)) / 1e9;
                            if (d > 0) {
                                delta.put(g, d);
                            }
                        });
        Map<String, Double> sorted =
                delta.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .collect(
                                Collectors.toMap(
                                        Map.Entry::getKey,
                                        Map.Entry::getValue,
                                        (x, y) -> x,
                                        LinkedHashMap::new));
        return new Usage(
                (b.wallNanos() - a.wallNanos()) / 1e9,
                sorted,
                (b.processNanos() - a.processNanos()) / 1e9,
                b.brokerNanos() < 0 || a.brokerNanos() < 0
                        ? Double.NaN
                        : (b.brokerNanos() - a.brokerNanos()) / 1e9,
                (b.gcMillis() - a.gcMillis()) / 1e3,
                (b.jitMillis() - a.jitMillis()) / 1e3);
    }

    /**
     * A thread's group: its name without subtask index and attempt ({@code "embedding shards
     * (2/2)#0"} -> {@code "embedding shards"}) and without trailing numbers ({@code
     * "AsyncOperations-thread-3"} -> {@code "AsyncOperations-thread"}).
     */
    static String group(String threadName) {
        String g = threadName.replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?", "");
        g = g.replaceAll("[-# ]?\\d+$", "");
        if (g.startsWith("kafka-producer-network-thread")) {
            return "kafka-producer-network-thread";
        }
        if (g.startsWith("GC Thread") || g.startsWith("G1")) {
            return "GC (when reported as threads)";
        }
        return g;
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * User + system CPU of a child process from {@code /proc/<pid>/stat}, assuming the usual 100
     * clock ticks per second; -1 where that file does not exist.
     */
    static long childCpuNanos(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
            List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
            long ticks = Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
            return ticks * 10_000_000L;
        } catch (Exception e) {
            return -1;
        }
    }
}
