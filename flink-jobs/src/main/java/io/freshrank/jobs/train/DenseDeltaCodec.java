package io.freshrank.jobs.train;

import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.InvalidReason;
import java.nio.ByteBuffer;

/**
 * Wire format of {@link DenseDelta} on the dense-updates topic. Version 1, big-endian: {@code 'F'
 * 'R' 'D' 0x01}, producer (int), sequence (long), n (int), n floats.
 */
public final class DenseDeltaCodec {
    public static final byte CURRENT_VERSION = 1;
    private static final byte[] MAGIC = {'F', 'R', 'D'};
    private static final int HEADER = 4 + 4 + 8 + 4;

    private DenseDeltaCodec() {}

    public static byte[] encode(DenseDelta d) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER + d.delta.length * 4);
        buf.put(MAGIC)
                .put(CURRENT_VERSION)
                .putInt(d.producer)
                .putLong(d.sequence)
                .putInt(d.delta.length);
        for (float v : d.delta) {
            buf.putFloat(v);
        }
        return buf.array();
    }

    public static DecodeResult<DenseDelta> decode(byte[] bytes) {
        if (bytes == null
                || bytes.length < HEADER
                || bytes[0] != MAGIC[0]
                || bytes[1] != MAGIC[1]
                || bytes[2] != MAGIC[2]) {
            return DecodeResult.invalid(InvalidReason.UNDECODABLE, "not a dense delta record");
        }
        if (bytes[3] != CURRENT_VERSION) {
            return DecodeResult.invalid(
                    InvalidReason.UNKNOWN_SCHEMA,
                    "dense delta format version "
                            + bytes[3]
                            + " is not supported by this reader (supports "
                            + CURRENT_VERSION
                            + ")");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
        int producer = buf.getInt();
        long seq = buf.getLong();
        int n = buf.getInt();
        if (n < 0 || (long) n * 4 != buf.remaining()) {
            return DecodeResult.invalid(
                    InvalidReason.UNDECODABLE, "dense delta length does not match n=" + n);
        }
        float[] delta = new float[n];
        for (int i = 0; i < n; i++) {
            delta[i] = buf.getFloat();
        }
        return DecodeResult.valid(new DenseDelta(producer, seq, delta));
    }
}
