package io.freshrank.jobs.train;

import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.InvalidReason;
import java.nio.ByteBuffer;

/**
 * Wire format of {@link DenseDelta} on the dense-updates topic, big-endian: {@code 'F' 'R' 'D'
 * version}, producer (int), sequence (long), n (int), n parameter deltas (float); version 2 adds n
 * accumulator deltas (float). Writes version 2; reads 1 and 2.
 */
public final class DenseDeltaCodec {
    public static final byte CURRENT_VERSION = 2;
    private static final byte[] MAGIC = {'F', 'R', 'D'};
    private static final int HEADER = 4 + 4 + 8 + 4;

    private DenseDeltaCodec() {}

    public static byte[] encode(DenseDelta d) {
        int n = d.delta.length;
        ByteBuffer buf = ByteBuffer.allocate(HEADER + n * 8);
        buf.put(MAGIC).put(CURRENT_VERSION).putInt(d.producer).putLong(d.sequence).putInt(n);
        for (float v : d.delta) {
            buf.putFloat(v);
        }
        for (int i = 0; i < n; i++) {
            buf.putFloat(d.accumulatorDelta == null ? 0f : d.accumulatorDelta[i]);
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
        byte version = bytes[3];
        if (version != 1 && version != 2) {
            return DecodeResult.invalid(
                    InvalidReason.UNKNOWN_SCHEMA,
                    "dense delta format version "
                            + version
                            + " is not supported by this reader (supports 1 and 2)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
        int producer = buf.getInt();
        long seq = buf.getLong();
        int n = buf.getInt();
        int blocks = version == 1 ? 1 : 2;
        if (n < 0 || (long) n * 4 * blocks != buf.remaining()) {
            return DecodeResult.invalid(
                    InvalidReason.UNDECODABLE, "dense delta length does not match n=" + n);
        }
        float[] delta = new float[n];
        for (int i = 0; i < n; i++) {
            delta[i] = buf.getFloat();
        }
        float[] acc = null;
        if (version == 2) {
            acc = new float[n];
            for (int i = 0; i < n; i++) {
                acc[i] = buf.getFloat();
            }
        }
        return DecodeResult.valid(new DenseDelta(producer, seq, delta, acc));
    }
}
