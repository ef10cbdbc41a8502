package io.freshrank.deploy.bench;

import io.freshrank.features.FeatureHasher;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.LabeledExample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's input: a feature spec of {@code slots} CATEGORICAL slots {@code c1..cN} (ids
 * {@code 1..N}, one dim for all, admission at first sight, Adagrad) and a stream of encoded {@link
 * LabeledExample}s whose value in every slot is drawn from Zipf over {@code universe / slots}
 * values, so the whole stream can touch at most {@code universe} distinct feature ids (Criteo-like
 * hexadecimal raw values). About 10% of the labels are positive and depend weakly on the values of
 * slots {@code c1} and {@code c2}, so the model has something to learn. Deterministic for a seed.
 */
final class BenchExamples {
    /** Logit offset that puts the positive rate near 10%. */
    private static final double BASE_LOGIT = -2.3;

    /** Largest per-value effect on the logit of slots c1 and c2. */
    private static final double EFFECT = 0.8;

    private BenchExamples() {}

    /**
     * Encoded examples, ready to produce.
     *
     * @param payloads single-object-encoded {@link LabeledExample}s
     * @param valuesPerSlot Zipf support per slot ({@code universe / slots})
     * @param distinctSeen distinct feature ids over all slots that occur in the stream
     * @param positives examples with click = 1
     * @param bytes total payload bytes
     */
    record Generated(
            List<byte[]> payloads,
            int valuesPerSlot,
            long distinctSeen,
            long positives,
            long bytes) {}

    /** The spec JSON (see the class doc). */
    static String specJson(int slots, int dim) {
        StringBuilder b = new StringBuilder("{\"name\":\"bench-train\",\"slots\":[");
        for (int s = 1; s <= slots; s++) {
            if (s > 1) {
                b.append(',');
            }
            b.append("{\"id\":")
                    .append(s)
                    .append(",\"name\":\"c")
                    .append(s)
                    .append("\",\"kind\":\"CATEGORICAL\",\"dim\":")
                    .append(dim)
                    .append(",\"admissionThreshold\":1,\"idleExpiry\":\"PT24H\",")
                    .append("\"optimizer\":{\"type\":\"ADAGRAD\",\"learningRate\":0.05,")
                    .append("\"initialAccumulator\":0.1}}");
        }
        return b.append("]}").toString();
    }

    /** Writes {@link #specJson} to {@code dir/bench-train.spec.json} and returns its path. */
    static Path writeSpec(Path dir, int slots, int dim) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve("bench-train.spec.json");
        Files.writeString(p, specJson(slots, dim), StandardCharsets.UTF_8);
        return p;
    }

    /**
     * Generates {@code examples} encoded examples.
     *
     * @param universe upper bound of distinct feature ids over all slots
     * @param exponent Zipf exponent of every slot's values
     */
    static Generated generate(int examples, long universe, int slots, double exponent, long seed) {
        long perSlot = universe / slots;
        if (perSlot < 1 || perSlot > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "--ids " + universe + " gives " + perSlot + " values per slot; need 1..2^31-1");
        }
        int n = (int) perSlot;
        ZipfSampler[] samplers = new ZipfSampler[slots];
        BitSet[] seen = new BitSet[slots];
        String[] names = new String[slots];
        for (int s = 0; s < slots; s++) {
            samplers[s] = new ZipfSampler(n, exponent, seed * 1_000_003L + s);
            seen[s] = new BitSet(n + 1);
            names[s] = "c" + (s + 1);
        }
        EventCodec<LabeledExample> codec = EventCodec.of(LabeledExample.class);
        List<byte[]> payloads = new ArrayList<>(examples);
        SplittableRandom labels = new SplittableRandom(seed ^ 0x5DEECE66DL);
        long positives = 0;
        long bytes = 0;
        long t0 = 1_700_000_000_000L;
        for (int i = 0; i < examples; i++) {
            Map<String, String> categorical = new HashMap<>(slots * 2);
            double logit = BASE_LOGIT;
            for (int s = 0; s < slots; s++) {
                int rank = samplers[s].next();
                seen[s].set(rank);
                long h = FeatureHasher.fmix64(((long) (s + 1) << 40) ^ rank);
                // 40 bits: no two ranks of a slot share a raw value (in practice).
                categorical.put(names[s], Long.toHexString(h >>> 24));
                if (s < 2) {
                    // A fixed effect per value in [-EFFECT, EFFECT], from the value's hash.
                    logit += EFFECT * (((h >>> 40) & 0xFFFF) / 32767.5 - 1.0);
                }
            }
            boolean click = labels.nextDouble() < 1.0 / (1.0 + Math.exp(-logit));
            if (click) {
                positives++;
            }
            LabeledExample ex =
                    LabeledExample.newBuilder()
                            .setExampleId("bench-" + i)
                            .setRequestId("r-" + i)
                            .setImpressionTimeMs(t0 + i)
                            .setEmitTimeMs(t0 + i + 60_000)
                            .setPosition(0)
                            .setFeatures(new Features(categorical, Map.of(), Map.of()))
                            .setLabels(Map.of("click", click ? 1f : 0f))
                            .setOracleProbability(null)
                            .setHoldout(false)
                            .setSamplingRate(1f)
                            .build();
            byte[] payload = codec.encode(ex);
            bytes += payload.length;
            payloads.add(payload);
        }
        long distinct = 0;
        for (BitSet b : seen) {
            distinct += b.cardinality();
        }
        return new Generated(payloads, n, distinct, positives, bytes);
    }

    /**
     * Produces the payloads to {@code topic} (acks=1, lz4, large batches) and waits until all are
     * acknowledged.
     */
    static void produce(String bootstrap, String topic, List<byte[]> payloads) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (byte[] payload : payloads) {
                producer.send(
                        new ProducerRecord<>(topic, null, payload),
                        (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "could not produce the examples to topic " + topic, failure.get());
        }
    }
}
