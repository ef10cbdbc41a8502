package io.freshrank.jobs.common;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every configuration key of the Freshrank jobs, declared once with its type, default and doc. Keys
 * are hierarchical kebab-case under {@code freshrank.}; set them in the Flink configuration or as
 * {@code --key value} program arguments.
 */
public final class FreshrankOptions {
    private FreshrankOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("freshrank.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers, e.g. 127.0.0.1:9092. Required.");

    public static final ConfigOption<String> GROUP_PREFIX =
            key("freshrank.kafka.group-prefix")
                    .stringType()
                    .defaultValue("freshrank")
                    .withDescription(
                            "Prefix of the Kafka consumer group ids of the jobs' sources.");

    public static final ConfigOption<Boolean> BOUNDED =
            key("freshrank.kafka.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Stop the sources at the offsets that are latest when the job starts (replays, tests).");

    public static final ConfigOption<String> TOPIC_IMPRESSIONS =
            key("freshrank.topics.impressions").stringType().defaultValue("impressions");
    public static final ConfigOption<String> TOPIC_ACTIONS =
            key("freshrank.topics.actions").stringType().defaultValue("actions");
    public static final ConfigOption<String> TOPIC_EXAMPLES =
            key("freshrank.topics.examples").stringType().defaultValue("examples");
    public static final ConfigOption<String> TOPIC_DEAD_LETTERS =
            key("freshrank.topics.dead-letters").stringType().defaultValue("dead-letters");
    public static final ConfigOption<String> TOPIC_EXAMPLE_LISTS =
            key("freshrank.topics.example-lists").stringType().defaultValue("example-lists");
    public static final ConfigOption<String> TOPIC_GRADIENTS =
            key("freshrank.topics.gradients").stringType().defaultValue("gradients");
    public static final ConfigOption<String> TOPIC_DENSE_UPDATES =
            key("freshrank.topics.dense-updates").stringType().defaultValue("dense-updates");
    public static final ConfigOption<String> TOPIC_PREDICTIONS =
            key("freshrank.topics.predictions").stringType().defaultValue("predictions");

    public static final ConfigOption<Duration> ATTRIBUTION_WINDOW =
            key("freshrank.join.attribution-window")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Event time an impression waits for actions; then it is emitted (negative without"
                                    + " a click). The attribution window of every action type not"
                                    + " listed in freshrank.join.windows.");

    public static final ConfigOption<String> JOIN_WINDOWS =
            key("freshrank.join.windows")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Attribution window per action type, e.g."
                                    + " click=15min,like=1h,conversion=3d: an action counts only"
                                    + " inside its own type's window after the impression. Types"
                                    + " not listed use freshrank.join.attribution-window. WINDOW"
                                    + " emits when the longest window closes, EARLY_POSITIVE and"
                                    + " FAKE_NEGATIVE follow the click window (see the"
                                    + " io.freshrank.jobs.join package doc).");

    public static final ConfigOption<Double> NEGATIVE_SAMPLING_RATE =
            key("freshrank.join.negative-sampling-rate")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription(
                            "Probability with which a negative (click = 0) example emitted at"
                                    + " window close is kept, by a hash of its example id (replays"
                                    + " drop the same ones); kept negatives carry it as samplingRate"
                                    + " and the trainer weights them by 1/samplingRate. 1 = off.");

    public static final ConfigOption<Duration> JOIN_STATE_TTL_MARGIN =
            key("freshrank.join.state-ttl-margin")
                    .durationType()
                    .defaultValue(Duration.ofDays(1))
                    .withDescription(
                            "The join's keyed state expires (processing time) after the longest"
                                    + " attribution window + orphan grace + this margin without a"
                                    + " write, so a lost timer cannot leak state. The margin must"
                                    + " cover watermark lag and downtime: state older than that is"
                                    + " gone after a restore.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            key("freshrank.join.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription("Bounded out-of-orderness of the event-time watermarks.");

    public static final ConfigOption<Duration> SOURCE_IDLENESS =
            key("freshrank.join.source-idleness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "A source partition silent this long stops holding back the watermark.");

    public static final ConfigOption<Duration> ORPHAN_GRACE =
            key("freshrank.join.orphan-grace")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "How long an action waits for its impression before it is dead-lettered as an"
                                    + " orphan; also how long an emitted impression is remembered to drop"
                                    + " duplicates and dead-letter late actions.");

    /**
     * A string, not an enum option: the enum ({@code io.freshrank.jobs.join.EmissionPolicy}) lives
     * in the join package, which depends on this one; {@code JoinConfig} parses and validates it.
     */
    public static final ConfigOption<String> EMISSION_POLICY =
            key("freshrank.join.emission-policy")
                    .stringType()
                    .defaultValue("WINDOW")
                    .withDescription(
                            "When the label join emits an impression: WINDOW (once, at window close,"
                                    + " with every label), EARLY_POSITIVE (at its first click with"
                                    + " click=1, else a negative at window close), FAKE_NEGATIVE (at"
                                    + " once as a negative, plus a CORRECTION positive when a click"
                                    + " arrives inside the window; the trainer must weight them,"
                                    + " Ktena et al. 2019). Costs in freshness and bias: see the"
                                    + " io.freshrank.jobs.join package doc.");

    public static final ConfigOption<DeliveryMode> JOIN_DELIVERY =
            key("freshrank.join.delivery")
                    .enumType(DeliveryMode.class)
                    .defaultValue(DeliveryMode.EXACTLY_ONCE)
                    .withDescription(
                            "Delivery of the label join's examples and dead letters: EXACTLY_ONCE"
                                    + " (Kafka transactions committed when a checkpoint completes;"
                                    + " read_committed consumers see each example once, up to one"
                                    + " checkpoint interval later) or AT_LEAST_ONCE (visible at once;"
                                    + " after a failure the examples emitted since the last"
                                    + " checkpoint are written again). EXACTLY_ONCE needs"
                                    + " checkpointing.");

    public static final ConfigOption<String> JOIN_TRANSACTIONAL_ID_PREFIX =
            key("freshrank.join.transactional-id-prefix")
                    .stringType()
                    .defaultValue("freshrank-label-join")
                    .withDescription(
                            "Prefix of the label join's Kafka transactional ids (each sink appends"
                                    + " its topic) with EXACTLY_ONCE delivery. Give every join job on"
                                    + " a Kafka cluster its own prefix, and keep it across restarts"
                                    + " of the same job.");

    public static final ConfigOption<Duration> JOIN_TRANSACTION_TIMEOUT =
            key("freshrank.join.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Kafka transaction timeout of the label join's EXACTLY_ONCE sinks. Must"
                                    + " exceed the checkpoint interval plus the expected downtime of"
                                    + " a restart (a transaction aborted by the broker before its"
                                    + " commit loses its examples) and must not exceed the broker's"
                                    + " transaction.max.timeout.ms (15 min by default).");

    public static final ConfigOption<Boolean> JOIN_LISTS =
            key("freshrank.join.lists")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Also group the label join's examples by request into ListExamples"
                                    + " (sorted by position) on freshrank.topics.example-lists, with"
                                    + " the delivery of freshrank.join.delivery. Needs the WINDOW or"
                                    + " EARLY_POSITIVE emission policy. A list is emitted when the"
                                    + " watermark passes the latest window close of its examples"
                                    + " plus freshrank.join.lists.grace.");

    public static final ConfigOption<Duration> JOIN_LISTS_GRACE =
            key("freshrank.join.lists.grace")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Event time a list waits after the latest window close of its examples"
                                    + " for the examples of later impressions of the same request"
                                    + " (impressions of one request shown up to this much apart"
                                    + " land in one list). Added to the list's latency.");

    public static final ConfigOption<Integer> JOIN_LISTS_MAX_SIZE =
            key("freshrank.join.lists.max-size")
                    .intType()
                    .defaultValue(200)
                    .withDescription(
                            "Most candidates in one list: the lowest positions are kept, the rest"
                                    + " are counted in the list's overflowCount and the"
                                    + " listOverflowExamples metric (they stay in the examples"
                                    + " topic).");

    public static final ConfigOption<Duration> JOIN_LISTS_STATE_TTL =
            key("freshrank.join.lists.state-ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(1))
                    .withDescription(
                            "Processing time after its last write at which a waiting list's keyed"
                                    + " state expires, so a lost timer cannot leak state. Must cover"
                                    + " watermark stalls and downtime: a list whose state expired"
                                    + " is not emitted (counted in listsExpired).");

    public static final ConfigOption<String> FEATURE_SPEC =
            key("freshrank.feature-spec")
                    .stringType()
                    .defaultValue("simulator")
                    .withDescription(
                            "The feature spec: 'simulator' (built in) or the path of a spec JSON file.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            key("freshrank.train.batch-size")
                    .intType()
                    .defaultValue(256)
                    .withDescription("Examples per training micro-batch.");

    public static final ConfigOption<Duration> BATCH_TIMEOUT =
            key("freshrank.train.batch-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription("A partial micro-batch is trained after waiting this long.");

    public static final ConfigOption<String> HIDDEN =
            key("freshrank.train.hidden")
                    .stringType()
                    .defaultValue("64,32")
                    .withDescription("Widths of the DeepFM MLP's hidden layers, comma-separated.");

    public static final ConfigOption<Float> DENSE_LEARNING_RATE =
            key("freshrank.train.dense-learning-rate")
                    .floatType()
                    .defaultValue(0.02f)
                    .withDescription("Adagrad step size of the dense (MLP) parameters.");

    public static final ConfigOption<Integer> DENSE_SYNC_BATCHES =
            key("freshrank.train.dense-sync-batches")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "With several trainer subtasks, each publishes its dense-parameter delta every this"
                                    + " many batches; the others add it (bounded staleness).");
    public static final ConfigOption<Integer> TRAINER_PARALLELISM =
            key("freshrank.train.trainer-parallelism")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Parallelism of the trainer (dense tower); 0 = the job's parallelism. Embedding"
                                    + " shards always run at the job's parallelism. Several trainers keep their"
                                    + " dense copies in sync through the dense-updates topic.");

    public static final ConfigOption<Long> SEED =
            key("freshrank.train.seed")
                    .longType()
                    .defaultValue(42L)
                    .withDescription("Seed of the dense initialisation.");

    public static final ConfigOption<String> STORE_PATH =
            key("freshrank.store.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Model store snapshots are published to: a directory, or a URI of a Flink file"
                                    + " system (file:///..., hdfs://..., s3://... with the file system's plugin"
                                    + " in the cluster's plugins directory). Required by the train job.");

    public static final ConfigOption<MemorySize> CACHE_BYTES =
            key("freshrank.train.embedding.cache-size")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(64))
                    .withDescription(
                            "Heap size of each embedding shard's write-back cache of hot rows, in front of"
                                    + " keyed state (RocksDB). 0 disables it (use with the heap state backend).");

    public static final ConfigOption<Duration> WRITE_BEHIND_IDLE =
            key("freshrank.train.embedding.write-behind-idle")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "Cached rows not updated for this long are written to keyed state between"
                                    + " checkpoints (in 20 ms slices every 100 ms), so the flush before each"
                                    + " checkpoint barrier, which pauses the shard, has fewer rows to write."
                                    + " 0 writes changed rows only at the barrier.");

    public static final ConfigOption<GradientPrecision> GRADIENT_PRECISION =
            key("freshrank.train.gradient-precision")
                    .enumType(GradientPrecision.class)
                    .defaultValue(GradientPrecision.BF16)
                    .withDescription(
                            "How trainers write row gradients to the gradients topic: BF16 (2 bytes"
                                    + " per value, rounded to nearest even, relative error at most 2^-8)"
                                    + " or FP32 (exact, nearly twice the bytes). Readers accept both.");

    public static final ConfigOption<MemorySize> SKETCH_BYTES =
            key("freshrank.train.embedding.admission-sketch-size")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(4))
                    .withDescription(
                            "Size of each shard's count-min sketch counting ids below their slot's admission"
                                    + " threshold.");

    public static final ConfigOption<Duration> EXPIRY_SWEEP_INTERVAL =
            key("freshrank.train.embedding.expiry-sweep-interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "How often each shard drops rows idle longer than their slot's idleExpiry.");

    public static final ConfigOption<Duration> SKETCH_HALVE_INTERVAL =
            key("freshrank.train.embedding.admission-sketch-halve-interval")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription("The admission sketch's counts are halved this often.");

    public static final ConfigOption<Integer> FULL_SNAPSHOT_EVERY =
            key("freshrank.publish.full-every")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Every this many checkpoints a FULL snapshot is published; in between, DELTAs of"
                                    + " the rows touched since the previous snapshot. 1 publishes only FULLs.");
}
