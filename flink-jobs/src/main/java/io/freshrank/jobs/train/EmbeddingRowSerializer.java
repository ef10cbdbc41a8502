package io.freshrank.jobs.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The keyed-state format of an {@link EmbeddingRow}: {@code int vectorLength, int stateLength, long
 * count, long lastUpdateMs}, then the vector's and the optimizer state's floats as one block of
 * big-endian IEEE 754 bits. Rows go through RocksDB on every cache miss, eviction and
 * pre-checkpoint flush; Flink's POJO serializer writes field tags and each float with its own call,
 * this writes the floats as one block.
 *
 * <p>Changing this format is a state migration: bump {@link Snapshot}'s version.
 */
public final class EmbeddingRowSerializer extends TypeSerializerSingleton<EmbeddingRow> {
    private static final long serialVersionUID = 1L;

    public static final EmbeddingRowSerializer INSTANCE = new EmbeddingRowSerializer();

    /** Rows longer than this are corrupt input, not rows (guards the array allocation). */
    static final int MAX_FLOATS = 1 << 20;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public EmbeddingRow createInstance() {
        return new EmbeddingRow(new float[0], new float[0], 0, 0);
    }

    @Override
    public EmbeddingRow copy(EmbeddingRow from) {
        return new EmbeddingRow(
                from.vector.clone(), from.optimizerState.clone(), from.count, from.lastUpdateMs);
    }

    @Override
    public EmbeddingRow copy(EmbeddingRow from, EmbeddingRow reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(EmbeddingRow row, DataOutputView target) throws IOException {
        int v = row.vector.length;
        int s = row.optimizerState.length;
        target.writeInt(v);
        target.writeInt(s);
        target.writeLong(row.count);
        target.writeLong(row.lastUpdateMs);
        ByteBuffer buf = ByteBuffer.allocate(4 * (v + s));
        buf.asFloatBuffer().put(row.vector).put(row.optimizerState);
        target.write(buf.array());
    }

    @Override
    public EmbeddingRow deserialize(DataInputView source) throws IOException {
        int v = source.readInt();
        int s = source.readInt();
        if (v < 0 || s < 0 || v > MAX_FLOATS || s > MAX_FLOATS) {
            throw new IOException("corrupt embedding row: lengths " + v + ", " + s);
        }
        long count = source.readLong();
        long lastUpdate = source.readLong();
        byte[] bytes = new byte[4 * (v + s)];
        source.readFully(bytes);
        float[] vector = new float[v];
        float[] state = new float[s];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(vector).get(state);
        return new EmbeddingRow(vector, state, count, lastUpdate);
    }

    @Override
    public EmbeddingRow deserialize(EmbeddingRow reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<EmbeddingRow> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer; a new row format needs a new version here. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EmbeddingRow> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
