package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.InvalidReason;
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
    void roundTrips() {
        DecodeResult<GradientUpdate> d = GradientCodec.decode(GradientCodec.encode(sample()));
        assertThat(d.isValid()).isTrue();
        GradientUpdate g = d.value();
        assertThat(g.batchId).isEqualTo(42L);
        assertThat(g.producer).isEqualTo(1);
        assertThat(g.rowWidth).isEqualTo(3);
        assertThat(g.ids).containsExactly(7L, -9L);
        assertThat(g.grads).containsExactly(sample().grads);
    }

    @Test
    void rejectsMalformedInputWithAReason() {
        byte[] ok = GradientCodec.encode(sample());
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
        assertThat(d.detail()).contains("version 9").contains("supports 1");
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
