package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.common.FreshrankOptions;
import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.jobs.sim.SimulatorConfig;
import io.freshrank.jobs.sim.TrafficSimulator;
import io.freshrank.metrics.ProgressiveEvaluation;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Impression;
import io.freshrank.schema.avro.LabeledExample;
import io.freshrank.schema.avro.Prediction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The same labelled stream trained at parallelism 1 and at parallelism 2 (two embedding shards, two
 * trainers with dense sync) reaches the same progressive AUC within 0.005. The stream is produced
 * at a fixed rate while the job runs, as in production: the progressive AUC of online learning
 * depends on how many examples are in flight while gradients travel back to the shards, so both
 * runs must see the same arrival rate.
 */
class ParallelismParityITCase {
    private static final long REQUESTS = 10_000; // about 100k examples
    private static final int EXAMPLES_PER_SECOND = 4_000;

    @Test
    void parallelismOneAndTwoLearnEquallyWell() throws Exception {
        List<LabeledExample> stream = labelledStream();
        double p1 = progressiveAuc(stream, 1);
        double p2 = progressiveAuc(stream, 2);
        System.out.printf(
                "progressive AUC (last 50%%): parallelism 1 %.4f, parallelism 2 %.4f%n", p1, p2);
        assertThat(p1).as("AUC at parallelism 1").isGreaterThan(0.70);
        assertThat(Math.abs(p1 - p2))
                .as("|AUC(p=1) - AUC(p=2)| with p1=%s p2=%s", p1, p2)
                .isLessThan(0.005);
    }

    /**
     * Simulated impressions labelled with the clicks inside a 60 s window, in impression time
     * order.
     */
    private static List<LabeledExample> labelledStream() {
        SimulatorConfig config = SimulatorConfig.defaults().withSeed(11);
        TrafficSimulator sim = new TrafficSimulator(config, REQUESTS);
        ArrayDeque<Impression> waiting = new ArrayDeque<>();
        Set<String> clicked = new HashSet<>();
        List<LabeledExample> out = new ArrayList<>();
        while (sim.hasNext() || !waiting.isEmpty()) {
            long now = Long.MAX_VALUE;
            if (sim.hasNext()) {
                SimEvent e = sim.next();
                now = e.eventTimeMs();
                if (e instanceof SimEvent.ImpressionEvent ie) {
                    waiting.add(ie.impression());
                } else if (e instanceof SimEvent.ActionEvent ae
                        && ae.action().getType() == ActionType.CLICK) {
                    clicked.add(ae.impressionId());
                }
            }
            while (!waiting.isEmpty() && waiting.peek().getEventTimeMs() + 60_000 < now) {
                Impression imp = waiting.poll();
                out.add(
                        LabeledExample.newBuilder()
                                .setExampleId(imp.getImpressionId())
                                .setRequestId(imp.getRequestId())
                                .setImpressionTimeMs(imp.getEventTimeMs())
                                .setEmitTimeMs(imp.getEventTimeMs() + 60_000)
                                .setPosition(imp.getPosition())
                                .setFeatures(imp.getFeatures())
                                .setLabels(
                                        Map.of(
                                                "click",
                                                clicked.remove(imp.getImpressionId()) ? 1f : 0f))
                                .setOracleProbability(imp.getOracleProbability())
                                .build());
            }
        }
        return out;
    }

    /**
     * Writes the stream to one partition (same order for every run) at {@link
     * #EXAMPLES_PER_SECOND}.
     */
    private static void producePaced(String bootstrap, List<LabeledExample> stream)
            throws Exception {
        EventCodec<LabeledExample> codec = EventCodec.of(LabeledExample.class);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props)) {
            for (int i = 0; i < stream.size(); i++) {
                LabeledExample ex = stream.get(i);
                p.send(
                        new ProducerRecord<>(
                                "examples",
                                0,
                                ex.getExampleId().getBytes(StandardCharsets.UTF_8),
                                codec.encode(ex)));
                if (i % 200 == 0) {
                    long due = start + (long) (i * 1e9 / EXAMPLES_PER_SECOND);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            p.flush();
        }
    }

    private static double progressiveAuc(List<LabeledExample> stream, int parallelism)
            throws Exception {
        Map<String, String> job =
                Map.of(
                        FreshrankOptions.BATCH_TIMEOUT.key(), "100 ms",
                        FreshrankOptions.DENSE_SYNC_BATCHES.key(), "1");
        try (LocalStack stack =
                LocalStack.start(
                        new LocalStack.Settings(null, parallelism, Duration.ofSeconds(2), job))) {
            Map<String, Prediction> predictions = new ConcurrentHashMap<>();
            EventCodec<Prediction> pc = EventCodec.of(Prediction.class);
            try (TopicTail tail =
                    new TopicTail(
                            stack.bootstrapServers(),
                            "predictions",
                            r -> {
                                Prediction pr = pc.decode(r.value()).value();
                                predictions.put(pr.getExampleId(), pr);
                            })) {
                stack.startTraining();
                producePaced(stack.bootstrapServers(), stream);
                Await.until(
                        Duration.ofSeconds(240),
                        () -> predictions.size() >= stream.size(),
                        () -> predictions.size() + " of " + stream.size() + " predictions");
                assertThat(tail.records()).isGreaterThanOrEqualTo(stream.size());
            }
            ProgressiveEvaluation eval = new ProgressiveEvaluation();
            for (LabeledExample ex : stream) {
                Prediction pr = predictions.get(ex.getExampleId());
                eval.add(pr.getScore(), pr.getLabel());
            }
            return eval.aucOfLast(0.5);
        }
    }
}
