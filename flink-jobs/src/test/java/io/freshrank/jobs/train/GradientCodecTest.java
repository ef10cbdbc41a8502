package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.jobs.common.GradientPrecision;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.InvalidReason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GradientCodecTest {
    private static GradientUpdate sample() {
        return new GradientUpdate(
                42L,
                1,
                3,
                new long[] {7L, -9L},
                new float[] {0.5f, -1f, 2f, 3f, Float.MIN_VALUE, 0f});
    }

    @Test
    void roundTripsExactlyInFp32() {
        DecodeResult<GradientUpdate> d =
                GradientCodec.decode(GradientCodec.encode(sample(), GradientPrecision.FP32));
        assertThat(d.isValid()).isTrue();
        GradientUpdate g = d.value();
        assertThat(g.batchId).isEqualTo(42L);
        assertThat(g.producer).isEqualTo(1);
        assertThat(g.rowWidth).isEqualTo(3);
        assertThat(g.ids).containsExactly(7L, -9L);
        assertThat(g.grads).containsExactly(sample().grads);
    }

    @Test
    void bf16HalvesTheValuesAndRoundsEachToItsNearestBFloat16() {
        GradientUpdate in = sample();
        in.grads = new float[] {0.5f, -1f, 1.00390625f, 1.01171875f, 3.3333333f, -1e-30f};
        byte[] fp32 = GradientCodec.encode(in, GradientPrecision.FP32);
        byte[] bf16 = GradientCodec.encode(in, GradientPrecision.BF16);
        assertThat(fp32.length - bf16.length).isEqualTo(2 * in.grads.length);
        GradientUpdate g = GradientCodec.decode(bf16).value();
        assertThat(g.ids).containsExactly(7L, -9L);
        assertThat(g.rowWidth).isEqualTo(3);
        for (int i = 0; i < in.grads.length; i++) {
            assertThat(g.grads[i]).isEqualTo(BFloat16.toFloat(BFloat16.fromFloat(in.grads[i])));
            assertThat(Math.abs(g.grads[i] - in.grads[i]))
                    .isLessThanOrEqualTo(Math.abs(in.grads[i]) * 0x1p-8f);
        }
        // Ties go to the even neighbour: 1 + 2^-8 is halfway between 1 and 1 + 2^-7.
        assertThat(g.grads[2]).isEqualTo(1f);
        assertThat(g.grads[3]).isEqualTo(1.015625f);
    }

    @Test
    void readsVersionOneRecordsOfAnEarlierRun() {
        GradientUpdate in = sample();
        ByteBuffer v1 = ByteBuffer.allocate(24 + 2 * 8 + in.grads.length * 4);
        v1.put(new byte[] {'F', 'R', 'G', 1});
        v1.putLong(in.batchId).putInt(in.producer).putInt(in.rowWidth).putInt(2);
        v1.putLong(7L).putLong(-9L);
        for (float v : in.grads) {
            v1.putFloat(v);
        }
        GradientUpdate g = GradientCodec.decode(v1.array()).value();
        assertThat(g.batchId).isEqualTo(42L);
        assertThat(g.ids).containsExactly(7L, -9L);
        assertThat(g.grads).containsExactly(in.grads);
    }

    @Test
    void rejectsMalformedInputWithAReason() {
        byte[] ok = GradientCodec.encode(sample(), GradientPrecision.BF16);
        assertThat(GradientCodec.decode(new byte[0]).reason()).isEqualTo(InvalidReason.UNDECODABLE);
        assertThat(GradientCodec.decode(Arrays.copyOf(ok, ok.length - 1)).reason())
                .isEqualTo(InvalidReason.UNDECODABLE);
        byte[] badMagic = ok.clone();
        badMagic[0] = 'X';
        assertThat(GradientCodec.decode(badMagic).reason()).isEqualTo(InvalidReason.UNDECODABLE);
        byte[] future = ok.clone();
        future[3] = 9;
        DecodeResult<GradientUpdate> d = GradientCodec.decode(future);
        assertThat(d.reason()).isEqualTo(InvalidReason.UNKNOWN_SCHEMA);
        assertThat(d.detail()).contains("version 9").contains("supports 1 and 2");
        byte[] badPrecision = ok.clone();
        badPrecision[4] = 7;
        assertThat(GradientCodec.decode(badPrecision).detail()).contains("precision code 7");
    }

    @Test
    void denseDeltasRoundTripAndRejectTruncation() {
        DenseDelta delta =
                new DenseDelta(2, 5L, new float[] {1f, -2f, 3.5f}, new float[] {0.5f, 0f, 1f});
        byte[] bytes = DenseDeltaCodec.encode(delta);
        DenseDelta back = DenseDeltaCodec.decode(bytes).value();
        assertThat(back.producer).isEqualTo(2);
        assertThat(back.sequence).isEqualTo(5L);
        assertThat(back.delta).containsExactly(1f, -2f, 3.5f);
        assertThat(DenseDeltaCodec.decode(Arrays.copyOf(bytes, bytes.length - 2)).isValid())
                .isFalse();
    }
}
