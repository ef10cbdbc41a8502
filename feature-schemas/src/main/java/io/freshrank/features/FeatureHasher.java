package io.freshrank.features;

import java.nio.charset.StandardCharsets;

/**
 * Maps (slot, raw value) to a 64-bit feature id: slot id in the top 8 bits, the low 56 bits of
 * MurmurHash3 x64-128 (seed 0, first half) of the value's UTF-8 bytes below. Id {@code slot << 56}
 * (hash bits all zero) is reserved for "value missing" and never produced for a present value.
 * Pure, stateless, thread-safe.
 */
public final class FeatureHasher {
    public static final int MAX_SLOT_ID = 255;
    private static final int HASH_BITS = 56;
    private static final long HASH_MASK = (1L << HASH_BITS) - 1;
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private FeatureHasher() {}

    /** The feature id of {@code raw} in slot {@code slotId}. */
    public static long featureId(int slotId, String raw) {
        checkSlot(slotId);
        long h = murmur3x64(raw.getBytes(StandardCharsets.UTF_8)) & HASH_MASK;
        if (h == 0) {
            h = 1; // keep the all-zero hash reserved for "missing"
        }
        return ((long) slotId << HASH_BITS) | h;
    }

    /** The id that stands for "no value" in slot {@code slotId}; it learns like any other row. */
    public static long missingId(int slotId) {
        checkSlot(slotId);
        return (long) slotId << HASH_BITS;
    }

    private static void checkSlot(int slotId) {
        if (slotId < 1 || slotId > MAX_SLOT_ID) {
            throw new IllegalArgumentException("slot id must be in 1..255, got " + slotId);
        }
    }

    /** The slot id in the top 8 bits of a feature id. */
    public static int slotId(long featureId) {
        return (int) (featureId >>> HASH_BITS);
    }

    /**
     * First 64 bits of MurmurHash3 x64-128 with seed 0 (Austin Appleby's reference implementation).
     */
    @SuppressWarnings("fallthrough") // the reference tail switch falls through by design
    static long murmur3x64(byte[] data) {
        int len = data.length;
        int nblocks = len / 16;
        long h1 = 0;
        long h2 = 0;
        for (int i = 0; i < nblocks; i++) {
            long k1 = getLong(data, i * 16);
            long k2 = getLong(data, i * 16 + 8);
            k1 *= C1;
            k1 = Long.rotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            k2 *= C2;
            k2 = Long.rotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        long k1 = 0;
        long k2 = 0;
        int tail = nblocks * 16;
        switch (len & 15) {
            case 15:
                k2 ^= ((long) data[tail + 14] & 0xff) << 48;
            // fall through
            case 14:
                k2 ^= ((long) data[tail + 13] & 0xff) << 40;
            // fall through
            case 13:
                k2 ^= ((long) data[tail + 12] & 0xff) << 32;
            // fall through
            case 12:
                k2 ^= ((long) data[tail + 11] & 0xff) << 24;
            // fall through
            case 11:
                k2 ^= ((long) data[tail + 10] & 0xff) << 16;
            // fall through
            case 10:
                k2 ^= ((long) data[tail + 9] & 0xff) << 8;
            // fall through
            case 9:
                k2 ^= ((long) data[tail + 8] & 0xff);
                k2 *= C2;
                k2 = Long.rotateLeft(k2, 33);
                k2 *= C1;
                h2 ^= k2;
            // fall through
            case 8:
                k1 ^= ((long) data[tail + 7] & 0xff) << 56;
            // fall through
            case 7:
                k1 ^= ((long) data[tail + 6] & 0xff) << 48;
            // fall through
            case 6:
                k1 ^= ((long) data[tail + 5] & 0xff) << 40;
            // fall through
            case 5:
                k1 ^= ((long) data[tail + 4] & 0xff) << 32;
            // fall through
            case 4:
                k1 ^= ((long) data[tail + 3] & 0xff) << 24;
            // fall through
            case 3:
                k1 ^= ((long) data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                k1 ^= ((long) data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                k1 ^= ((long) data[tail] & 0xff);
                k1 *= C1;
                k1 = Long.rotateLeft(k1, 31);
                k1 *= C2;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= len;
        h2 ^= len;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        return h1;
    }

    private static long getLong(byte[] b, int i) {
        return ((long) b[i] & 0xff)
                | (((long) b[i + 1] & 0xff) << 8)
                | (((long) b[i + 2] & 0xff) << 16)
                | (((long) b[i + 3] & 0xff) << 24)
                | (((long) b[i + 4] & 0xff) << 32)
                | (((long) b[i + 5] & 0xff) << 40)
                | (((long) b[i + 6] & 0xff) << 48)
                | (((long) b[i + 7] & 0xff) << 56);
    }

    /**
     * MurmurHash3's 64-bit finalizer (Appleby): a bijection whose low bits depend on every input
     * bit. Also used to spread ids in hash tables and sketches.
     */
    public static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
