package io.freshrank.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Semantic checks of {@link EventValidator} on decoded impressions and actions. */
class EventValidatorTest {
    private static final long MIN = EventValidator.DEFAULT_MIN_TIME_MS;
    private static final long MAX = EventValidator.DEFAULT_MAX_TIME_MS;

    private final EventValidator validator = EventValidator.defaults();

    private static Impression.Builder impression() {
        return Impression.newBuilder(SampleEvents.impression());
    }

    private static Action.Builder action() {
        return Action.newBuilder(SampleEvents.action());
    }

    private static Features withNumeric(String name, float value) {
        Map<String, Float> numeric = new LinkedHashMap<>(SampleEvents.features().getNumeric());
        numeric.put(name, value);
        return Features.newBuilder(SampleEvents.features()).setNumeric(numeric).build();
    }

    private static void assertInvalid(
            DecodeResult<?> result, InvalidReason reason, String... detailParts) {
        assertThat(result.isValid()).as("result %s", result).isFalse();
        assertThat(result.reason()).as("result %s", result).isEqualTo(reason);
        assertThat(result.detail()).as("result %s", result).contains(detailParts);
    }

    @Test
    void defaultRangeIsTheYears2000To2100() {
        assertThat(MIN).isEqualTo(Instant.parse("2000-01-01T00:00:00Z").toEpochMilli());
        assertThat(MAX).isEqualTo(Instant.parse("2100-01-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void anEmptyTimeRangeIsRejected() {
        assertThatThrownBy(() -> new EventValidator(MAX, MIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> new EventValidator(MIN, MIN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- impressions --------------------------------------------------------------------------

    @Test
    void aValidImpressionPasses() {
        Impression imp = SampleEvents.impression();

        DecodeResult<Impression> result = validator.check(imp);

        assertThat(result.isValid()).as("result %s", result).isTrue();
        assertThat(result.value()).isSameAs(imp);
    }

    @Test
    void anImpressionWithoutOptionalFieldsPasses() {
        Impression imp = impression().setOracleProbability(null).setHoldout(false).build();

        assertThat(validator.check(imp).isValid()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void aBlankImpressionIdIsMissing(String id) {
        assertInvalid(
                validator.check(impression().setImpressionId(id).build()),
                InvalidReason.MISSING_FIELD,
                "Impression.impressionId");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void aBlankRequestIdIsMissing(String id) {
        assertInvalid(
                validator.check(impression().setRequestId(id).build()),
                InvalidReason.MISSING_FIELD,
                "Impression.requestId");
    }

    @Test
    void aNegativePositionIsInvalid() {
        assertInvalid(
                validator.check(impression().setPosition(-1).build()),
                InvalidReason.INVALID_VALUE,
                "Impression.position",
                "-1");
        assertThat(validator.check(impression().setPosition(0).build()).isValid()).isTrue();
    }

    @Test
    void impressionTimeOutsideTheRangeIsRejected() {
        for (long t : new long[] {MIN - 1, MAX + 1, 0L, -1L, Long.MAX_VALUE, 1_700_000_000L}) {
            assertInvalid(
                    validator.check(impression().setEventTimeMs(t).build()),
                    InvalidReason.TIME_OUT_OF_RANGE,
                    "Impression.eventTimeMs=" + t);
        }
    }

    @Test
    void impressionTimeRangeIsInclusive() {
        assertThat(validator.check(impression().setEventTimeMs(MIN).build()).isValid()).isTrue();
        assertThat(validator.check(impression().setEventTimeMs(MAX).build()).isValid()).isTrue();
    }

    @Test
    void aCustomTimeRangeIsApplied() {
        EventValidator narrow = new EventValidator(1_000L, 2_000L);

        assertThat(narrow.check(impression().setEventTimeMs(1_500L).build()).isValid()).isTrue();
        assertInvalid(
                narrow.check(impression().setEventTimeMs(2_001L).build()),
                InvalidReason.TIME_OUT_OF_RANGE,
                "[1000, 2000]");
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void aNonFiniteNumericFeatureIsNamed(float value) {
        Impression imp = impression().setFeatures(withNumeric("ctr_7d", value)).build();

        assertInvalid(
                validator.check(imp), InvalidReason.NON_FINITE, "'ctr_7d'", String.valueOf(value));
    }

    @Test
    void extremeButFiniteNumericFeaturesPass() {
        Impression imp = impression().setFeatures(withNumeric("big", Float.MAX_VALUE)).build();

        assertThat(validator.check(imp).isValid()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(floats = {1.5f, -0.1f, Float.NaN, Float.POSITIVE_INFINITY})
    void anOracleProbabilityOutsideTheUnitIntervalIsInvalid(float p) {
        DecodeResult<Impression> result =
                validator.check(impression().setOracleProbability(p).build());

        assertInvalid(
                result,
                Float.isFinite(p) ? InvalidReason.INVALID_VALUE : InvalidReason.NON_FINITE,
                "Impression.oracleProbability");
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.5f, 1f})
    void anOracleProbabilityInTheUnitIntervalPasses(float p) {
        assertThat(validator.check(impression().setOracleProbability(p).build()).isValid())
                .isTrue();
    }

    // ---- actions --------------------------------------------------------------------------------

    @Test
    void aValidActionPasses() {
        Action action = SampleEvents.action();

        DecodeResult<Action> result = validator.check(action);

        assertThat(result.isValid()).as("result %s", result).isTrue();
        assertThat(result.value()).isSameAs(action);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void aBlankActionIdIsMissing(String id) {
        assertInvalid(
                validator.check(action().setActionId(id).build()),
                InvalidReason.MISSING_FIELD,
                "Action.actionId");
    }

    @Test
    void anActionWithoutImpressionIdIsMissing() {
        assertInvalid(
                validator.check(action().setImpressionId("").build()),
                InvalidReason.MISSING_FIELD,
                "Action.impressionId");
    }

    @Test
    void actionTimeOutsideTheRangeIsRejected() {
        for (long t : new long[] {MIN - 1, MAX + 1}) {
            assertInvalid(
                    validator.check(action().setEventTimeMs(t).build()),
                    InvalidReason.TIME_OUT_OF_RANGE,
                    "Action.eventTimeMs=" + t);
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void aNonFiniteActionValueIsInvalid(float value) {
        assertInvalid(
                validator.check(action().setValue(value).build()),
                InvalidReason.NON_FINITE,
                "Action.value",
                String.valueOf(value));
    }

    // ---- DecodeResult -------------------------------------------------------------------------

    @Test
    void anInvalidResultHasNoValue() {
        DecodeResult<Action> invalid = DecodeResult.invalid(InvalidReason.LATE, "too late");

        assertThat(invalid.isValid()).isFalse();
        assertThat(invalid.toString()).contains("LATE", "too late");
        assertThatThrownBy(invalid::value)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("LATE");
        assertThatThrownBy(() -> DecodeResult.valid(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DecodeResult.invalid(null, "x"))
                .isInstanceOf(NullPointerException.class);
    }
}
