package io.freshrank.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing, validation, layout and hashing of {@link FeatureSpec}. */
class FeatureSpecTest {

    /** JSON written with single quotes for readability. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** A spec named "test" with the given slot objects (single-quoted JSON). */
    private static String spec(String... slots) {
        return json(
                "{'name': 'test', 'slots': ["
                        + Stream.of(slots).collect(Collectors.joining(", "))
                        + "]}");
    }

    private static void assertRejected(String specJson, String... messageParts) {
        assertThatThrownBy(() -> FeatureSpec.fromJson(specJson))
                .as("spec %s", specJson)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(messageParts);
    }

    // ---- the simulator spec -------------------------------------------------------------------

    @Test
    void simulatorSpecLoadsWithEmbeddedSlotsInDeclarationOrder() {
        FeatureSpec spec = FeatureSpec.simulator();

        assertThat(spec.name()).isEqualTo("simulator");
        assertThat(spec.embeddedSlots())
                .extracting(SlotSpec::name)
                .containsExactly(
                        "user_id",
                        "item_id",
                        "user_segment",
                        "item_category",
                        "position",
                        "device",
                        "recent_categories");
        assertThat(spec.embeddedSlots())
                .extracting(SlotSpec::id)
                .containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(spec.embeddedSlots()).allMatch(SlotSpec::embedded);
        assertThat(spec.slot("recent_categories").kind()).isEqualTo(SlotKind.SEQUENCE);
        assertThat(spec.numericSlots())
                .extracting(SlotSpec::name)
                .containsExactly("item_age_hours");
        assertThat(spec.numericSlots().get(0).embedded()).isFalse();
        assertThat(spec.uniformDim()).isEqualTo(8);
    }

    @Test
    void simulatorSlotsCarryDeclaredValuesAndDefaults() {
        FeatureSpec spec = FeatureSpec.simulator();

        SlotSpec user = spec.slot("user_id");
        assertThat(user.id()).isEqualTo(1);
        assertThat(user.kind()).isEqualTo(SlotKind.CATEGORICAL);
        assertThat(user.dim()).isEqualTo(8);
        assertThat(user.admissionThreshold()).isEqualTo(1);
        assertThat(user.idleExpiry()).isEqualTo(Duration.ofHours(24));
        assertThat(user.optimizer().type()).isEqualTo("ADAGRAD");
        assertThat(user.optimizer().learningRate()).isEqualTo(0.08f);
        assertThat(user.optimizer().initialAccumulator()).isEqualTo(0.1f);
        assertThat(user.optimizer().l2()).isEqualTo(OptimizerSpec.DEFAULT.l2());

        SlotSpec segment = spec.slot("user_segment");
        assertThat(segment.idleExpiry()).isEqualTo(Duration.ofDays(7));
        assertThat(segment.admissionThreshold()).as("default admission").isEqualTo(1);
        assertThat(segment.optimizer()).isEqualTo(OptimizerSpec.DEFAULT);
        assertThat(segment.admissionProbability()).as("default admission probability").isOne();
        assertThat(segment.initStddev()).as("default init stddev").isEqualTo(0.01f);
        assertThat(segment.clipNorm()).as("default clip norm (off)").isZero();

        SlotSpec age = spec.slot("item_age_hours");
        assertThat(age.id()).isEqualTo(8);
        assertThat(age.kind()).isEqualTo(SlotKind.NUMERIC);
        assertThat(age.dim()).as("default dim of a numeric slot").isEqualTo(1);
        assertThat(age.idleExpiry()).as("default idle expiry").isEqualTo(Duration.ofDays(7));
    }

    @Test
    void slotOfFindsTheEmbeddedSlotByIdPrefix() {
        FeatureSpec spec = FeatureSpec.simulator();

        for (SlotSpec slot : spec.embeddedSlots()) {
            assertThat(spec.slotOf(FeatureHasher.featureId(slot.id(), "some value")))
                    .isEqualTo(slot);
            assertThat(spec.slotOf(FeatureHasher.missingId(slot.id()))).isEqualTo(slot);
        }
        assertThat(spec.slotOf(FeatureHasher.featureId(8, "x")))
                .as("numeric slots have no feature ids")
                .isNull();
        assertThat(spec.slotOf(FeatureHasher.featureId(200, "x"))).isNull();
    }

    @Test
    void anUnknownSlotNameIsRejectedByName() {
        assertThatThrownBy(() -> FeatureSpec.simulator().slot("no_such_slot"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("no_such_slot", "simulator");
    }

    @Test
    void kindIsCaseInsensitiveAndDefaultsToCategorical() {
        FeatureSpec spec =
                FeatureSpec.fromJson(
                        spec(
                                "{'id': 1, 'name': 'a'}",
                                "{'id': 2, 'name': 's', 'kind': 'sequence'}",
                                "{'id': 3, 'name': 'n', 'kind': 'Numeric'}"));

        assertThat(spec.slot("a").kind()).isEqualTo(SlotKind.CATEGORICAL);
        assertThat(spec.slot("a").dim()).as("default dim of an embedded slot").isEqualTo(8);
        assertThat(spec.slot("s").kind()).isEqualTo(SlotKind.SEQUENCE);
        assertThat(spec.slot("n").kind()).isEqualTo(SlotKind.NUMERIC);
    }

    @Test
    void slotIdsOneAnd255AreAccepted() {
        FeatureSpec spec =
                FeatureSpec.fromJson(
                        spec("{'id': 1, 'name': 'low'}", "{'id': 255, 'name': 'high'}"));

        assertThat(spec.slot("high").id()).isEqualTo(255);
        assertThat(spec.slotOf(FeatureHasher.featureId(255, "v")).name()).isEqualTo("high");
    }

    @Test
    void loadReadsAFileAndFailsOnAMissingOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("spec.json");
        Files.writeString(file, spec("{'id': 1, 'name': 'a'}"), StandardCharsets.UTF_8);

        assertThat(FeatureSpec.load(file).slot("a").id()).isEqualTo(1);
        assertThatThrownBy(() -> FeatureSpec.load(dir.resolve("missing.json")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("missing.json");
        assertThatThrownBy(() -> FeatureSpec.fromResource("no/such/spec.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no/such/spec.json");
    }

    // ---- hash ---------------------------------------------------------------------------------

    @Test
    void hashIsStableForTheSameJson() {
        String text =
                spec(
                        "{'id': 1, 'name': 'a', 'dim': 8}",
                        "{'id': 2, 'name': 'n', 'kind': 'NUMERIC'}");

        String hash = FeatureSpec.fromJson(text).hash();

        assertThat(hash).matches("[0-9a-f]{64}");
        assertThat(FeatureSpec.fromJson(text).hash()).isEqualTo(hash);
        assertThat(FeatureSpec.simulator().hash()).isEqualTo(FeatureSpec.simulator().hash());
    }

    @Test
    void hashIgnoresWhitespace() {
        String compact = json("{'name':'test','slots':[{'id':1,'name':'a','dim':8}]}");
        String spaced =
                json(
                        "{\n  'name' : 'test',\n  'slots' : [ { 'id' : 1, 'name' : 'a', 'dim' : 8 } ]\n}\n");

        assertThat(FeatureSpec.fromJson(spaced).toJson()).isEqualTo(compact);
        assertThat(FeatureSpec.fromJson(spaced).hash())
                .isEqualTo(FeatureSpec.fromJson(compact).hash());
    }

    @Test
    void hashChangesWhenAValueChanges() {
        String base =
                FeatureSpec.fromJson(
                                spec(
                                        "{'id': 1, 'name': 'a', 'dim': 8, 'optimizer': {'learningRate': 0.05}}",
                                        "{'id': 2, 'name': 'b', 'dim': 8}"))
                        .hash();

        for (String changed :
                new String[] {
                    spec(
                            "{'id': 1, 'name': 'a', 'dim': 16, 'optimizer': {'learningRate': 0.05}}",
                            "{'id': 2, 'name': 'b', 'dim': 8}"),
                    spec(
                            "{'id': 1, 'name': 'a', 'dim': 8, 'optimizer': {'learningRate': 0.06}}",
                            "{'id': 2, 'name': 'b', 'dim': 8}"),
                    spec(
                            "{'id': 1, 'name': 'a', 'dim': 8, 'optimizer': {'learningRate': 0.05}}",
                            "{'id': 3, 'name': 'b', 'dim': 8}"),
                    spec(
                            "{'id': 2, 'name': 'b', 'dim': 8}",
                            "{'id': 1, 'name': 'a', 'dim': 8, 'optimizer': {'learningRate': 0.05}}")
                }) {
            assertThat(FeatureSpec.fromJson(changed).hash())
                    .as("hash of %s", changed)
                    .isNotEqualTo(base);
        }
    }

    // ---- validation ---------------------------------------------------------------------------

    @Test
    void aDuplicateSlotIdIsRejected() {
        assertRejected(
                spec("{'id': 2, 'name': 'a'}", "{'id': 2, 'name': 'b'}"),
                "slot id 2",
                "'a'",
                "'b'");
    }

    @Test
    void aDuplicateSlotNameIsRejected() {
        assertRejected(
                spec("{'id': 1, 'name': 'a'}", "{'id': 2, 'name': 'a'}"), "slot name 'a'", "twice");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 256, -1})
    void aSlotIdOutside1To255IsRejected(int id) {
        assertRejected(
                spec("{'id': " + id + ", 'name': 'a'}"),
                "slot 'a'",
                "\"id\"",
                "1..255",
                "got " + id);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"{'name': 'a'}", "{'id': 'two', 'name': 'a'}", "{'id': null, 'name': 'a'}"})
    void aMissingOrNonIntegerSlotIdIsRejected(String slot) {
        assertRejected(spec(slot), "slot 'a'", "\"id\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'id': 1}", "{'id': 1, 'name': ''}", "{'id': 1, 'name': '  '}"})
    void aSlotWithoutNameIsRejected(String slot) {
        assertRejected(spec(slot), "\"name\"");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -8, 1025})
    void aDimOutside1To1024IsRejected(int dim) {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'dim': " + dim + "}"),
                "slot 'a'",
                "\"dim\"",
                "got " + dim);
    }

    @Test
    void anAdmissionThresholdBelowOneIsRejected() {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'admissionThreshold': 0}"),
                "slot 'a'",
                "\"admissionThreshold\"",
                "got 0");
    }

    @Test
    void anIdleExpiryThatIsNotAnIsoDurationIsRejected() {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'idleExpiry': 'forever'}"),
                "slot 'a'",
                "\"idleExpiry\"",
                "PT24H");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "-PT1H"})
    void aNonPositiveIdleExpiryIsRejected(String expiry) {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'idleExpiry': '" + expiry + "'}"),
                "slot 'a'",
                "\"idleExpiry\"",
                "positive");
    }

    @Test
    void anUnknownKindIsRejected() {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'kind': 'EMBEDDING'}"),
                "slot 'a'",
                "\"kind\"",
                "CATEGORICAL, SEQUENCE or NUMERIC");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{'learningRate': 0}",
                "{'learningRate': -0.1}",
                "{'initialAccumulator': 0}",
                "{'l2': -1}"
            })
    void anOptimizerWithOutOfRangeValuesIsRejected(String optimizer) {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'optimizer': " + optimizer + "}"),
                "slot 'a'",
                "optimizer",
                optimizer.substring(2, optimizer.indexOf('\'', 2)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftrl", "ADAM", "Adagrad"})
    void supportedOptimizerTypesAreAcceptedInAnyCase(String type) {
        FeatureSpec spec =
                FeatureSpec.fromJson(
                        spec("{'id': 1, 'name': 'a', 'optimizer': {'type': '" + type + "'}}"));

        assertThat(spec.slot("a").optimizer().type()).isEqualTo(type.toUpperCase(Locale.ROOT));
    }

    @Test
    void anUnknownOptimizerTypeIsRejected() {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'optimizer': {'type': 'sgd'}}"),
                "slot 'a'",
                "\"type\"",
                "SGD",
                "ADAGRAD");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{'type': 'ADAM', 'beta1': 1}",
                "{'type': 'ADAM', 'beta2': -0.5}",
                "{'type': 'ADAM', 'epsilon': 0}",
                "{'type': 'FTRL', 'l1': -1}",
                "{'type': 'FTRL', 'beta': -1}"
            })
    void optimizerHyperParametersOutOfRangeAreRejected(String optimizer) {
        String field =
                optimizer.substring(optimizer.indexOf(", '") + 3, optimizer.lastIndexOf('\''));
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'optimizer': " + optimizer + "}"),
                "slot 'a'",
                "optimizer",
                field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1.5", "-1"})
    void anAdmissionProbabilityOutside0To1IsRejected(String p) {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'admissionProbability': " + p + "}"),
                "slot 'a'",
                "\"admissionProbability\"");
    }

    @Test
    void aNegativeInitStddevIsRejected() {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'initStddev': -0.1}"), "slot 'a'", "\"initStddev\"");
    }

    @Test
    void aNegativeClipNormIsRejected() {
        assertRejected(spec("{'id': 1, 'name': 'a', 'clipNorm': -1}"), "slot 'a'", "\"clipNorm\"");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{'name': 'empty', 'slots': []}",
                "{'name': 'empty'}",
                "{'name': 'empty', 'slots': {}}"
            })
    void aSpecWithoutSlotsIsRejected(String specJson) {
        assertRejected(json(specJson), "'empty'", "\"slots\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'name': ", "not json at all", "{'slots': [}"})
    void nonJsonInputIsRejected(String text) {
        assertRejected(json(text), "not valid JSON");
    }

    @Test
    void anUnknownSlotPropertyIsRejected() {
        assertRejected(spec("{'id': 1, 'name': 'a', 'dimm': 16}"), "slot 'a'", "\"dimm\"");
    }

    @Test
    void anUnknownOptimizerPropertyIsRejected() {
        assertRejected(
                spec("{'id': 1, 'name': 'a', 'optimizer': {'learningrate': 0.1}}"),
                "slot 'a'",
                "optimizer",
                "\"learningrate\"");
    }

    @Test
    void anUnknownTopLevelPropertyIsRejected() {
        assertRejected(
                json("{'name': 'test', 'slot': [{'id': 1, 'name': 'a'}]}"), "'test'", "\"slot\"");
    }

    // ---- uniformDim ---------------------------------------------------------------------------

    @Test
    void uniformDimNamesBothSlotsWhenDimsDiffer() {
        FeatureSpec spec =
                FeatureSpec.fromJson(
                        spec(
                                "{'id': 1, 'name': 'user_id', 'dim': 8}",
                                "{'id': 2, 'name': 'n', 'kind': 'NUMERIC', 'dim': 3}",
                                "{'id': 3, 'name': 'item_id', 'dim': 16}"));

        assertThatThrownBy(spec::uniformDim)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("'user_id'", "'item_id'", "dim 16", "8");
    }

    @Test
    void uniformDimIgnoresNumericSlots() {
        FeatureSpec spec =
                FeatureSpec.fromJson(
                        spec(
                                "{'id': 1, 'name': 'a', 'dim': 4}",
                                "{'id': 2, 'name': 'n', 'kind': 'NUMERIC', 'dim': 1}",
                                "{'id': 3, 'name': 's', 'kind': 'SEQUENCE', 'dim': 4}"));

        assertThat(spec.uniformDim()).isEqualTo(4);
    }
}
