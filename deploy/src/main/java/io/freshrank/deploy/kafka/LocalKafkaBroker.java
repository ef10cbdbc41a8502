package io.freshrank.deploy.kafka;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft combined mode: broker and controller in one process) in a
 * child JVM, bound to 127.0.0.1 on two free ports.
 *
 * <p>The broker runs from the classpath that module {@code deploy/kafka-broker} resolved with Maven
 * and recorded in the resource {@code io/freshrank/deploy/kafka/broker.classpath}, so no broker jar
 * is on this JVM's classpath. {@link #start(Path)} formats a fresh log directory ({@code
 * kafka.tools.StorageTool format --standalone}), starts {@code kafka.Kafka} and returns once an
 * admin client sees the broker in {@code describeCluster}. Both child JVMs run under {@link
 * BrokerMain}, which halts them when this JVM dies, so even a {@code SIGKILL}ed parent leaves no
 * broker behind.
 *
 * <p>Work directory layout: {@code server.properties}, {@code broker.log} (the child's stdout,
 * stderr and Log4j output) and {@code kafka-data/} (log and metadata directory). The data directory
 * is wiped and formatted on every start: topics and records do not survive a restart. A work
 * directory passed by the caller is kept on {@link #close()} for inspection; a temporary one
 * created by {@link #start(Path) start(null)} is deleted.
 *
 * <p>Lifecycle: {@code start} blocks until the broker serves requests (or throws, having stopped
 * the child and deleted an owned work directory); {@link #close()} stops it (SIGTERM, then SIGKILL
 * after {@value #STOP_TIMEOUT_SECONDS} s) and is idempotent. A JVM shutdown hook closes a broker
 * that was not closed. All methods are thread-safe.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);

    /** Resource, next to {@link BrokerMain}, holding the broker's runtime classpath. */
    static final String CLASSPATH_RESOURCE = "broker.classpath";

    /** Log4j2 configuration of the child JVM, shipped in module {@code deploy/kafka-broker}. */
    static final String LOG4J_CONFIG_RESOURCE =
            "io/freshrank/deploy/kafka/broker-log4j2.properties";

    /** System property that tells the child's Log4j configuration where to write. */
    static final String LOG_FILE_PROPERTY = "freshrank.kafka.log.file";

    /** Default time {@link #start(Path)} waits for the broker to serve requests. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(90);

    static final long STOP_TIMEOUT_SECONDS = 15;

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final int LOG_TAIL_LINES = 40;
    private static final int MAX_PORT_ATTEMPTS = 3;
    private static final long POLL_MILLIS = 100;
    private static final String BUILD_HINT =
            "build module deploy/kafka-broker (artifact freshrank-kafka-broker) first:"
                    + " mvn -pl deploy/kafka-broker install";
    private static final Pattern KAFKA_JAR = Pattern.compile("kafka_[0-9.]+-([^/\\\\]+)\\.jar$");
    private static final List<String> JVM_OPTIONS =
            List.of(
                    "-Xms64m",
                    "-Xmx512m",
                    "-XX:+UseSerialGC",
                    "-XX:+ExitOnOutOfMemoryError",
                    "-Djava.awt.headless=true");

    private static final List<String> MANAGED_PROPERTIES =
            List.of(
                    "process.roles",
                    "node.id",
                    "listeners",
                    "advertised.listeners",
                    "listener.security.protocol.map",
                    "controller.listener.names",
                    "inter.broker.listener.name",
                    "controller.quorum.bootstrap.servers",
                    "controller.quorum.voters",
                    "log.dirs",
                    "log.dir",
                    "metadata.log.dir");

    private final Path workDir;
    private final boolean ownsWorkDir;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalKafkaBroker(Path workDir, boolean ownsWorkDir, int port, Process process) {
        this.workDir = workDir;
        this.ownsWorkDir = ownsWorkDir;
        this.port = port;
        this.process = process;
        this.shutdownHook = new Thread(this::close, "freshrank-kafka-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts a broker with the default settings.
     *
     * @param workDir directory for configuration, log and data (created if missing; its {@code
     *     kafka-data/} subdirectory is wiped), or {@code null} for a temporary directory that
     *     {@link #close()} deletes
     * @return the running broker
     * @throws IOException if the work directory or a child process cannot be set up
     * @throws InterruptedException if interrupted while waiting; the child is stopped
     * @throws IllegalStateException if the broker classpath is missing, or the broker fails or
     *     times out during startup (the message carries the tail of {@code broker.log})
     */
    public static LocalKafkaBroker start(Path workDir) throws IOException, InterruptedException {
        return builder().workDir(workDir).start();
    }

    /** Returns a builder for a broker with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns {@code 127.0.0.1:<port>}, the value for the clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** Returns the port of the broker's PLAINTEXT listener on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Returns the process id of the broker JVM. */
    public long pid() {
        return process.pid();
    }

    /** Returns the work directory (deleted on close if this broker created it). */
    public Path workDir() {
        return workDir;
    }

    /** Returns the broker's log file: its stdout, stderr and Log4j output. */
    public Path logFile() {
        return workDir.resolve("broker.log");
    }

    /**
     * Creates topics with replication factor 1; topics that already exist are left as they are.
     *
     * @param nameToPartitions topic name to partition count (at least 1)
     * @throws InterruptedException if interrupted while waiting for the broker
     * @throws IllegalStateException if the broker rejects a topic
     */
    public void createTopics(Map<String, Integer> nameToPartitions) throws InterruptedException {
        List<NewTopic> topics = new ArrayList<>();
        nameToPartitions.forEach(
                (name, partitions) -> {
                    if (name == null || name.isBlank()) {
                        throw new IllegalArgumentException("topic name must not be blank");
                    }
                    if (partitions == null || partitions < 1) {
                        throw new IllegalArgumentException(
                                "topic " + name + ": partitions must be >= 1, got " + partitions);
                    }
                    topics.add(new NewTopic(name, partitions, (short) 1));
                });
        if (topics.isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(adminProperties(bootstrapServers()))) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
            for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
                try {
                    result.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "Creating topic " + result.getKey() + " failed: " + e.getCause(),
                                e.getCause());
                    }
                }
            }
            awaitTopicsVisible(admin, results.keySet());
        }
    }

    /**
     * The controller acknowledges a creation before the broker has applied it; waiting here spares
     * the first producer a round of {@code UNKNOWN_TOPIC_OR_PARTITION} warnings and retries.
     */
    private static void awaitTopicsVisible(Admin admin, Collection<String> names)
            throws InterruptedException {
        long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException(
                            "Describing topics " + names + " failed: " + e.getCause(),
                            e.getCause());
                }
                if (System.nanoTime() - deadlineNanos > 0) {
                    throw new IllegalStateException(
                            "Topics " + names + " were created but are not visible after 30 s");
                }
            }
            Thread.sleep(POLL_MILLIS / 4);
        }
    }

    /**
     * Stops the broker: SIGTERM for a controlled shutdown, SIGKILL if it has not exited after
     * {@value #STOP_TIMEOUT_SECONDS} s, then kills any process it started. Deletes the work
     * directory if this broker created it. Idempotent; never throws.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running or about to, and finds us closed
            }
        }
        long startNanos = System.nanoTime();
        boolean graceful = stop(process);
        LOG.info(
                "Kafka broker at {} stopped {}in {} s (pid {})",
                bootstrapServers(),
                graceful ? "" : "forcibly ",
                seconds(System.nanoTime() - startNanos),
                process.pid());
        if (ownsWorkDir) {
            deleteQuietly(workDir);
        }
    }

    /**
     * Settings for {@link LocalKafkaBroker}. Not thread-safe; {@link #start()} may be called more
     * than once, each call starting its own broker.
     */
    public static final class Builder {
        private Path workDir;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Sets the work directory; {@code null} (the default) means a temporary directory that
         * {@link LocalKafkaBroker#close()} deletes. Its {@code kafka-data/} subdirectory is wiped
         * on start.
         */
        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** Sets how long {@link #start()} waits for the broker; default 90 s. */
        public Builder startupTimeout(Duration startupTimeout) {
            Objects.requireNonNull(startupTimeout, "startupTimeout");
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "startupTimeout must be positive, got " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        /**
         * Adds or overrides one line of {@code server.properties}, for example {@code
         * transaction.max.timeout.ms}. Listeners, ports, node id and directories are managed by the
         * broker and cannot be overridden.
         */
        public Builder brokerProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value of " + key);
            if (MANAGED_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException(
                        "broker property " + key + " is set by LocalKafkaBroker itself");
            }
            brokerProperties.put(key, value);
            return this;
        }

        /**
         * Formats storage, starts the broker and waits until it serves requests.
         *
         * @see LocalKafkaBroker#start(Path)
         */
        public LocalKafkaBroker start() throws IOException, InterruptedException {
            long startNanos = System.nanoTime();
            long deadlineNanos = startNanos + startupTimeout.toNanos();
            Launcher launcher = Launcher.resolve();
            boolean owns = workDir == null;
            Path dir =
                    owns
                            ? Files.createTempDirectory("freshrank-kafka-")
                            : Files.createDirectories(workDir).toAbsolutePath();
            try {
                Path logFile = dir.resolve("broker.log");
                Files.deleteIfExists(logFile);
                for (int attempt = 1; ; attempt++) {
                    int[] ports = freeLoopbackPorts(2);
                    Path properties = writeServerProperties(dir, ports[0], ports[1]);
                    launcher.format(dir, properties, logFile, deadlineNanos);
                    LOG.debug(
                            "Kafka storage formatted after {} s",
                            seconds(System.nanoTime() - startNanos));
                    Process process = launcher.launchServer(dir, properties, logFile);
                    LocalKafkaBroker broker;
                    try {
                        awaitReady(process, ports[0], logFile, deadlineNanos);
                        broker = new LocalKafkaBroker(dir, owns, ports[0], process);
                    } catch (IllegalStateException e) {
                        stop(process);
                        if (attempt < MAX_PORT_ATTEMPTS && portConflict(logFile)) {
                            LOG.warn("Kafka broker port was taken, retrying with other ports");
                            continue;
                        }
                        throw e;
                    } catch (InterruptedException | RuntimeException | Error e) {
                        stop(process);
                        throw e;
                    }
                    LOG.info(
                            "Kafka broker {} up at {}:{} in {} s (pid {})",
                            launcher.kafkaVersion,
                            HOST,
                            ports[0],
                            seconds(System.nanoTime() - startNanos),
                            process.pid());
                    return broker;
                }
            } catch (IOException | InterruptedException | RuntimeException | Error e) {
                if (owns) {
                    deleteQuietly(dir);
                }
                throw e;
            }
        }

        private Path writeServerProperties(Path dir, int brokerPort, int controllerPort)
                throws IOException {
            Path dataDir = dir.resolve("kafka-data");
            deleteRecursively(dataDir);
            Map<String, String> props = new LinkedHashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", Integer.toString(NODE_ID));
            props.put(
                    "listeners",
                    "PLAINTEXT://"
                            + HOST
                            + ":"
                            + brokerPort
                            + ",CONTROLLER://"
                            + HOST
                            + ":"
                            + controllerPort);
            props.put(
                    "advertised.listeners",
                    "PLAINTEXT://"
                            + HOST
                            + ":"
                            + brokerPort
                            + ",CONTROLLER://"
                            + HOST
                            + ":"
                            + controllerPort);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            // Kafka 4 dynamic quorum: the voter set comes from `format --standalone`
            props.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
            props.put("log.dirs", dataDir.toString());
            // one broker: internal topics cannot have more than one replica
            props.put("offsets.topic.replication.factor", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            // internal topics with 1 partition instead of 50: first consumer group or transaction
            // is ready sooner, and one node gains nothing from spreading coordinators
            props.put("offsets.topic.num.partitions", "1");
            props.put("transaction.state.log.num.partitions", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            // Flink's exactly-once Kafka sink defaults to 1 h transactions (broker default max: 15
            // min)
            props.put("transaction.max.timeout.ms", "3600000");
            props.put("num.partitions", "2");
            props.put("auto.create.topics.enable", "false");
            props.putAll(brokerProperties);

            Path file = dir.resolve("server.properties");
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                out.write("# written by " + LocalKafkaBroker.class.getName() + "\n");
                for (Map.Entry<String, String> e : props.entrySet()) {
                    out.write(escape(e.getKey()) + "=" + escape(e.getValue()) + "\n");
                }
            }
            return file;
        }
    }

    /** The java binary and classpath of the child JVMs. */
    private static final class Launcher {
        private final String javaBinary;
        private final String classpath;
        private final String kafkaVersion;

        private Launcher(String javaBinary, String classpath, String kafkaVersion) {
            this.javaBinary = javaBinary;
            this.classpath = classpath;
            this.kafkaVersion = kafkaVersion;
        }

        static Launcher resolve() throws IOException {
            List<String> entries = new ArrayList<>();
            entries.add(codeLocation(BrokerMain.class).toString());
            List<String> brokerEntries = readBrokerClasspath();
            entries.addAll(brokerEntries);
            String version = "(unknown version)";
            for (String entry : brokerEntries) {
                Matcher m = KAFKA_JAR.matcher(entry);
                if (m.find()) {
                    version = m.group(1);
                }
            }
            return new Launcher(javaBinary(), String.join(File.pathSeparator, entries), version);
        }

        void format(Path dir, Path properties, Path logFile, long deadlineNanos)
                throws IOException, InterruptedException {
            List<String> command = command(logFile, List.of("-XX:TieredStopAtLevel=1"));
            command.addAll(
                    List.of(
                            "kafka.tools.StorageTool",
                            "format",
                            "--cluster-id",
                            Uuid.randomUuid().toString(),
                            "--config",
                            properties.toString(),
                            "--standalone"));
            Process format = start(command, dir, logFile);
            try {
                long waitNanos = Math.max(0, deadlineNanos - System.nanoTime());
                if (!format.waitFor(waitNanos, TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException(
                            "Formatting Kafka storage did not finish in time" + logTail(logFile));
                }
            } finally {
                stop(format);
            }
            if (format.exitValue() != 0) {
                throw new IllegalStateException(
                        "Formatting Kafka storage failed with exit code "
                                + format.exitValue()
                                + logTail(logFile));
            }
        }

        Process launchServer(Path dir, Path properties, Path logFile) throws IOException {
            List<String> command = command(logFile, List.of());
            command.add("kafka.Kafka");
            command.add(properties.toString());
            return start(command, dir, logFile);
        }

        private List<String> command(Path logFile, List<String> extraJvmOptions) {
            List<String> command = new ArrayList<>();
            command.add(javaBinary);
            command.addAll(JVM_OPTIONS);
            command.addAll(extraJvmOptions);
            command.add("-Dlog4j2.configurationFile=classpath:" + LOG4J_CONFIG_RESOURCE);
            command.add("-D" + LOG_FILE_PROPERTY + "=" + logFile);
            command.add(
                    "-D" + BrokerMain.PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
            command.add("-cp");
            command.add(classpath);
            command.add(BrokerMain.class.getName());
            return command;
        }

        private static Process start(List<String> command, Path dir, Path logFile)
                throws IOException {
            return new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        }

        private static List<String> readBrokerClasspath() {
            String text;
            try (InputStream in = BrokerMain.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "Resource io/freshrank/deploy/kafka/"
                                    + CLASSPATH_RESOURCE
                                    + " is not on the classpath: "
                                    + BUILD_HINT);
                }
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Cannot read resource " + CLASSPATH_RESOURCE + ": " + BUILD_HINT, e);
            }
            if (text.isEmpty()) {
                throw new IllegalStateException(
                        "Resource " + CLASSPATH_RESOURCE + " is empty: " + BUILD_HINT);
            }
            List<String> entries = Arrays.asList(text.split(File.pathSeparator));
            for (String entry : entries) {
                if (!Files.exists(Paths.get(entry))) {
                    throw new IllegalStateException(
                            "Broker classpath entry "
                                    + entry
                                    + " (from "
                                    + CLASSPATH_RESOURCE
                                    + ") does not exist: "
                                    + BUILD_HINT
                                    + " to resolve it again");
                }
            }
            return entries;
        }

        private static Path codeLocation(Class<?> type) {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                throw new IllegalStateException(
                        "Cannot locate the jar or directory of "
                                + type.getName()
                                + ": "
                                + BUILD_HINT);
            }
            try {
                return Paths.get(source.getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(
                        "Cannot locate " + type.getName() + " at " + source.getLocation(), e);
            }
        }

        private static String javaBinary() {
            boolean windows =
                    System.getProperty("os.name", "")
                            .toLowerCase(Locale.ROOT)
                            .startsWith("windows");
            Path fromHome =
                    Paths.get(
                            System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
            if (Files.isExecutable(fromHome)) {
                return fromHome.toString();
            }
            return ProcessHandle.current()
                    .info()
                    .command()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "No java binary at "
                                                    + fromHome
                                                    + " and the command of this process is"
                                                    + " unknown"));
        }
    }

    private static void awaitReady(Process process, int port, Path logFile, long deadlineNanos)
            throws InterruptedException {
        // Probing the plain TCP port first keeps the admin client from logging connection
        // failures while the JVM is still booting.
        while (!acceptsConnections(port)) {
            checkAlive(process, logFile, deadlineNanos);
            Thread.sleep(POLL_MILLIS);
        }
        LOG.debug("Kafka broker port {} accepts connections", port);
        try (Admin admin = Admin.create(adminProperties(HOST + ":" + port))) {
            while (true) {
                checkAlive(process, logFile, deadlineNanos);
                long remainingMillis =
                        TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                int timeoutMillis = (int) Math.max(1, Math.min(2_000, remainingMillis));
                try {
                    Iterable<Node> nodes =
                            admin.describeCluster(
                                            new DescribeClusterOptions().timeoutMs(timeoutMillis))
                                    .nodes()
                                    .get();
                    if (nodes.iterator().hasNext()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // not ready yet (for example still fenced); retry until the deadline
                    LOG.debug("Kafka broker not ready yet: {}", e.getCause().toString());
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    private static void checkAlive(Process process, Path logFile, long deadlineNanos) {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    "Kafka broker exited with code "
                            + process.exitValue()
                            + " during startup"
                            + logTail(logFile));
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new IllegalStateException(
                    "Kafka broker (pid "
                            + process.pid()
                            + ") did not serve requests before the startup timeout"
                            + logTail(logFile));
        }
    }

    private static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(loopback(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, Object> adminProperties(String bootstrapServers) {
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "freshrank-local-kafka",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000);
    }

    /**
     * SIGTERM, wait, SIGKILL; then kills the processes the child had started. Returns whether it
     * exited within the grace period.
     */
    private static boolean stop(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        boolean interrupted = false;
        boolean graceful = true;
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                graceful = false;
                LOG.warn(
                        "Kafka child JVM (pid {}) did not stop within {} s, killing it",
                        process.pid(),
                        STOP_TIMEOUT_SECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            graceful = false;
        }
        if (!graceful) {
            process.destroyForcibly();
            try {
                process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return graceful;
    }

    private static boolean portConflict(Path logFile) {
        String tail = logTail(logFile);
        return tail.contains("Address already in use") || tail.contains("BindException");
    }

    /** The last lines of the broker log, formatted to end an exception message. */
    private static String logTail(Path logFile) {
        try {
            String text = new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
            String[] lines = text.split("\\R");
            int from = Math.max(0, lines.length - LOG_TAIL_LINES);
            return "; last "
                    + (lines.length - from)
                    + " lines of "
                    + logFile
                    + ":\n"
                    + String.join("\n", Arrays.asList(lines).subList(from, lines.length));
        } catch (IOException e) {
            return "; cannot read " + logFile + ": " + e;
        }
    }

    private static int[] freeLoopbackPorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, loopback());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4-byte address is always valid", e);
        }
    }

    /** Escapes a value for a {@code .properties} file (backslashes, as in Windows paths). */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteRecursively(dir);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Cannot delete Kafka work directory {}: {}", dir, e.toString());
        }
    }
}
