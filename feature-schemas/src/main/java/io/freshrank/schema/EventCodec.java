package io.freshrank.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Single-object encoder/decoder for one Avro record type. Encodes with the current schema; decodes
 * any released writer version (resolved by fingerprint through {@link SchemaHistory}) into the
 * current class.
 *
 * <p>Decoding never throws on bad data: it returns {@link DecodeResult#invalid}. Avro allocates a
 * string, bytes or array of the length a payload claims before reading it; run every JVM that
 * decodes untrusted input with Avro's limits ({@code
 * -Dorg.apache.avro.limits.string.maxLength=1048576
 * -Dorg.apache.avro.limits.bytes.maxLength=16777216
 * -Dorg.apache.avro.limits.collectionItems.maxLength=1000000}, set by {@code ./freshrank} and the
 * test runners) so a corrupt length is an invalid event, not an OutOfMemoryError. Instances are not
 * thread-safe (Avro's encoders reuse buffers); create one per task or thread. Creating one is
 * cheap.
 *
 * @param <T> the generated record class
 */
public final class EventCodec<T extends SpecificRecord> {
    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private EventCodec(Class<T> type, Schema schema) {
        this.type = type;
        SpecificData model = new SpecificData(type.getClassLoader());
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder =
                new BinaryMessageDecoder<>(
                        model, schema, SchemaHistory.storeFor(schema.getName(), schema));
    }

    /** A codec for a generated Avro class. */
    public static <T extends SpecificRecord> EventCodec<T> of(Class<T> type) {
        return new EventCodec<>(type, SpecificData.get().getSchema(type));
    }

    public Class<T> type() {
        return type;
    }

    /** Encodes {@code value}; throws only on a bug (e.g. a null in a non-null field). */
    public byte[] encode(T value) {
        try {
            ByteBuffer buf = encoder.encode(value);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /** Decodes {@code bytes}; an unknown fingerprint or corrupt payload gives an invalid result. */
    public DecodeResult<T> decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return DecodeResult.invalid(InvalidReason.UNDECODABLE, "empty payload");
        }
        try {
            return DecodeResult.valid(decoder.decode(bytes));
        } catch (MissingSchemaException e) {
            return DecodeResult.invalid(InvalidReason.UNKNOWN_SCHEMA, e.getMessage());
        } catch (BadHeaderException e) {
            return DecodeResult.invalid(InvalidReason.UNDECODABLE, "bad header: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            // Corrupt bodies surface as many exception types (AvroRuntimeException,
            // SystemLimitException,
            // IndexOutOfBounds, UnsupportedOperation for over-long lengths, ...): all are bad data,
            // not bugs.
            return DecodeResult.invalid(
                    InvalidReason.UNDECODABLE,
                    "corrupt " + type.getSimpleName() + " body: " + e.getClass().getSimpleName());
        }
    }
}
