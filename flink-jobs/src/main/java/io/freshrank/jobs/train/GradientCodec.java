package io.freshrank.jobs.train;

import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.InvalidReason;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Wire format of {@link GradientUpdate} on the gradients topic. Version 1, big-endian: {@code 'F'
 * 'R' 'G' 0x01}, batchId (long), producer (int), rowWidth (int), n (int), n ids (long), n*rowWidth
 * gradients (float). A reader rejects other magic bytes or versions with a message naming both
 * versions.
 */
public final class GradientCodec {
    public static final byte CURRENT_VERSION = 1;
    private static final byte[] MAGIC = {'F', 'R', 'G'};
    private static final int HEADER = 4 + 8 + 4 + 4 + 4;

    private GradientCodec() {}

    public static byte[] encode(GradientUpdate g) {
        int n = g.ids.length;
        ByteBuffer buf = ByteBuffer.allocate(HEADER + n * 8 + g.grads.length * 4);
        buf.put(MAGIC).put(CURRENT_VERSION);
        buf.putLong(g.batchId).putInt(g.producer).putInt(g.rowWidth).putInt(n);
        for (long id : g.ids) {
            buf.putLong(id);
        }
        for (float v : g.grads) {
            buf.putFloat(v);
        }
        return buf.array();
    }

    public static DecodeResult<GradientUpdate> decode(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER) {
            return DecodeResult.invalid(
                    InvalidReason.UNDECODABLE, "gradient record shorter than its header");
        }
        if (bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1] || bytes[2] != MAGIC[2]) {
            return DecodeResult.invalid(
                    InvalidReason.UNDECODABLE, "not a gradient record (bad magic)");
        }
        if (bytes[3] != CURRENT_VERSION) {
            return DecodeResult.invalid(
                    InvalidReason.UNKNOWN_SCHEMA,
                    "gradient format version "
                            + bytes[3]
                            + " is not supported by this reader (supports "
                            + CURRENT_VERSION
                            + ")");
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
            long batchId = buf.getLong();
            int producer = buf.getInt();
            int rowWidth = buf.getInt();
            int n = buf.getInt();
            if (n < 0 || rowWidth < 1 || (long) n * (8 + 4L * rowWidth) != buf.remaining()) {
                return DecodeResult.invalid(
                        InvalidReason.UNDECODABLE,
                        "gradient record length does not match n=" + n + ", rowWidth=" + rowWidth);
            }
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = buf.getLong();
            }
            float[] grads = new float[n * rowWidth];
            for (int i = 0; i < grads.length; i++) {
                grads[i] = buf.getFloat();
            }
            return DecodeResult.valid(new GradientUpdate(batchId, producer, rowWidth, ids, grads));
        } catch (BufferUnderflowException e) {
            return DecodeResult.invalid(InvalidReason.UNDECODABLE, "truncated gradient record");
        }
    }
}
