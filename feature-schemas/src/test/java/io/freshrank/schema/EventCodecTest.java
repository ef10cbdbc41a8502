package io.freshrank.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.schema.SampleEvents.Sample;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Single-object encoding, malformed input and writer-schema resolution of {@link EventCodec}. */
class EventCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;
    private static final int HEADER_LENGTH = 10;

    static Stream<Sample<?>> samples() {
        return SampleEvents.all().stream();
    }

    /** Records with at least one field that has a default (an older writer could lack it). */
    static Stream<Sample<?>> samplesWithDefaultedFields() {
        return samples()
                .filter(
                        s ->
                                s.value().getSchema().getFields().stream()
                                        .anyMatch(Schema.Field::hasDefaultValue));
    }

    // ---- encoding -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void roundTripKeepsEveryField(Sample<?> sample) {
        roundTrip(sample);
    }

    private static <T extends SpecificRecord> void roundTrip(Sample<T> sample) {
        EventCodec<T> codec = EventCodec.of(sample.type());
        byte[] bytes = codec.encode(sample.value());

        DecodeResult<T> decoded = codec.decode(bytes);

        assertThat(decoded.isValid()).as("decode of %s: %s", sample, decoded).isTrue();
        assertThat(decoded.value()).isNotSameAs(sample.value()).isEqualTo(sample.value());
        assertThat(decoded.reason()).isNull();
        assertThat(codec.type()).isEqualTo(sample.type());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void encodingStartsWithMagicAndLittleEndianFingerprint(Sample<?> sample) {
        byte[] bytes = encode(sample);
        byte[] expectedHeader = header(sample.value().getSchema());

        assertThat(bytes.length).isGreaterThan(HEADER_LENGTH);
        assertThat(Arrays.copyOf(bytes, HEADER_LENGTH))
                .as("header of %s: %s", sample, HEX.formatHex(bytes))
                .containsExactly(expectedHeader);
    }

    @Test
    void encodeThrowsOnANullInANonNullField() {
        Impression broken = SampleEvents.impression();
        broken.setImpressionId(null); // a bug in the producer, not bad data

        assertThatThrownBy(() -> EventCodec.of(Impression.class).encode(broken))
                .isInstanceOf(RuntimeException.class);
    }

    // ---- malformed input: never throws ----------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void emptyAndNullPayloadsAreUndecodable(Sample<?> sample) {
        EventCodec<?> codec = EventCodec.of(sample.type());

        assertInvalid(codec, new byte[0], InvalidReason.UNDECODABLE);
        assertInvalid(codec, null, InvalidReason.UNDECODABLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void randomGarbageIsUndecodable(Sample<?> sample) {
        EventCodec<?> codec = EventCodec.of(sample.type());
        Random random = new Random(20240601L);
        for (int i = 0; i < 2_000; i++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            if (garbage[0] == MAGIC_0) {
                garbage[0] = 0; // keep it garbage: no valid magic
            }
            assertInvalid(codec, garbage, InvalidReason.UNDECODABLE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyTruncationOfAValidPayloadIsUndecodable(Sample<?> sample) {
        EventCodec<?> codec = EventCodec.of(sample.type());
        byte[] valid = encode(sample);
        for (int length = 1; length < valid.length; length++) {
            assertInvalid(codec, Arrays.copyOf(valid, length), InvalidReason.UNDECODABLE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void aFlippedFingerprintByteIsAnUnknownSchema(Sample<?> sample) {
        EventCodec<?> codec = EventCodec.of(sample.type());
        byte[] valid = encode(sample);
        for (int i = 2; i < HEADER_LENGTH; i++) {
            byte[] flipped = valid.clone();
            flipped[i] ^= (byte) 0x5a;

            DecodeResult<?> result = assertInvalid(codec, flipped, InvalidReason.UNKNOWN_SCHEMA);
            assertThat(result.detail()).as("detail for fingerprint byte %d", i).isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void aBadHeaderIsUndecodable(Sample<?> sample) {
        EventCodec<?> codec = EventCodec.of(sample.type());
        byte[] valid = encode(sample);

        byte[] badMagic0 = valid.clone();
        badMagic0[0] = (byte) 0xC4;
        byte[] badMagic1 = valid.clone();
        badMagic1[1] = (byte) 0x02;
        byte[] headerOnly = Arrays.copyOf(valid, HEADER_LENGTH - 1);
        byte[] magicOnly = {MAGIC_0, MAGIC_1};

        for (byte[] payload : List.of(badMagic0, badMagic1, headerOnly, magicOnly)) {
            DecodeResult<?> result = assertInvalid(codec, payload, InvalidReason.UNDECODABLE);
            assertThat(result.detail()).startsWith("bad header");
        }
    }

    @Test
    void aPayloadOfAnotherRecordTypeIsAnUnknownSchema() {
        byte[] action = EventCodec.of(Action.class).encode(SampleEvents.action());

        assertInvalid(EventCodec.of(Impression.class), action, InvalidReason.UNKNOWN_SCHEMA);
    }

    @Test
    void anEnumIndexOutOfRangeIsUndecodable() throws IOException {
        byte[] payload =
                craftBody(
                        Action.getClassSchema(),
                        body -> {
                            body.writeString("act-1");
                            body.writeString("imp-1");
                            body.writeInt(99); // ActionType has 5 symbols
                            body.writeLong(SampleEvents.IMPRESSION_TIME_MS);
                            body.writeFloat(1f);
                        });

        assertInvalid(EventCodec.of(Action.class), payload, InvalidReason.UNDECODABLE);
    }

    @Test
    void aUnionBranchOutOfRangeIsUndecodable() throws IOException {
        byte[] payload =
                craftBody(
                        Impression.getClassSchema(),
                        body -> {
                            writeImpressionPrefix(body);
                            body.writeIndex(5); // oracleProbability is ["null", "float"]
                            body.writeFloat(0.5f);
                            body.writeBoolean(false);
                        });

        assertInvalid(EventCodec.of(Impression.class), payload, InvalidReason.UNDECODABLE);
    }

    @Test
    void aNegativeStringLengthIsUndecodable() throws IOException {
        byte[] payload =
                craftBody(Impression.getClassSchema(), body -> body.writeLong(-5)); // length of id

        assertInvalid(EventCodec.of(Impression.class), payload, InvalidReason.UNDECODABLE);
    }

    @Test
    void aStringLengthBeyondTheArrayLimitIsUndecodable() throws IOException {
        byte[] payload =
                craftBody(
                        Impression.getClassSchema(),
                        body -> body.writeLong(Integer.MAX_VALUE)); // length of impressionId

        assertInvalid(EventCodec.of(Impression.class), payload, InvalidReason.UNDECODABLE);
    }

    @Test
    void aStringLengthJustBelowTheArrayLimitIsUndecodable() throws IOException {
        byte[] payload =
                craftBody(
                        Impression.getClassSchema(),
                        body -> body.writeLong(Integer.MAX_VALUE - 9)); // length of impressionId

        assertInvalid(EventCodec.of(Impression.class), payload, InvalidReason.UNDECODABLE);
    }

    @Test
    void anArrayCountJustBelowTheArrayLimitIsUndecodable() throws IOException {
        byte[] payload =
                craftBody(
                        Impression.getClassSchema(),
                        body -> {
                            body.writeString("imp-1");
                            body.writeString("req-1");
                            body.writeLong(SampleEvents.IMPRESSION_TIME_MS);
                            body.writeInt(0);
                            body.writeLong(0); // categorical: empty map
                            body.writeLong(1); // sequences: one entry ...
                            body.writeString("recent_categories");
                            body.writeLong(Integer.MAX_VALUE - 9); // ... of ~2^31 items
                            body.writeString("news");
                        });

        assertInvalid(EventCodec.of(Impression.class), payload, InvalidReason.UNDECODABLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void corruptBodiesBehindAValidHeaderNeverThrow(Sample<?> sample) {
        EventCodec<?> codec = EventCodec.of(sample.type());
        byte[] valid = encode(sample);
        Random random = new Random(77L);
        for (int i = 0; i < 5_000; i++) {
            byte[] corrupt = valid.clone();
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                int at = HEADER_LENGTH + random.nextInt(valid.length - HEADER_LENGTH);
                corrupt[at] = (byte) random.nextInt(256);
            }
            assertUndecodableOrValid(codec, corrupt);

            byte[] randomBody = Arrays.copyOf(valid, HEADER_LENGTH + random.nextInt(80));
            byte[] body = new byte[randomBody.length - HEADER_LENGTH];
            random.nextBytes(body);
            System.arraycopy(body, 0, randomBody, HEADER_LENGTH, body.length);
            assertUndecodableOrValid(codec, randomBody);
        }
    }

    private static void assertUndecodableOrValid(EventCodec<?> codec, byte[] payload) {
        DecodeResult<?> result = decodeWithoutThrowing(codec, payload);
        if (!result.isValid()) {
            assertThat(result.reason())
                    .as("payload %s", HEX.formatHex(payload))
                    .isEqualTo(InvalidReason.UNDECODABLE);
        }
    }

    /** Writes the fields of an Impression up to (excluding) oracleProbability. */
    private static void writeImpressionPrefix(Encoder body) throws IOException {
        body.writeString("imp-1");
        body.writeString("req-1");
        body.writeLong(SampleEvents.IMPRESSION_TIME_MS);
        body.writeInt(0);
        body.writeLong(0); // categorical: empty map
        body.writeLong(0); // sequences: empty map
        body.writeLong(0); // numeric: empty map
    }

    /** Writes part of an Avro binary body by hand. */
    private interface BodyWriter {
        void write(Encoder body) throws IOException;
    }

    /** A valid header for {@code writerSchema} followed by a hand-written body. */
    private static byte[] craftBody(Schema writerSchema, BodyWriter writer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header(writerSchema));
        BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(body);
        body.flush();
        return out.toByteArray();
    }

    // ---- writer-schema resolution and history ---------------------------------------------------

    /** Impression as an older producer might have written it: no oracleProbability, no holdout. */
    private static Schema impressionWithoutOptionalFields() {
        return SchemaBuilder.record("Impression")
                .namespace("io.freshrank.schema.avro")
                .fields()
                .requiredString("impressionId")
                .requiredString("requestId")
                .requiredLong("eventTimeMs")
                .requiredInt("position")
                .name("features")
                .type(Features.getClassSchema())
                .noDefault()
                .endRecord();
    }

    private static byte[] encodeImpressionWithoutOptionalFields(Schema olderSchema)
            throws IOException {
        GenericRecord features =
                new GenericRecordBuilder(Features.getClassSchema())
                        .set("categorical", Map.of("user_id", "u7"))
                        .set("sequences", Map.of("recent_categories", List.of("news")))
                        .set("numeric", Map.of("item_age_hours", 2.5f))
                        .build();
        GenericRecord older =
                new GenericRecordBuilder(olderSchema)
                        .set("impressionId", "imp-old")
                        .set("requestId", "req-old")
                        .set("eventTimeMs", SampleEvents.IMPRESSION_TIME_MS)
                        .set("position", 1)
                        .set("features", features)
                        .build();
        return toArray(
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), olderSchema)
                        .encode(older));
    }

    @Test
    void anOlderWriterSchemaMissingFromTheHistoryIsAnUnknownSchema() throws IOException {
        Schema older = impressionWithoutOptionalFields();
        long olderFingerprint = SchemaHistory.fingerprint(older);
        assertThat(SchemaHistory.versions("Impression"))
                .extracting(SchemaHistory::fingerprint)
                .as("the hand-built older schema must not be a released version")
                .doesNotContain(olderFingerprint);

        byte[] bytes = encodeImpressionWithoutOptionalFields(older);

        DecodeResult<Impression> result = EventCodec.of(Impression.class).decode(bytes);
        assertThat(result.isValid()).as("decode: %s", result).isFalse();
        assertThat(result.reason()).isEqualTo(InvalidReason.UNKNOWN_SCHEMA);
        assertThat(result.detail()).contains(Long.toString(olderFingerprint));
    }

    @Test
    void anOlderWriterSchemaInTheStoreIsReadWithDefaults() throws IOException {
        Schema older = impressionWithoutOptionalFields();
        byte[] bytes = encodeImpressionWithoutOptionalFields(older);
        SchemaStore.Cache store = SchemaHistory.storeFor("Impression", Impression.getClassSchema());
        store.addSchema(older); // what adding a history file for this version does

        Impression decoded =
                new BinaryMessageDecoder<Impression>(
                                new SpecificData(Impression.class.getClassLoader()),
                                Impression.getClassSchema(),
                                store)
                        .decode(bytes);

        assertThat(decoded.getImpressionId()).isEqualTo("imp-old");
        assertThat(decoded.getRequestId()).isEqualTo("req-old");
        assertThat(decoded.getEventTimeMs()).isEqualTo(SampleEvents.IMPRESSION_TIME_MS);
        assertThat(decoded.getPosition()).isEqualTo(1);
        assertThat(decoded.getFeatures().getCategorical())
                .containsExactly(Map.entry("user_id", "u7"));
        assertThat(decoded.getFeatures().getSequences())
                .containsExactly(Map.entry("recent_categories", List.of("news")));
        assertThat(decoded.getFeatures().getNumeric())
                .containsExactly(Map.entry("item_age_hours", 2.5f));
        assertThat(decoded.getOracleProbability()).as("default of oracleProbability").isNull();
        assertThat(decoded.getHoldout()).as("default of holdout").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplesWithDefaultedFields")
    void writerWithoutDefaultedFieldsIsUnknownUntilAddedToTheStore(Sample<?> sample)
            throws IOException {
        olderWriter(sample);
    }

    private static <T extends SpecificRecord> void olderWriter(Sample<T> sample)
            throws IOException {
        Schema current = sample.value().getSchema();
        Schema older = withoutDefaultedFields(current);
        GenericData.Record record = new GenericData.Record(older);
        for (Schema.Field f : older.getFields()) {
            record.put(f.name(), sample.value().get(current.getField(f.name()).pos()));
        }
        byte[] bytes =
                toArray(
                        new BinaryMessageEncoder<GenericData.Record>(SpecificData.get(), older)
                                .encode(record));

        assertInvalid(EventCodec.of(sample.type()), bytes, InvalidReason.UNKNOWN_SCHEMA);

        SchemaStore.Cache store = SchemaHistory.storeFor(sample.recordName(), current);
        store.addSchema(older);
        SpecificData model = new SpecificData(sample.type().getClassLoader());
        T decoded = new BinaryMessageDecoder<T>(model, current, store).decode(bytes);
        for (Schema.Field f : current.getFields()) {
            Object expected =
                    f.hasDefaultValue() ? model.getDefaultValue(f) : sample.value().get(f.pos());
            assertThat(decoded.get(f.pos())).as("%s.%s", sample, f.name()).isEqualTo(expected);
        }
    }

    private static Schema withoutDefaultedFields(Schema current) {
        List<Schema.Field> kept =
                current.getFields().stream()
                        .filter(f -> !f.hasDefaultValue())
                        .map(f -> new Schema.Field(f, f.schema()))
                        .toList();
        return Schema.createRecord(
                current.getName(), current.getDoc(), current.getNamespace(), false, kept);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void newestHistoryVersionIsTheCurrentSchema(Sample<?> sample) {
        String name = sample.recordName();
        List<Schema> versions = SchemaHistory.versions(name);
        String addFile =
                "add src/main/resources/io/freshrank/schema/history/"
                        + name
                        + "/v"
                        + (versions.size() + 1)
                        + ".avsc";
        assertThat(versions).as("no released schema of %s: %s", name, addFile).isNotEmpty();

        long current = SchemaHistory.fingerprint(sample.value().getSchema());
        long newest = SchemaHistory.fingerprint(versions.get(versions.size() - 1));
        assertThat(newest)
                .as(
                        "%s changed (fingerprint %s) but its newest history file v%s has"
                                + " fingerprint %s: %s with the new schema",
                        name, current, versions.size(), newest, addFile)
                .isEqualTo(current);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyReleasedVersionIsReadableAndDistinct(Sample<?> sample) {
        Schema current = sample.value().getSchema();
        List<Schema> versions = SchemaHistory.versions(sample.recordName());
        SchemaStore.Cache store = SchemaHistory.storeFor(sample.recordName(), current);

        assertThat(versions)
                .extracting(SchemaHistory::fingerprint)
                .as("two history files of %s hold the same schema", sample)
                .doesNotHaveDuplicates();
        for (int v = 0; v < versions.size(); v++) {
            Schema writer = versions.get(v);
            assertThat(writer.getFullName()).isEqualTo(current.getFullName());
            assertThat(
                            SchemaCompatibility.checkReaderWriterCompatibility(current, writer)
                                    .getType())
                    .as("current %s cannot read history v%s", sample, v + 1)
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            assertThat(store.findByFingerprint(SchemaHistory.fingerprint(writer)))
                    .as("store of %s resolves v%s", sample, v + 1)
                    .isNotNull();
        }
        assertThat(store.findByFingerprint(SchemaHistory.fingerprint(current))).isNotNull();
    }

    @Test
    void versionsOfAnUnknownRecordAreEmpty() {
        assertThat(SchemaHistory.versions("NoSuchRecord")).isEmpty();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Single-object header: C3 01, then the schema's CRC-64-AVRO fingerprint little-endian. */
    private static byte[] header(Schema schema) {
        long fingerprint = SchemaHistory.fingerprint(schema);
        byte[] header = new byte[HEADER_LENGTH];
        header[0] = MAGIC_0;
        header[1] = MAGIC_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    private static <T extends SpecificRecord> byte[] encode(Sample<T> sample) {
        return EventCodec.of(sample.type()).encode(sample.value());
    }

    private static DecodeResult<?> assertInvalid(
            EventCodec<?> codec, byte[] payload, InvalidReason reason) {
        DecodeResult<?> result = decodeWithoutThrowing(codec, payload);
        String seen = payload == null ? "null" : HEX.formatHex(payload);
        assertThat(result.isValid()).as("payload %s decoded as %s", seen, result).isFalse();
        assertThat(result.reason()).as("payload %s: %s", seen, result).isEqualTo(reason);
        return result;
    }

    private static DecodeResult<?> decodeWithoutThrowing(EventCodec<?> codec, byte[] payload) {
        try {
            return codec.decode(payload);
        } catch (RuntimeException | Error e) {
            throw new AssertionError(
                    "decode of "
                            + codec.type().getSimpleName()
                            + " threw on data instead of returning an invalid result; payload "
                            + (payload == null ? "null" : HEX.formatHex(payload)),
                    e);
        }
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
