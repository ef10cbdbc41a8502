package io.freshrank.deploy.kafka;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child-process entry points for the {@link BrokerMain} parent-watch tests in {@link
 * LocalKafkaBrokerITCase}.
 *
 * <ul>
 *   <li>{@code spawn}: starts {@code BrokerMain ParentWatchHarness sleep} as its own child with
 *       inherited stdout and stderr, prints the child's pid on stdout and waits for the child; the
 *       test kills this process to orphan the child.
 *   <li>{@code sleep}: prints {@value #SLEEPING} on stdout (so the parent watch is running) and
 *       blocks forever, standing in for a broker.
 * </ul>
 */
public final class ParentWatchHarness {

    static final String SLEEPING = "sleeping";

    private ParentWatchHarness() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "spawn":
                Process child =
                        new ProcessBuilder(
                                        brokerMainCommand(ProcessHandle.current().pid(), "sleep"))
                                .inheritIO()
                                .start();
                System.out.println(child.pid());
                System.out.flush();
                child.waitFor();
                break;
            case "sleep":
                System.out.println(SLEEPING);
                System.out.flush();
                Thread.currentThread().join();
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** {@code java ... BrokerMain ParentWatchHarness <mode>} expecting the given parent pid. */
    static List<String> brokerMainCommand(long expectedParentPid, String mode)
            throws URISyntaxException {
        List<String> command = new ArrayList<>(harnessJvm());
        command.add("-D" + BrokerMain.PARENT_PID_PROPERTY + "=" + expectedParentPid);
        command.add("-cp");
        command.add(classpath());
        command.add(BrokerMain.class.getName());
        command.add(ParentWatchHarness.class.getName());
        command.add(mode);
        return command;
    }

    /** {@code java ... ParentWatchHarness spawn}. */
    static List<String> spawnCommand() throws URISyntaxException {
        List<String> command = new ArrayList<>(harnessJvm());
        command.add("-cp");
        command.add(classpath());
        command.add(ParentWatchHarness.class.getName());
        command.add("spawn");
        return command;
    }

    private static List<String> harnessJvm() {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC");
    }

    /** Locations of {@link BrokerMain} and of this class: all a harness JVM needs. */
    private static String classpath() throws URISyntaxException {
        return String.join(
                File.pathSeparator,
                List.of(location(BrokerMain.class), location(ParentWatchHarness.class)));
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
