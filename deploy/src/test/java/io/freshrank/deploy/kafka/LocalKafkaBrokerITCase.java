package io.freshrank.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the real broker as a child JVM, round-trips records and checks that nothing is left. */
class LocalKafkaBrokerITCase {

    private static final String TOPIC = "freshrank-it-roundtrip";
    private static final int RECORDS = 100;

    @Test
    void roundTripsRecordsAndLeavesNothingBehindOnClose() throws Exception {
        LocalKafkaBroker broker = LocalKafkaBroker.start(null);
        long pid = broker.pid();
        int port = broker.port();
        Path workDir = broker.workDir();
        try {
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            assertThat(broker.logFile()).exists();

            broker.createTopics(Map.of(TOPIC, 2));
            broker.createTopics(Map.of(TOPIC, 2)); // idempotent

            Set<Integer> partitionsWritten = produce(broker.bootstrapServers());
            assertThat(partitionsWritten).containsExactlyInAnyOrder(0, 1);

            List<String> values = consume(broker.bootstrapServers());
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                expected.add("value-" + i);
            }
            assertThat(values).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            broker.close();
        }
        broker.close(); // idempotent

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("broker process %d after close", pid)
                .isEmpty();
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
        assertThat(workDir).doesNotExist();
    }

    @Test
    void startupFailureReportsTheBrokerLog(@TempDir Path workDir) {
        assertThatThrownBy(
                        () ->
                                LocalKafkaBroker.builder()
                                        .workDir(workDir)
                                        .brokerProperty("num.partitions", "not-a-number")
                                        .start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exit code")
                .hasMessageContaining("lines of " + workDir.resolve("broker.log"))
                .hasMessageContaining("num.partitions");
        // a caller's work directory is kept for inspection
        assertThat(workDir.resolve("broker.log")).exists();
    }

    @Test
    void brokerMainHaltsWhenItsParentDies(@TempDir Path tmp) throws Exception {
        Path stderr = tmp.resolve("stderr.txt");
        Process parent =
                new ProcessBuilder(ParentWatchHarness.spawnCommand())
                        .redirectError(stderr.toFile()) // the orphan inherits it
                        .start();
        ProcessHandle orphan = null;
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
            String pidLine = out.readLine();
            assertThat(pidLine).as("pid printed by the intermediate process").isNotNull();
            orphan = ProcessHandle.of(Long.parseLong(pidLine.trim())).orElseThrow();
            assertThat(out.readLine())
                    .as("child's main started")
                    .isEqualTo(ParentWatchHarness.SLEEPING);

            parent.destroyForcibly(); // SIGKILL: no shutdown hook can stop the child
            assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();

            awaitExit(orphan, Duration.ofSeconds(10));
            assertThat(Files.readString(stderr)).contains("is gone, halting");
        } finally {
            parent.destroyForcibly();
            if (orphan != null) {
                orphan.destroyForcibly();
            }
        }
    }

    @Test
    void brokerMainHaltsAtOnceWhenStartedByAnotherParent() throws Exception {
        long wrongParent = ProcessHandle.current().pid() + 1;
        Process child =
                new ProcessBuilder(ParentWatchHarness.brokerMainCommand(wrongParent, "sleep"))
                        .redirectErrorStream(true)
                        .start();
        try {
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child exited").isTrue();
            String output =
                    new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.exitValue())
                    .as("exit code; output: %s", output)
                    .isEqualTo(BrokerMain.ORPHAN_EXIT_CODE);
            assertThat(output)
                    .contains("parent process " + wrongParent + " is gone")
                    .doesNotContain(ParentWatchHarness.SLEEPING);
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * Waits until a process that is not our child has exited. The orphan is re-parented to init (or
     * a subreaper), which may leave it a zombie for a while: {@link ProcessHandle#isAlive()} stays
     * true for zombies, so on Linux the process state is checked too.
     */
    private static void awaitExit(ProcessHandle process, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive() && !isZombie(process.pid())) {
            assertThat(System.nanoTime() - deadline)
                    .as("process %d still running after %s", process.pid(), timeout)
                    .isNegative();
            try {
                process.onExit().get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // poll again
            }
        }
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) S ...": the state follows the last ')'
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false; // no /proc (or the process is gone): isAlive() decides
        }
    }

    private static Set<Integer> produce(String bootstrapServers) throws Exception {
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5);
        Set<Integer> partitions = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        TOPIC,
                                        ("key-" + i).getBytes(StandardCharsets.UTF_8),
                                        ("value-" + i).getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<RecordMetadata> future : sent) {
                partitions.add(future.get(30, TimeUnit.SECONDS).partition());
            }
        }
        return partitions;
    }

    private static List<String> consume(String bootstrapServers) {
        Map<String, Object> config =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        ConsumerConfig.GROUP_ID_CONFIG, "freshrank-it",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < RECORDS && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(values).as("records consumed within 30 s").hasSize(RECORDS);
        return values;
    }
}
