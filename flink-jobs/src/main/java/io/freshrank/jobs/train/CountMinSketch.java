package io.freshrank.jobs.train;

import io.freshrank.features.FeatureHasher;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Counts occurrences of feature ids that are not admitted yet, in fixed memory: a Count-Min sketch
 * (Cormode and Muthukrishnan, "An improved data stream summary: the count-min sketch and its
 * applications", J. Algorithms 55(1), 2005) with conservative update (Estan and Varghese, "New
 * directions in traffic measurement and accounting", SIGCOMM 2002). A shard admits an id once its
 * estimate reaches the admission threshold, so a row is created only for ids seen often enough.
 *
 * <p><b>Guarantee.</b> {@link #estimate} never underestimates the count added for an id (until
 * {@link #halve} ages it or a counter saturates at {@code Integer.MAX_VALUE}); with {@code width w}
 * and {@code depth d}, the overestimate exceeds {@code e * N / w} with probability at most {@code
 * e^-d}, N being the total count added. Conservative update raises only the counters below the new
 * estimate, which keeps that bound and is never worse than the plain update.
 *
 * <p><b>Hashing.</b> Row {@code r} maps an id to column {@code fastrange(fmix64((id ^ a_r) * b_r),
 * width)} (Murmur3's finalizer; {@code a_r}, odd {@code b_r} drawn from {@code seed} by a
 * SplitMix64-style generator). The hash is part of the serialized format: changing it needs a new
 * format version.
 *
 * <p><b>Format</b> ({@link #toBytes}), version 1, big-endian: {@code 'F' 'R' 'S' 0x01}, width
 * (int), depth (int), seed (long), then {@code depth * width} counters (int, row-major).
 *
 * <p>Not thread-safe: one instance per operator subtask, used from the task thread only.
 */
public final class CountMinSketch {
    public static final byte CURRENT_VERSION = 1;
    private static final byte[] MAGIC = {'F', 'R', 'S'};

    /** magic + version, width, depth, seed. */
    static final int HEADER_BYTES = 4 + 4 + 4 + 8;

    /** At most this many counters, so {@link #toBytes} fits in one array. */
    static final int MAX_COUNTERS = (Integer.MAX_VALUE - 8 - HEADER_BYTES) / 4;

    private final int width;
    private final int depth;
    private final long seed;
    private final long[] rowXor;
    private final long[] rowMul;

    /** depth rows of width counters, row-major. */
    private final int[] counters;

    /** Counter indices of the id being added, one per row. */
    private final int[] scratch;

    /**
     * @param width counters per row, >= 1; the overestimate is about {@code e * N / width}
     * @param depth rows (independent hashes), >= 1; the bound fails with probability {@code e^-d}
     * @param seed derives the per-row hashes; sketches merge only with the same seed
     */
    public CountMinSketch(int width, int depth, long seed) {
        this(width, depth, seed, null);
    }

    private CountMinSketch(int width, int depth, long seed, int[] counters) {
        if (width < 1) {
            throw new IllegalArgumentException("sketch width must be >= 1, got " + width);
        }
        if (depth < 1) {
            throw new IllegalArgumentException("sketch depth must be >= 1, got " + depth);
        }
        if ((long) width * depth > MAX_COUNTERS) {
            throw new IllegalArgumentException(
                    "sketch width * depth = "
                            + (long) width * depth
                            + " exceeds "
                            + MAX_COUNTERS
                            + " counters; lower width or depth");
        }
        this.width = width;
        this.depth = depth;
        this.seed = seed;
        this.rowXor = new long[depth];
        this.rowMul = new long[depth];
        long state = seed;
        for (int r = 0; r < depth; r++) {
            state += 0x9e3779b97f4a7c15L;
            rowXor[r] = FeatureHasher.fmix64(state);
            state += 0x9e3779b97f4a7c15L;
            rowMul[r] = FeatureHasher.fmix64(state) | 1L;
        }
        this.counters = counters != null ? counters : new int[width * depth];
        this.scratch = new int[depth];
    }

    /**
     * The widest sketch of {@code depth} rows whose counters take at most {@code maxBytes}.
     *
     * @throws IllegalArgumentException if {@code maxBytes} holds less than one column
     */
    public static CountMinSketch withMaxBytes(long maxBytes, int depth, long seed) {
        if (depth < 1) {
            throw new IllegalArgumentException("sketch depth must be >= 1, got " + depth);
        }
        long width = Math.min(maxBytes / (4L * depth), MAX_COUNTERS / depth);
        if (width < 1) {
            throw new IllegalArgumentException(
                    "maxBytes "
                            + maxBytes
                            + " is below one column of depth "
                            + depth
                            + " ("
                            + 4L * depth
                            + " bytes); raise maxBytes or lower depth");
        }
        return new CountMinSketch((int) width, depth, seed);
    }

    /**
     * Adds {@code count} occurrences of {@code id} with conservative update: the new estimate is
     * {@code min(estimate + count, Integer.MAX_VALUE)}, and only counters below it are raised to
     * it.
     *
     * @return the new estimate of {@code id}
     */
    public int add(long id, int count) {
        if (count < 0) {
            throw new IllegalArgumentException(
                    "count must be >= 0 (a Count-Min sketch cannot subtract), got " + count);
        }
        int min = Integer.MAX_VALUE;
        for (int r = 0; r < depth; r++) {
            int i = index(id, r);
            scratch[r] = i;
            min = Math.min(min, counters[i]);
        }
        int target = saturatingAdd(min, count);
        for (int r = 0; r < depth; r++) {
            int i = scratch[r];
            if (counters[i] < target) {
                counters[i] = target;
            }
        }
        return target;
    }

    /**
     * Plain Count-Min update (every row's counter += count). The reference the conservative update
     * is measured against, and the update under which {@link #merge} equals the sketch of the
     * concatenated stream.
     *
     * @return the new estimate of {@code id}
     */
    int addPlain(long id, int count) {
        if (count < 0) {
            throw new IllegalArgumentException(
                    "count must be >= 0 (a Count-Min sketch cannot subtract), got " + count);
        }
        int min = Integer.MAX_VALUE;
        for (int r = 0; r < depth; r++) {
            int i = index(id, r);
            counters[i] = saturatingAdd(counters[i], count);
            min = Math.min(min, counters[i]);
        }
        return min;
    }

    /** The estimated count of {@code id}: at least what was added, see the class comment. */
    public int estimate(long id) {
        int min = Integer.MAX_VALUE;
        for (int r = 0; r < depth; r++) {
            min = Math.min(min, counters[index(id, r)]);
        }
        return min;
    }

    /**
     * Ages the sketch: every counter {@code >>>= 1}, so every estimate becomes {@code estimate >>>
     * 1}. Called periodically, it lets ids that stopped occurring be forgotten.
     */
    public void halve() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] >>>= 1;
        }
    }

    /**
     * Adds {@code other}'s counters to this sketch's, saturating at {@code Integer.MAX_VALUE}, e.g.
     * to combine the sketches of subtasks on rescale. Estimates stay at least the counts added to
     * either sketch. With plain updates the result equals the sketch of the concatenated streams;
     * with conservative updates it lies between the true counts and that plain sketch (conservative
     * update is not linear, so it is not bitwise the conservative sketch of the concatenation).
     *
     * @throws IllegalArgumentException unless both have the same width, depth and seed
     */
    public void merge(CountMinSketch other) {
        Objects.requireNonNull(other, "other");
        if (other.width != width || other.depth != depth || other.seed != seed) {
            throw new IllegalArgumentException(
                    "cannot merge a sketch of width "
                            + other.width
                            + ", depth "
                            + other.depth
                            + ", seed "
                            + other.seed
                            + " into one of width "
                            + width
                            + ", depth "
                            + depth
                            + ", seed "
                            + seed
                            + ": all three must be equal");
        }
        for (int i = 0; i < counters.length; i++) {
            counters[i] = saturatingAdd(counters[i], other.counters[i]);
        }
    }

    /**
     * Element-wise maximum with {@code other} (same shape and seed). Used on restore, where every
     * shard subtask receives every old subtask's sketch: an id's counts live in its owner's sketch,
     * so the maximum never undercounts it, and unlike a sum it does not compound with every
     * restore.
     */
    public void mergeMax(CountMinSketch other) {
        Objects.requireNonNull(other, "other");
        if (other.width != width || other.depth != depth || other.seed != seed) {
            throw new IllegalArgumentException(
                    "cannot merge sketches of different width, depth or seed: "
                            + other.width
                            + "x"
                            + other.depth
                            + "/"
                            + other.seed
                            + " vs "
                            + width
                            + "x"
                            + depth
                            + "/"
                            + seed);
        }
        for (int i = 0; i < counters.length; i++) {
            counters[i] = Math.max(counters[i], other.counters[i]);
        }
    }

    public int width() {
        return width;
    }

    public int depth() {
        return depth;
    }

    public long seed() {
        return seed;
    }

    /** Heap bytes of the counters ({@code 4 * width * depth}); {@link #toBytes} adds a header. */
    public long bytes() {
        return 4L * counters.length;
    }

    /** The sketch in the format of the class comment (version {@link #CURRENT_VERSION}). */
    public byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + 4 * counters.length);
        buf.put(MAGIC).put(CURRENT_VERSION);
        buf.putInt(width).putInt(depth).putLong(seed);
        buf.asIntBuffer().put(counters);
        return buf.array();
    }

    /**
     * Reads {@link #toBytes} output.
     *
     * @throws IllegalArgumentException if the bytes are not a sketch (magic), of a version this
     *     reader does not support, truncated, longer than their header says, or corrupt
     */
    public static CountMinSketch fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < 4) {
            throw new IllegalArgumentException(
                    "truncated count-min sketch: "
                            + bytes.length
                            + " bytes, shorter than its 4-byte magic and version");
        }
        if (bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1] || bytes[2] != MAGIC[2]) {
            throw new IllegalArgumentException(
                    String.format(
                            "not a count-min sketch: magic bytes are 0x%02x%02x%02x, expected"
                                    + " 'FRS' (0x465253)",
                            bytes[0], bytes[1], bytes[2]));
        }
        int version = bytes[3] & 0xff;
        if (version != CURRENT_VERSION) {
            throw new IllegalArgumentException(
                    "count-min sketch format version "
                            + version
                            + " is not supported by this reader (supports version "
                            + CURRENT_VERSION
                            + ")");
        }
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException(
                    "truncated count-min sketch: "
                            + bytes.length
                            + " bytes, shorter than its "
                            + HEADER_BYTES
                            + "-byte header");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
        int width = buf.getInt();
        int depth = buf.getInt();
        long seed = buf.getLong();
        if (width < 1 || depth < 1 || (long) width * depth > MAX_COUNTERS) {
            throw new IllegalArgumentException(
                    "corrupt count-min sketch header: width " + width + ", depth " + depth);
        }
        long expected = HEADER_BYTES + 4L * width * depth;
        if (bytes.length != expected) {
            throw new IllegalArgumentException(
                    (bytes.length < expected ? "truncated" : "oversized")
                            + " count-min sketch: "
                            + bytes.length
                            + " bytes, width "
                            + width
                            + " x depth "
                            + depth
                            + " needs "
                            + expected);
        }
        int[] counters = new int[width * depth];
        buf.asIntBuffer().get(counters);
        for (int i = 0; i < counters.length; i++) {
            if (counters[i] < 0) {
                throw new IllegalArgumentException(
                        "corrupt count-min sketch: counter " + i + " is negative");
            }
        }
        return new CountMinSketch(width, depth, seed, counters);
    }

    private int index(long id, int row) {
        long h = FeatureHasher.fmix64((id ^ rowXor[row]) * rowMul[row]);
        // Lemire's fast range: maps the top 32 bits uniformly onto [0, width).
        return row * width + (int) (((h >>> 32) * width) >>> 32);
    }

    private static int saturatingAdd(int a, int b) {
        long sum = (long) a + b;
        return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
    }
}
