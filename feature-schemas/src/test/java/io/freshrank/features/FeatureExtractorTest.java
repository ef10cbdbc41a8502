package io.freshrank.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshrank.schema.avro.Features;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Raw features to {@link FeatureVector}: ids per embedded slot, numerics in spec order. */
class FeatureExtractorTest {
    /** Embedded slots user (1), recent (2), item (4); numerics age (3), price (5), interleaved. */
    private static final FeatureSpec SPEC =
            FeatureSpec.fromJson(
                    ("{'name': 'extractor-test', 'slots': ["
                                    + "{'id': 1, 'name': 'user', 'kind': 'CATEGORICAL'},"
                                    + "{'id': 2, 'name': 'recent', 'kind': 'SEQUENCE'},"
                                    + "{'id': 3, 'name': 'age', 'kind': 'NUMERIC'},"
                                    + "{'id': 4, 'name': 'item', 'kind': 'CATEGORICAL'},"
                                    + "{'id': 5, 'name': 'price', 'kind': 'NUMERIC'}]}")
                            .replace('\'', '"'));

    private static final int USER = 0;
    private static final int RECENT = 1;
    private static final int ITEM = 2;
    private static final int AGE = 0;
    private static final int PRICE = 1;

    private final FeatureExtractor extractor = new FeatureExtractor(SPEC);

    private static void assertSameVector(FeatureVector actual, FeatureVector expected) {
        assertThat(actual.ids()).isDeepEqualTo(expected.ids());
        assertThat(actual.numeric()).containsExactly(expected.numeric());
    }

    @Test
    void vectorLayoutFollowsTheSpec() {
        FeatureVector v = extractor.extract(Map.of(), Map.of(), Map.of());

        assertThat(extractor.spec()).isSameAs(SPEC);
        assertThat(v.ids()).hasNumberOfRows(3);
        assertThat(v.numeric()).hasSize(2);
    }

    @Test
    void aPresentCategoricalValueBecomesItsFeatureId() {
        FeatureVector v =
                extractor.extract(Map.of("user", "u42", "item", "i7"), Map.of(), Map.of());

        assertThat(v.ids()[USER]).containsExactly(FeatureHasher.featureId(1, "u42"));
        assertThat(v.ids()[ITEM]).containsExactly(FeatureHasher.featureId(4, "i7"));
    }

    @Test
    void anAbsentCategoricalValueBecomesTheMissingId() {
        FeatureVector v = extractor.extract(Map.of("user", "u42"), Map.of(), Map.of());

        assertThat(v.ids()[ITEM]).containsExactly(FeatureHasher.missingId(4));
    }

    @Test
    void aSequenceGivesOneIdPerValueInOrder() {
        FeatureVector v =
                extractor.extract(Map.of(), Map.of("recent", List.of("sports", "news")), Map.of());

        assertThat(v.ids()[RECENT])
                .containsExactly(
                        FeatureHasher.featureId(2, "sports"), FeatureHasher.featureId(2, "news"));
    }

    @Test
    void repeatedSequenceValuesAreKept() {
        FeatureVector v =
                extractor.extract(Map.of(), Map.of("recent", List.of("news", "news")), Map.of());

        assertThat(v.ids()[RECENT]).hasSize(2).containsOnly(FeatureHasher.featureId(2, "news"));
    }

    @Test
    void anEmptyOrAbsentSequenceGivesNoIds() {
        assertThat(extractor.extract(Map.of(), Map.of("recent", List.of()), Map.of()).ids()[RECENT])
                .isEmpty();
        assertThat(extractor.extract(Map.of(), Map.of(), Map.of()).ids()[RECENT]).isEmpty();
    }

    @Test
    void numericValuesArePresentOrZero() {
        FeatureVector v = extractor.extract(Map.of(), Map.of(), Map.of("age", 12.5f));

        assertThat(v.numeric()[AGE]).isEqualTo(12.5f);
        assertThat(v.numeric()[PRICE]).as("absent numeric").isZero();
    }

    @Test
    void nonFiniteNumericValuesBecomeZero() {
        Map<String, Float> numeric = new HashMap<>();
        numeric.put("age", Float.NaN);
        numeric.put("price", Float.POSITIVE_INFINITY);

        FeatureVector v = extractor.extract(Map.of(), Map.of(), numeric);

        assertThat(v.numeric()).containsExactly(0f, 0f);
    }

    @Test
    void nullMapsMeanEverythingIsAbsent() {
        FeatureVector v = extractor.extract(null, null, null);

        assertThat(v.ids()[USER]).containsExactly(FeatureHasher.missingId(1));
        assertThat(v.ids()[RECENT]).isEmpty();
        assertThat(v.ids()[ITEM]).containsExactly(FeatureHasher.missingId(4));
        assertThat(v.numeric()).containsExactly(0f, 0f);
    }

    @Test
    void unknownSlotNamesAreIgnored() {
        FeatureVector known =
                extractor.extract(
                        Map.of("user", "u42"),
                        Map.of("recent", List.of("news")),
                        Map.of("age", 3f));

        FeatureVector withUnknown =
                extractor.extract(
                        Map.of("user", "u42", "country", "DE"),
                        Map.of("recent", List.of("news"), "clicked", List.of("a", "b")),
                        Map.of("age", 3f, "ctr", 0.5f));

        assertSameVector(withUnknown, known);
    }

    @Test
    void aValueInTheMapOfAnotherKindIsIgnored() {
        FeatureVector v =
                extractor.extract(
                        Map.of("recent", "news", "age", "3"),
                        Map.of("user", List.of("u42")),
                        Map.of("item", 1f));

        assertThat(v.ids()[USER]).containsExactly(FeatureHasher.missingId(1));
        assertThat(v.ids()[RECENT]).isEmpty();
        assertThat(v.ids()[ITEM]).containsExactly(FeatureHasher.missingId(4));
        assertThat(v.numeric()).containsExactly(0f, 0f);
    }

    @Test
    void extractFromFeaturesEqualsExtractFromMaps() {
        Map<String, String> categorical = Map.of("user", "u42", "item", "i7", "other", "x");
        Map<String, List<String>> sequences = Map.of("recent", List.of("sports", "news"));
        Map<String, Float> numeric = Map.of("price", 9.5f, "age", 1.25f);
        Features features =
                Features.newBuilder()
                        .setCategorical(categorical)
                        .setSequences(sequences)
                        .setNumeric(numeric)
                        .build();

        FeatureVector fromMaps = extractor.extract(categorical, sequences, numeric);

        assertSameVector(extractor.extract(features), fromMaps);
        assertThat(fromMaps.numeric()).containsExactly(1.25f, 9.5f);
    }

    @Test
    void theSimulatorSpecExtractsEveryEmbeddedSlot() {
        FeatureExtractor simulator = new FeatureExtractor(FeatureSpec.simulator());

        FeatureVector v =
                simulator.extract(
                        Map.of("user_id", "u1", "item_id", "i1", "device", "ios"),
                        Map.of("recent_categories", List.of("a", "b", "c")),
                        Map.of("item_age_hours", 5f));

        assertThat(v.ids()).hasNumberOfRows(7);
        for (int s = 0; s < 7; s++) {
            SlotSpec slot = simulator.spec().embeddedSlots().get(s);
            for (long id : v.ids()[s]) {
                assertThat(FeatureHasher.slotId(id)).as("slot of ids[%d]", s).isEqualTo(slot.id());
            }
        }
        assertThat(v.ids()[6]).hasSize(3);
        assertThat(v.numeric()).containsExactly(5f);
    }
}
