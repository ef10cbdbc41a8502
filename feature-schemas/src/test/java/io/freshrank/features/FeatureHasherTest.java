package io.freshrank.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Feature ids: MurmurHash3 against Guava's reference, slot prefix, missing id, collisions. */
class FeatureHasherTest {
    private static final HashFunction GUAVA_MURMUR = Hashing.murmur3_128(0);
    private static final long HASH_MASK = (1L << 56) - 1;
    private static final List<String> VALUES =
            List.of("a", "u42", "item-123456", "Zürich", "日本語", "🙂", " ", "0", "null");

    @Test
    void murmur3x64MatchesGuavaForEveryLengthUpTo64() {
        Random random = new Random(1234L);
        for (int length = 0; length <= 64; length++) {
            for (int trial = 0; trial < 200; trial++) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                assertThat(FeatureHasher.murmur3x64(data))
                        .as("murmur3x64 of %s", HexFormat.of().formatHex(data))
                        .isEqualTo(GUAVA_MURMUR.hashBytes(data).asLong());
            }
        }
    }

    @Test
    void murmur3x64MatchesGuavaForLongInputs() {
        Random random = new Random(99L);
        for (int length : new int[] {127, 128, 129, 1000, 4096 + 7}) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            assertThat(FeatureHasher.murmur3x64(data))
                    .as("murmur3x64 of %d random bytes", length)
                    .isEqualTo(GUAVA_MURMUR.hashBytes(data).asLong());
        }
    }

    @Test
    void featureIdIsSlotThenLow56BitsOfTheUtf8Hash() {
        for (String v : VALUES) {
            long hash = GUAVA_MURMUR.hashString(v, StandardCharsets.UTF_8).asLong() & HASH_MASK;
            assertThat(hash).as("hash of '%s' is the reserved zero", v).isNotZero();
            for (int slot : new int[] {1, 7, 128, 255}) {
                assertThat(FeatureHasher.featureId(slot, v))
                        .as("featureId(%d, '%s')", slot, v)
                        .isEqualTo(((long) slot << 56) | hash);
            }
        }
    }

    @Test
    void featureIdPutsTheSlotIdInTheTop8Bits() {
        for (int slot = 1; slot <= FeatureHasher.MAX_SLOT_ID; slot++) {
            for (String v : VALUES) {
                long id = FeatureHasher.featureId(slot, v);
                assertThat(id >>> 56)
                        .as("top byte of featureId(%d, '%s')", slot, v)
                        .isEqualTo(slot);
                assertThat(FeatureHasher.slotId(id))
                        .as("slotId(featureId(%d, '%s'))", slot, v)
                        .isEqualTo(slot);
            }
            assertThat(FeatureHasher.slotId(FeatureHasher.missingId(slot))).isEqualTo(slot);
        }
    }

    @Test
    void theSameValueInTwoSlotsGetsDifferentIds() {
        for (String v : VALUES) {
            Set<Long> ids = new HashSet<>();
            for (int slot = 1; slot <= FeatureHasher.MAX_SLOT_ID; slot++) {
                assertThat(ids.add(FeatureHasher.featureId(slot, v)))
                        .as("featureId(%d, '%s') already used by another slot", slot, v)
                        .isTrue();
            }
        }
    }

    @Test
    void theEmptyStringWhoseHashIsZeroGetsHashBitsOneNotTheMissingId() {
        assertThat(FeatureHasher.murmur3x64(new byte[0])).as("murmur3 of no bytes").isZero();

        for (int slot : new int[] {1, 42, 255}) {
            assertThat(FeatureHasher.featureId(slot, ""))
                    .isEqualTo(((long) slot << 56) | 1L)
                    .isNotEqualTo(FeatureHasher.missingId(slot));
        }
    }

    @Test
    void missingIdIsSlotWithZeroHashBits() {
        assertThat(FeatureHasher.missingId(1)).isEqualTo(1L << 56);
        assertThat(FeatureHasher.missingId(255)).isEqualTo(0xFF00_0000_0000_0000L);
        assertThat(FeatureHasher.missingId(255) & HASH_MASK).isZero();
    }

    @Test
    void missingIdIsNeverProducedForAPresentValue() {
        Random random = new Random(5L);
        for (int i = 0; i < 100_000; i++) {
            int slot = 1 + random.nextInt(FeatureHasher.MAX_SLOT_ID);
            String v = Long.toString(random.nextLong(), 36);
            long id = FeatureHasher.featureId(slot, v);
            assertThat(id & HASH_MASK).as("hash bits of featureId(%d, '%s')", slot, v).isNotZero();
            assertThat(id).isNotEqualTo(FeatureHasher.missingId(slot));
        }
        for (String v : VALUES) {
            assertThat(FeatureHasher.featureId(3, v)).isNotEqualTo(FeatureHasher.missingId(3));
        }
    }

    @Test
    void aMillionDistinctValuesInOneSlotDoNotCollide() {
        int n = 1_000_000;
        Set<Long> ids = new HashSet<>(2 * n);
        for (int i = 0; i < n; i++) {
            long id = FeatureHasher.featureId(9, "item-" + i);
            if (!ids.add(id)) {
                throw new AssertionError(
                        "collision: 'item-" + i + "' has the id " + id + " of an earlier value");
            }
        }
        assertThat(ids).hasSize(n).doesNotContain(FeatureHasher.missingId(9));
    }

    @Test
    void featureIdIsDeterministic() {
        assertThat(FeatureHasher.featureId(2, "u42")).isEqualTo(FeatureHasher.featureId(2, "u42"));
        assertThat(FeatureHasher.featureId(2, "u42"))
                .isNotEqualTo(FeatureHasher.featureId(2, "u43"));
    }
}
