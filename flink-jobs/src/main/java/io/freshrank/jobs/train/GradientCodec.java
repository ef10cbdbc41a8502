package io.freshrank.jobs.train;

import io.freshrank.jobs.common.GradientPrecision;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.InvalidReason;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Wire format of {@link GradientUpdate} on the gradients topic, big-endian. Version 2 (written):
 * {@code 'F' 'R' 'G' 0x02}, precision code (byte, see {@link GradientPrecision}), batchId (long),
 * producer (int), rowWidth (int), n (int), n ids (long), n*rowWidth gradients (float or bfloat16).
 * Version 1 (still read, so a job upgraded from a checkpoint can consume what its predecessor
 * wrote) has no precision byte and float gradients. A reader rejects other magic bytes or versions
 * with a message naming the versions it supports.
 */
public final class GradientCodec {
    public static final byte CURRENT_VERSION = 2;
    private static final byte V1 = 1;
    private static final byte[] MAGIC = {'F', 'R', 'G'};
    private static final int V1_HEADER = 4 + 8 + 4 + 4 + 4;
    private static final int V2_HEADER = V1_HEADER + 1;

    private GradientCodec() {}

    public static byte[] encode(GradientUpdate g, GradientPrecision precision) {
        int n = g.ids.length;
        ByteBuffer buf =
                ByteBuffer.allocate(V2_HEADER + n * 8 + g.grads.length * precision.bytesPerValue());
        buf.put(MAGIC).put(CURRENT_VERSION).put(precision.code());
        buf.putLong(g.batchId).putInt(g.producer).putInt(g.rowWidth).putInt(n);
        for (long id : g.ids) {
            buf.putLong(id);
        }
        if (precision == GradientPrecision.BF16) {
            for (float v : g.grads) {
                buf.putShort(BFloat16.fromFloat(v));
            }
        } else {
            for (float v : g.grads) {
                buf.putFloat(v);
            }
        }
        return buf.array();
    }

    public static DecodeResult<GradientUpdate> decode(byte[] bytes) {
        if (bytes == null || bytes.length < V1_HEADER) {
            return DecodeResult.invalid(
                    InvalidReason.UNDECODABLE, "gradient record shorter than its header");
        }
        if (bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1] || bytes[2] != MAGIC[2]) {
            return DecodeResult.invalid(
                    InvalidReason.UNDECODABLE, "not a gradient record (bad magic)");
        }
        if (bytes[3] != V1 && bytes[3] != CURRENT_VERSION) {
            return DecodeResult.invalid(
                    InvalidReason.UNKNOWN_SCHEMA,
                    "gradient format version "
                            + bytes[3]
                            + " is not supported by this reader (supports "
                            + V1
                            + " and "
                            + CURRENT_VERSION
                            + ")");
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
            GradientPrecision precision = GradientPrecision.FP32;
            if (bytes[3] == CURRENT_VERSION) {
                byte code = buf.get();
                precision = GradientPrecision.ofCode(code);
                if (precision == null) {
                    return DecodeResult.invalid(
                            InvalidReason.UNDECODABLE, "unknown gradient precision code " + code);
                }
            }
            long batchId = buf.getLong();
            int producer = buf.getInt();
            int rowWidth = buf.getInt();
            int n = buf.getInt();
            if (n < 0
                    || rowWidth < 1
                    || (long) n * (8 + (long) precision.bytesPerValue() * rowWidth)
                            != buf.remaining()) {
                return DecodeResult.invalid(
                        InvalidReason.UNDECODABLE,
                        "gradient record length does not match n=" + n + ", rowWidth=" + rowWidth);
            }
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = buf.getLong();
            }
            float[] grads = new float[n * rowWidth];
            if (precision == GradientPrecision.BF16) {
                for (int i = 0; i < grads.length; i++) {
                    grads[i] = BFloat16.toFloat(buf.getShort());
                }
            } else {
                for (int i = 0; i < grads.length; i++) {
                    grads[i] = buf.getFloat();
                }
            }
            return DecodeResult.valid(new GradientUpdate(batchId, producer, rowWidth, ids, grads));
        } catch (BufferUnderflowException e) {
            return DecodeResult.invalid(InvalidReason.UNDECODABLE, "truncated gradient record");
        }
    }
}
