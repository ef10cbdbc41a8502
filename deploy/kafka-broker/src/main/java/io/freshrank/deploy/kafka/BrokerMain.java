package io.freshrank.deploy.kafka;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * Launcher for a Kafka tool or server in a child JVM that exits when the JVM that started it is
 * gone.
 *
 * <p>Usage: {@code java -Dfreshrank.broker.parent.pid=<pid> ... BrokerMain <mainClass> <args...>},
 * for example {@code BrokerMain kafka.tools.StorageTool format ...} or {@code BrokerMain
 * kafka.Kafka server.properties}. Before calling {@code <mainClass>.main(args)} on the main thread
 * it captures its parent process and starts a daemon thread that checks every {@value
 * #PARENT_POLL_MILLIS} ms whether that process is still alive and still its parent; once it is not,
 * the JVM halts with exit code {@value #ORPHAN_EXIT_CODE}. A demo or test JVM that is killed with
 * {@code SIGKILL} cannot run its shutdown hooks, so without this watch its broker would keep
 * running, and keep its ports and work directory, after it.
 *
 * <p>The launching JVM should pass its pid in the system property {@value #PARENT_PID_PROPERTY}: if
 * it dies while this JVM is still booting, this JVM has already been re-parented (to init or a
 * subreaper) when it looks up its parent, and without the expected pid it would watch the wrong
 * process. A mismatch halts at once.
 *
 * <p>{@code Runtime.halt} is used rather than {@code System.exit}: the broker's shutdown hook would
 * run a controlled shutdown for clients that are gone, and an orphan must not linger. The captured
 * {@link ProcessHandle} identifies the parent by pid and start time, so a reused pid does not keep
 * the child alive.
 *
 * <p>The main class is called by reflection so that this module needs no compile dependency on the
 * broker: the broker's classpath is only handed to the child JVM.
 */
public final class BrokerMain {

    /** System property with the pid of the process expected to be this JVM's parent. */
    public static final String PARENT_PID_PROPERTY = "freshrank.broker.parent.pid";

    /** How often the watch thread checks the parent process. */
    static final long PARENT_POLL_MILLIS = 500;

    /** Exit code of a launcher that halted because its parent process died. */
    public static final int ORPHAN_EXIT_CODE = 1;

    /** Exit code for a wrong command line or a main class that cannot be called. */
    public static final int USAGE_EXIT_CODE = 2;

    private BrokerMain() {}

    /**
     * Starts the parent watch, then runs {@code args[0].main(args[1..])} on this thread.
     *
     * @param args the fully qualified main class name followed by its arguments
     * @throws Throwable whatever the called main throws
     */
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            usageError("Usage: BrokerMain <mainClass> <args...>");
            return;
        }
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        long expectedParentPid = expectedParentPid(parent);
        if (parent == null || parent.pid() != expectedParentPid || !parent.isAlive()) {
            System.err.println(
                    "BrokerMain: parent process "
                            + expectedParentPid
                            + " is gone, halting before starting "
                            + args[0]);
            System.err.flush();
            Runtime.getRuntime().halt(ORPHAN_EXIT_CODE);
            return;
        }
        watchParent(parent);

        Method main = findMain(args[0]);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The pid from {@value #PARENT_PID_PROPERTY}, or else the current parent's pid (or -1). */
    private static long expectedParentPid(ProcessHandle parent) {
        String expected = System.getProperty(PARENT_PID_PROPERTY);
        if (expected == null) {
            return parent == null ? -1 : parent.pid();
        }
        try {
            return Long.parseLong(expected.trim());
        } catch (NumberFormatException e) {
            usageError("BrokerMain: " + PARENT_PID_PROPERTY + " must be a pid, got " + expected);
            return -1;
        }
    }

    private static void watchParent(ProcessHandle parent) {
        Thread watcher = new Thread(() -> haltWhenGone(parent), "freshrank-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void haltWhenGone(ProcessHandle parent) {
        while (isAlive(parent)) {
            try {
                Thread.sleep(PARENT_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        System.err.println("BrokerMain: parent process " + parent.pid() + " is gone, halting");
        System.err.flush();
        Runtime.getRuntime().halt(ORPHAN_EXIT_CODE);
    }

    /**
     * A killed parent stays a zombie, and {@link ProcessHandle#isAlive()} true, until its own
     * parent reaps it, which may take long (or never happen) in a container. Its children are
     * re-parented at once, though, so a changed parent pid is the prompt signal.
     */
    private static boolean isAlive(ProcessHandle parent) {
        long currentParentPid =
                ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        return currentParentPid == parent.pid() && parent.isAlive();
    }

    private static Method findMain(String className) {
        try {
            Method main = Class.forName(className).getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                throw new NoSuchMethodException(className + ".main(String[]) is not static");
            }
            return main;
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            usageError(
                    "BrokerMain: cannot call public static void main(String[]) of "
                            + className
                            + ": "
                            + e);
            throw new AssertionError("unreachable", e);
        }
    }

    private static void usageError(String message) {
        System.err.println(message);
        System.exit(USAGE_EXIT_CODE);
    }
}
