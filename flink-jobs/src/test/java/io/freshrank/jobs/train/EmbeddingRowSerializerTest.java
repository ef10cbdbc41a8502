package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class EmbeddingRowSerializerTest {
    private final EmbeddingRowSerializer serializer = EmbeddingRowSerializer.INSTANCE;

    @Test
    void roundTripsEveryFieldBitExactly() throws IOException {
        EmbeddingRow row =
                new EmbeddingRow(
                        new float[] {0.5f, -0f, Float.MIN_VALUE, 1e30f},
                        new float[] {0.1f, 7f},
                        123_456_789_012L,
                        -5L);
        EmbeddingRow back = roundTrip(row);
        assertThat(back.vector).containsExactly(row.vector);
        assertThat(Float.floatToRawIntBits(back.vector[1])).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(back.optimizerState).containsExactly(row.optimizerState);
        assertThat(back.count).isEqualTo(row.count);
        assertThat(back.lastUpdateMs).isEqualTo(row.lastUpdateMs);
    }

    @Test
    void copiesThroughViewsAndDeeply() throws IOException {
        EmbeddingRow row = new EmbeddingRow(new float[] {1, 2, 3}, new float[] {4}, 2, 9);
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(row, out);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());

        EmbeddingRow copy = serializer.copy(row);
        copy.vector[0] = 42;
        assertThat(row.vector[0]).isEqualTo(1f);
    }

    @Test
    void rejectsCorruptLengthsInsteadOfAllocating() {
        DataOutputSerializer out = new DataOutputSerializer(32);
        assertThatThrownBy(
                        () -> {
                            out.writeInt(Integer.MAX_VALUE);
                            out.writeInt(0);
                            out.writeLong(0);
                            out.writeLong(0);
                            serializer.deserialize(
                                    new DataInputDeserializer(out.getCopyOfBuffer()));
                        })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt embedding row");
    }

    @Test
    void snapshotRestoresACompatibleSerializer() {
        TypeSerializer<EmbeddingRow> restored =
                serializer.snapshotConfiguration().restoreSerializer();
        assertThat(restored).isEqualTo(serializer);
        assertThat(
                        serializer
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(serializer.snapshotConfiguration())
                                .isCompatibleAsIs())
                .isTrue();
    }

    private EmbeddingRow roundTrip(EmbeddingRow row) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        serializer.serialize(row, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
