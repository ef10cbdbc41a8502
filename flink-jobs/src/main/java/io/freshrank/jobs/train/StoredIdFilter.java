package io.freshrank.jobs.train;

import io.freshrank.features.FeatureHasher;
import java.util.ArrayList;
import java.util.List;

/**
 * Which ids may have an entry in a shard's {@link RowStore}: a Bloom filter that never answers "no"
 * for an id that was {@linkplain #add added}, so a shard can skip the store read (a RocksDB point
 * lookup through Flink keyed state, about 4-5 us) for ids that were never written: ids seen for the
 * first time, and ids still below their admission threshold, which would otherwise read the store
 * at every occurrence.
 *
 * <p><b>Layout.</b> A split-block Bloom filter (Putze, Sanders and Singler 2007; the layout of
 * Parquet's and Impala's filters): a 64-bit hash picks a block of eight 32-bit words, and sets one
 * bit in each word, so an add or a query touches one 32-byte block. At {@value #BITS_PER_ID} bits
 * per id about 1% of never-added ids answer "maybe".
 *
 * <p><b>Growth.</b> A scalable Bloom filter (Almeida et al. 2007): when the newest stage holds its
 * capacity, a stage for twice as many ids, with {@value #EXTRA_BITS_PER_STAGE} more bits per id, is
 * added; queries ask every stage. Each stage's false-positive rate is about a third of the previous
 * one's, so all stages together stay under about 1.6%. Adding an id the filter already answers
 * "maybe" for changes nothing, so rewriting the same hot rows at every checkpoint does not grow it.
 * Ids are never removed (a removed row only costs a wasted read); {@link #withCapacity} with the
 * store's current keys rebuilds a tight filter.
 *
 * <p>Not thread-safe; not checkpointed (a shard rebuilds it from its keyed state on restore).
 */
public final class StoredIdFilter {
    /** Filter bits per id at a stage's capacity. */
    static final int BITS_PER_ID = 10;

    /** Bits per id each new stage adds over the previous one. */
    static final int EXTRA_BITS_PER_STAGE = 2;

    private static final int WORDS_PER_BLOCK = 8;
    private static final int MIN_BLOCKS = 64;

    /** Odd constants that spread a 32-bit hash over the eight words (Parquet's SBBF salts). */
    private static final int[] SALT = {
        0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d,
        0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31
    };

    private final List<Stage> stages = new ArrayList<>();

    private StoredIdFilter(long capacity) {
        stages.add(new Stage(capacity, BITS_PER_ID));
    }

    /** An empty filter whose first stage holds {@code expectedIds} ids at full precision. */
    public static StoredIdFilter withCapacity(long expectedIds) {
        return new StoredIdFilter(Math.max(expectedIds, 1));
    }

    /** Records that {@code id} may have a stored entry. */
    public void add(long id) {
        long h = FeatureHasher.fmix64(id);
        if (containsHash(h)) {
            return;
        }
        Stage last = stages.get(stages.size() - 1);
        if (last.count >= last.capacity) {
            last = new Stage(last.capacity * 2, last.bitsPerId + EXTRA_BITS_PER_STAGE);
            stages.add(last);
        }
        last.set(h);
    }

    /** False only if {@code id} was never added (since the last rebuild). */
    public boolean mightContain(long id) {
        return containsHash(FeatureHasher.fmix64(id));
    }

    private boolean containsHash(long h) {
        for (int i = stages.size() - 1; i >= 0; i--) {
            if (stages.get(i).test(h)) {
                return true;
            }
        }
        return false;
    }

    /** Heap bytes of the filter's bit arrays. */
    public long bytes() {
        long b = 0;
        for (Stage s : stages) {
            b += 4L * s.words.length;
        }
        return b;
    }

    /** Stages (1 until the first stage fills up). */
    public int stages() {
        return stages.size();
    }

    /** Ids that set at least one new bit: distinct ids added, less about 1% false positives. */
    public long size() {
        long n = 0;
        for (Stage s : stages) {
            n += s.count;
        }
        return n;
    }

    private static final class Stage {
        final long capacity;
        final int bitsPerId;
        final int[] words;
        final int blockMask;
        long count;

        Stage(long capacity, int bitsPerId) {
            long blocks = Long.highestOneBit(Math.max(capacity * bitsPerId / 256, MIN_BLOCKS));
            if (blocks * 256 < capacity * bitsPerId) {
                blocks <<= 1;
            }
            if (blocks * WORDS_PER_BLOCK > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(
                        "stored-id filter stage too large for " + capacity + " ids");
            }
            this.capacity = blocks * 256 / bitsPerId;
            this.bitsPerId = bitsPerId;
            this.words = new int[(int) blocks * WORDS_PER_BLOCK];
            this.blockMask = (int) blocks - 1;
        }

        /** The block from the hash's high bits; the bits from its low 32 bits and the salts. */
        void set(long h) {
            int base = ((int) (h >>> 32) & blockMask) * WORDS_PER_BLOCK;
            int key = (int) h;
            for (int i = 0; i < WORDS_PER_BLOCK; i++) {
                words[base + i] |= 1 << ((key * SALT[i]) >>> 27);
            }
            count++;
        }

        boolean test(long h) {
            int base = ((int) (h >>> 32) & blockMask) * WORDS_PER_BLOCK;
            int key = (int) h;
            for (int i = 0; i < WORDS_PER_BLOCK; i++) {
                if ((words[base + i] & (1 << ((key * SALT[i]) >>> 27))) == 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
