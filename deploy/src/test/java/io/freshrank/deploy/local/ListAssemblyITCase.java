package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.deploy.local.JoinTraffic.Send;
import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.ListCandidate;
import io.freshrank.schema.avro.ListExample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * The label join with list assembly ({@code freshrank.join.lists=true}) on the real stack: KRaft
 * broker child JVM, MiniCluster at parallelism 2 on RocksDB, exactly-once sinks, checkpoints every
 * second. Traffic ({@link JoinTraffic}): requests of 10 impressions spread over ~300 ms, shuffled
 * and duplicated impressions and actions, impressions sent after their actions, orphans and bad
 * records, paced at wall-clock speed, then a flush that moves the watermark past every list.
 *
 * <p>Read with {@code read_committed}: every example of the {@code examples} topic is in exactly
 * one list, the list of its request, with the same labels and emission; every request has one list;
 * lists are sorted by position and their sizes add up.
 */
class ListAssemblyITCase {
    private static final int IMPRESSIONS = 300;
    private static final long LIVE_MS = 6_000;
    private static final int PARALLELISM = 2;
    private static final int PARTITIONS = 2; // LocalStack's impressions and actions topics
    private static final long SEED = 11;

    @Test
    void everyExampleIsInExactlyOneListOfItsRequest() throws Exception {
        long started = System.nanoTime();
        JoinTraffic traffic = JoinTraffic.generate(SEED, IMPRESSIONS, LIVE_MS, PARTITIONS);
        Map<String, Map<String, Float>> expectedLabels = traffic.expectedLabels();
        Map<String, String> job =
                Map.of(
                        FreshrankOptions.ATTRIBUTION_WINDOW.key(), JoinTraffic.WINDOW_MS + " ms",
                        FreshrankOptions.OUT_OF_ORDERNESS.key(),
                                JoinTraffic.OUT_OF_ORDERNESS_MS + " ms",
                        FreshrankOptions.ORPHAN_GRACE.key(), JoinTraffic.GRACE_MS + " ms",
                        FreshrankOptions.JOIN_LISTS.key(), "true");
        LocalStack.Settings settings =
                new LocalStack.Settings(null, PARALLELISM, Duration.ofSeconds(1), job);
        try (LocalStack stack = LocalStack.start(settings);
                Outputs out = new Outputs(stack.bootstrapServers());
                KafkaProducer<byte[], byte[]> producer =
                        TestProducers.bytes(stack.bootstrapServers())) {
            JobID id = stack.startJoin();
            JobProbe probe = new JobProbe(stack.cluster().miniCluster(), id);
            Await.until(Duration.ofSeconds(60), () -> probe.allRunning(0), probe::describe);

            long t0 = System.currentTimeMillis();
            for (Send s : traffic.live) {
                long wait = t0 + s.atMs() - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                producer.send(s.record());
            }
            for (Send s : traffic.flush) {
                producer.send(s.record());
            }
            producer.flush();
            Await.until(
                    Duration.ofSeconds(40),
                    () ->
                            out.examples.keySet().containsAll(expectedLabels.keySet())
                                    && out.listedIds().containsAll(expectedLabels.keySet()),
                    () ->
                            out.examples.size()
                                    + " examples, "
                                    + out.lists.size()
                                    + " lists holding "
                                    + out.listedIds().size()
                                    + " of "
                                    + expectedLabels.size()
                                    + " impressions");
            // Two more checkpoints: anything emitted twice would be committed by now.
            long settled = probe.completedCheckpoints() + 2;
            Await.until(
                    Duration.ofSeconds(30),
                    () -> probe.completedCheckpoints() >= settled,
                    probe::describe);

            List<ListExample> lists = List.copyOf(out.lists);
            Map<String, List<String>> listsOfExample = new TreeMap<>();
            Map<String, Integer> listsPerRequest = new TreeMap<>();
            int candidates = 0;
            int maxSize = 0;
            for (ListExample list : lists) {
                listsPerRequest.merge(list.getRequestId(), 1, Integer::sum);
                candidates += list.getCandidates().size();
                maxSize = Math.max(maxSize, list.getListSize());
                for (ListCandidate c : list.getCandidates()) {
                    listsOfExample
                            .computeIfAbsent(c.getExampleId(), k -> new ArrayList<>())
                            .add(list.getRequestId());
                }
            }
            System.out.printf(
                    "ListAssemblyITCase: %d impressions, %d examples (%d distinct), %d lists of %d"
                            + " requests holding %d candidates (largest %d); %d s in all%n",
                    expectedLabels.size(),
                    out.exampleCount(),
                    out.examples.size(),
                    lists.size(),
                    listsPerRequest.size(),
                    candidates,
                    maxSize,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

            assertThat(out.examples.keySet())
                    .as("impressions with examples")
                    .containsExactlyInAnyOrderElementsOf(expectedLabels.keySet());
            assertThat(out.exampleCount())
                    .as("examples delivered (exactly once)")
                    .isEqualTo(out.examples.size());
            assertThat(listsOfExample.keySet())
                    .as("examples in lists")
                    .containsExactlyInAnyOrderElementsOf(out.examples.keySet());
            listsOfExample.forEach(
                    (exampleId, requests) ->
                            assertThat(requests)
                                    .as("lists holding %s", exampleId)
                                    .containsExactly(
                                            out.examples.get(exampleId).get(0).getRequestId()));
            assertThat(listsPerRequest)
                    .as("lists per request (a request's impressions are < grace apart)")
                    .allSatisfy((request, n) -> assertThat(n).as(request).isEqualTo(1));
            for (ListExample list : lists) {
                List<Integer> positions =
                        list.getCandidates().stream().map(ListCandidate::getPosition).toList();
                assertThat(positions).as("positions of list %s", list.getRequestId()).isSorted();
                assertThat(list.getListSize()).isEqualTo(list.getCandidates().size());
                assertThat(list.getOverflowCount()).isZero();
                for (ListCandidate c : list.getCandidates()) {
                    LabeledExample ex = out.examples.get(c.getExampleId()).get(0);
                    assertThat(new TreeMap<>(c.getLabels()))
                            .as("labels of %s in its list", c.getExampleId())
                            .isEqualTo(new TreeMap<>(ex.getLabels()))
                            .isEqualTo(expectedLabels.get(c.getExampleId()));
                    assertThat(c.getPosition()).isEqualTo(ex.getPosition());
                    assertThat(c.getEmission()).isEqualTo(ex.getEmission());
                    assertThat(c.getFeatures()).isEqualTo(ex.getFeatures());
                    assertThat(list.getEmitTimeMs()).isGreaterThanOrEqualTo(ex.getEmitTimeMs());
                }
            }
        }
    }

    /** Every example (per id, every copy) and every list received. */
    static final class Outputs implements AutoCloseable {
        final Map<String, List<LabeledExample>> examples = new ConcurrentHashMap<>();
        final List<ListExample> lists = new CopyOnWriteArrayList<>();
        private final List<TopicTail> tails = new ArrayList<>();

        Outputs(String bootstrap) {
            EventCodec<LabeledExample> ec = EventCodec.of(LabeledExample.class);
            EventCodec<ListExample> lc = EventCodec.of(ListExample.class);
            tails.add(
                    new TopicTail(
                            bootstrap,
                            FreshrankOptions.TOPIC_EXAMPLES.defaultValue(),
                            r -> {
                                LabeledExample e = ec.decode(r.value()).value();
                                examples.computeIfAbsent(
                                                e.getExampleId(), k -> new CopyOnWriteArrayList<>())
                                        .add(e);
                            }));
            tails.add(
                    new TopicTail(
                            bootstrap,
                            FreshrankOptions.TOPIC_EXAMPLE_LISTS.defaultValue(),
                            r -> lists.add(lc.decode(r.value()).value())));
        }

        int exampleCount() {
            return examples.values().stream().mapToInt(List::size).sum();
        }

        Set<String> listedIds() {
            Set<String> ids = new HashSet<>();
            for (ListExample l : lists) {
                l.getCandidates().forEach(c -> ids.add(c.getExampleId()));
            }
            return ids;
        }

        @Override
        public void close() {
            tails.forEach(TopicTail::close);
        }
    }
}
