package io.freshrank.jobs.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Resolved, validated parameters of the {@link TrafficSimulator}. Immutable. Every parameter has a
 * default (see {@link #defaults()}), a configuration key {@code freshrank.sim.<kebab-name>} (see
 * {@link Builder#set}) and is checked by the compact constructor, whose error messages name the
 * key.
 *
 * <p>The click model (all terms on the logit scale, {@code p = sigmoid(logit)}):
 *
 * <pre>
 * logit = baseLogit + userBias[u] + itemQuality[i](t) + affinity[segment(u)][category(i)]
 *       + latentScale * dot(uVec, iVec) / sqrt(latentDim)
 *       - positionBias * ln(1 + position) + deviceOffset[d]
 *       + (category(i) among the user's recent clicked categories ? recentCategoryBoost : 0)
 *       - itemAgeWeight * ln(1 + itemAgeHours)
 * </pre>
 *
 * where userBias ~ N(0, userBiasStd), itemQuality ~ N(0, itemQualityStd) (then drifting), affinity
 * ~ N(0, affinityStd), deviceOffset ~ N(0, deviceEffectStd) and the latent vectors have N(0, 1)
 * components, so each term's standard deviation is its parameter. The position term is the log-odds
 * version of an examination probability {@code (1 + position)^-positionBias}.
 *
 * @param seed seeds every random choice: equal configs give equal event streams
 * @param users number of users
 * @param items number of items (at least {@code listSize}: a list holds distinct items)
 * @param userSegments number of user segments (the learnable segment x category table's rows)
 * @param itemCategories number of item categories (its columns)
 * @param latentDim dimension of the per-user/per-item latent vectors (0 disables the term)
 * @param itemZipfExponent Zipf exponent of item popularity (how often an item is a candidate)
 * @param userZipfExponent Zipf exponent of user activity (0 = uniform)
 * @param listSize candidates per request, shown at positions 0..listSize-1
 * @param requestsPerSecond mean request rate in event time (Poisson arrivals)
 * @param baseLogit global intercept of the click logit
 * @param userBiasStd std of the per-user logit offset
 * @param itemQualityStd std of the per-item logit offset (stationary under drift)
 * @param affinityStd std of the segment x category affinity table
 * @param latentScale std of the user x item latent term
 * @param positionBias logit offset {@code -positionBias * ln(1 + position)}
 * @param deviceTypes number of device types
 * @param deviceEffectStd std of the per-device logit offset
 * @param recentCategoriesLength how many distinct recently clicked categories a user remembers
 * @param recentCategoryBoost logit boost of an item whose category the user clicked recently
 * @param itemAgeWeight logit penalty per unit of {@code ln(1 + item age in hours)}
 * @param maxInitialItemAgeHours items exist from up to this long before the start (uniform)
 * @param clickDelayMedianMs median click delay after the impression (log-normal)
 * @param clickDelaySigma sigma of the click delay's underlying normal
 * @param likeProbability probability of a like given a click
 * @param likeDelayMedianMs median like delay after the click (log-normal)
 * @param likeDelaySigma sigma of the like delay's underlying normal
 * @param driftStdPerHour item quality drift: a mean-reverting random walk (Ornstein-Uhlenbeck) that
 *     moves an item's quality by about this std per simulated hour while keeping its long-run
 *     distribution N(0, itemQualityStd); must not exceed {@code itemQualityStd * sqrt(60)}
 * @param holdoutFraction fraction of requests whose impressions are marked holdout (scored, never
 *     learned from)
 * @param startTimeMs event time of the stream's start, epoch milliseconds
 */
public record SimulatorConfig(
        long seed,
        int users,
        int items,
        int userSegments,
        int itemCategories,
        int latentDim,
        double itemZipfExponent,
        double userZipfExponent,
        int listSize,
        double requestsPerSecond,
        double baseLogit,
        double userBiasStd,
        double itemQualityStd,
        double affinityStd,
        double latentScale,
        double positionBias,
        int deviceTypes,
        double deviceEffectStd,
        int recentCategoriesLength,
        double recentCategoryBoost,
        double itemAgeWeight,
        double maxInitialItemAgeHours,
        double clickDelayMedianMs,
        double clickDelaySigma,
        double likeProbability,
        double likeDelayMedianMs,
        double likeDelaySigma,
        double driftStdPerHour,
        double holdoutFraction,
        long startTimeMs) {

    /** Prefix of every configuration key. */
    public static final String KEY_PREFIX = "freshrank.sim.";

    /** The drift is applied in steps of this much event time. */
    static final long DRIFT_STEP_MS = 60_000L;

    /** Validates every parameter; messages name the configuration key to change. */
    public SimulatorConfig {
        atLeast("users", users, 1);
        atLeast("items", items, 1);
        atLeast("user-segments", userSegments, 1);
        atLeast("item-categories", itemCategories, 1);
        atLeast("latent-dim", latentDim, 0);
        nonNegative("item-zipf-exponent", itemZipfExponent);
        nonNegative("user-zipf-exponent", userZipfExponent);
        atLeast("list-size", listSize, 1);
        if (items < listSize) {
            throw new IllegalArgumentException(
                    key("items")
                            + " ("
                            + items
                            + ") must be >= "
                            + key("list-size")
                            + " ("
                            + listSize
                            + "): a list shows distinct items");
        }
        positive("requests-per-second", requestsPerSecond);
        finite("base-logit", baseLogit);
        nonNegative("user-bias-std", userBiasStd);
        nonNegative("item-quality-std", itemQualityStd);
        nonNegative("affinity-std", affinityStd);
        nonNegative("latent-scale", latentScale);
        nonNegative("position-bias", positionBias);
        atLeast("device-types", deviceTypes, 1);
        nonNegative("device-effect-std", deviceEffectStd);
        atLeast("recent-categories-length", recentCategoriesLength, 0);
        finite("recent-category-boost", recentCategoryBoost);
        finite("item-age-weight", itemAgeWeight);
        nonNegative("max-initial-item-age-hours", maxInitialItemAgeHours);
        positive("click-delay-median-ms", clickDelayMedianMs);
        nonNegative("click-delay-sigma", clickDelaySigma);
        probability("like-probability", likeProbability);
        positive("like-delay-median-ms", likeDelayMedianMs);
        nonNegative("like-delay-sigma", likeDelaySigma);
        nonNegative("drift-std-per-hour", driftStdPerHour);
        double stepHours = DRIFT_STEP_MS / 3_600_000.0;
        if (driftStdPerHour * driftStdPerHour * stepHours > itemQualityStd * itemQualityStd) {
            throw new IllegalArgumentException(
                    key("drift-std-per-hour")
                            + " ("
                            + driftStdPerHour
                            + ") must be <= "
                            + key("item-quality-std")
                            + " * sqrt(60) = "
                            + itemQualityStd * Math.sqrt(1.0 / stepHours)
                            + ": the drift keeps item quality distributed N(0, item-quality-std)");
        }
        probability("holdout-fraction", holdoutFraction);
        if (startTimeMs < 0) {
            throw new IllegalArgumentException(
                    key("start-time-ms") + " must be >= 0; got " + startTimeMs);
        }
    }

    /**
     * The defaults, tuned so that the click-through rate is about 10%, the oracle AUC about 0.80,
     * and most of the logit's variance comes from terms a factorization model learns from the
     * user_segment x item_category, item_id, user_id, position and device features within ~100k
     * impressions (the per-user x per-item latent term is kept small).
     */
    public static SimulatorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (Map.Entry<String, Param> e : PARAMS.entrySet()) {
            e.getValue().set.accept(b, e.getValue().get(this));
        }
        return b;
    }

    /** This config with another seed. */
    public SimulatorConfig withSeed(long newSeed) {
        return toBuilder().seed(newSeed).build();
    }

    /**
     * A config from {@code freshrank.sim.*} entries (other keys are ignored); missing keys keep
     * their defaults.
     *
     * @throws IllegalArgumentException naming the key when a key under the prefix is unknown or a
     *     value does not parse or validate
     */
    public static SimulatorConfig fromProperties(Map<String, String> properties) {
        Builder b = builder();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getKey().startsWith(KEY_PREFIX)) {
                b.set(e.getKey(), e.getValue());
            }
        }
        return b.build();
    }

    /** Every key with its value in this config, in declaration order. */
    public Map<String, String> toProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : PARAMS.entrySet()) {
            out.put(e.getKey(), e.getValue().get(this));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Every configuration key, in declaration order. */
    public static List<String> keys() {
        return List.copyOf(new ArrayList<>(PARAMS.keySet()));
    }

    private static String key(String name) {
        return KEY_PREFIX + name;
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key(name) + " must be >= " + min + "; got " + value);
        }
    }

    private static void finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(key(name) + " must be finite; got " + value);
        }
    }

    private static void nonNegative(String name, double value) {
        if (!(value >= 0.0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(
                    key(name) + " must be finite and >= 0; got " + value);
        }
    }

    private static void positive(String name, double value) {
        if (!(value > 0.0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(key(name) + " must be finite and > 0; got " + value);
        }
    }

    private static void probability(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(key(name) + " must be in [0, 1]; got " + value);
        }
    }

    /** One parameter: how to read it from a config and write it to a builder, as a string. */
    private record Param(
            Function<SimulatorConfig, Object> getter, BiConsumer<Builder, String> set) {
        String get(SimulatorConfig c) {
            return String.valueOf(getter.apply(c));
        }
    }

    private static final Map<String, Param> PARAMS = params();

    private static Map<String, Param> params() {
        Map<String, Param> m = new LinkedHashMap<>();
        m.put(key("seed"), new Param(SimulatorConfig::seed, (b, v) -> b.seed(Long.parseLong(v))));
        m.put(key("users"), new Param(SimulatorConfig::users, (b, v) -> b.users(parseInt(v))));
        m.put(key("items"), new Param(SimulatorConfig::items, (b, v) -> b.items(parseInt(v))));
        m.put(
                key("user-segments"),
                new Param(SimulatorConfig::userSegments, (b, v) -> b.userSegments(parseInt(v))));
        m.put(
                key("item-categories"),
                new Param(
                        SimulatorConfig::itemCategories, (b, v) -> b.itemCategories(parseInt(v))));
        m.put(
                key("latent-dim"),
                new Param(SimulatorConfig::latentDim, (b, v) -> b.latentDim(parseInt(v))));
        m.put(
                key("item-zipf-exponent"),
                new Param(
                        SimulatorConfig::itemZipfExponent,
                        (b, v) -> b.itemZipfExponent(parseDouble(v))));
        m.put(
                key("user-zipf-exponent"),
                new Param(
                        SimulatorConfig::userZipfExponent,
                        (b, v) -> b.userZipfExponent(parseDouble(v))));
        m.put(
                key("list-size"),
                new Param(SimulatorConfig::listSize, (b, v) -> b.listSize(parseInt(v))));
        m.put(
                key("requests-per-second"),
                new Param(
                        SimulatorConfig::requestsPerSecond,
                        (b, v) -> b.requestsPerSecond(parseDouble(v))));
        m.put(
                key("base-logit"),
                new Param(SimulatorConfig::baseLogit, (b, v) -> b.baseLogit(parseDouble(v))));
        m.put(
                key("user-bias-std"),
                new Param(SimulatorConfig::userBiasStd, (b, v) -> b.userBiasStd(parseDouble(v))));
        m.put(
                key("item-quality-std"),
                new Param(
                        SimulatorConfig::itemQualityStd,
                        (b, v) -> b.itemQualityStd(parseDouble(v))));
        m.put(
                key("affinity-std"),
                new Param(SimulatorConfig::affinityStd, (b, v) -> b.affinityStd(parseDouble(v))));
        m.put(
                key("latent-scale"),
                new Param(SimulatorConfig::latentScale, (b, v) -> b.latentScale(parseDouble(v))));
        m.put(
                key("position-bias"),
                new Param(SimulatorConfig::positionBias, (b, v) -> b.positionBias(parseDouble(v))));
        m.put(
                key("device-types"),
                new Param(SimulatorConfig::deviceTypes, (b, v) -> b.deviceTypes(parseInt(v))));
        m.put(
                key("device-effect-std"),
                new Param(
                        SimulatorConfig::deviceEffectStd,
                        (b, v) -> b.deviceEffectStd(parseDouble(v))));
        m.put(
                key("recent-categories-length"),
                new Param(
                        SimulatorConfig::recentCategoriesLength,
                        (b, v) -> b.recentCategoriesLength(parseInt(v))));
        m.put(
                key("recent-category-boost"),
                new Param(
                        SimulatorConfig::recentCategoryBoost,
                        (b, v) -> b.recentCategoryBoost(parseDouble(v))));
        m.put(
                key("item-age-weight"),
                new Param(
                        SimulatorConfig::itemAgeWeight, (b, v) -> b.itemAgeWeight(parseDouble(v))));
        m.put(
                key("max-initial-item-age-hours"),
                new Param(
                        SimulatorConfig::maxInitialItemAgeHours,
                        (b, v) -> b.maxInitialItemAgeHours(parseDouble(v))));
        m.put(
                key("click-delay-median-ms"),
                new Param(
                        SimulatorConfig::clickDelayMedianMs,
                        (b, v) -> b.clickDelayMedianMs(parseDouble(v))));
        m.put(
                key("click-delay-sigma"),
                new Param(
                        SimulatorConfig::clickDelaySigma,
                        (b, v) -> b.clickDelaySigma(parseDouble(v))));
        m.put(
                key("like-probability"),
                new Param(
                        SimulatorConfig::likeProbability,
                        (b, v) -> b.likeProbability(parseDouble(v))));
        m.put(
                key("like-delay-median-ms"),
                new Param(
                        SimulatorConfig::likeDelayMedianMs,
                        (b, v) -> b.likeDelayMedianMs(parseDouble(v))));
        m.put(
                key("like-delay-sigma"),
                new Param(
                        SimulatorConfig::likeDelaySigma,
                        (b, v) -> b.likeDelaySigma(parseDouble(v))));
        m.put(
                key("drift-std-per-hour"),
                new Param(
                        SimulatorConfig::driftStdPerHour,
                        (b, v) -> b.driftStdPerHour(parseDouble(v))));
        m.put(
                key("holdout-fraction"),
                new Param(
                        SimulatorConfig::holdoutFraction,
                        (b, v) -> b.holdoutFraction(parseDouble(v))));
        m.put(
                key("start-time-ms"),
                new Param(
                        SimulatorConfig::startTimeMs, (b, v) -> b.startTimeMs(Long.parseLong(v))));
        return Collections.unmodifiableMap(m);
    }

    private static int parseInt(String v) {
        return Integer.parseInt(v.trim());
    }

    private static double parseDouble(String v) {
        return Double.parseDouble(v.trim());
    }

    /**
     * Collects parameters; starts from the defaults. {@link #build()} validates. Not thread-safe.
     */
    public static final class Builder {
        private long seed = 42L;
        private int users = 2000;
        private int items = 1000;
        private int userSegments = 8;
        private int itemCategories = 20;
        private int latentDim = 4;
        private double itemZipfExponent = 1.1;
        private double userZipfExponent = 0.5;
        private int listSize = 10;
        private double requestsPerSecond = 20.0;
        private double baseLogit = -1.45;
        private double userBiasStd = 0.4;
        private double itemQualityStd = 0.6;
        private double affinityStd = 0.8;
        private double latentScale = 0.3;
        private double positionBias = 0.7;
        private int deviceTypes = 3;
        private double deviceEffectStd = 0.2;
        private int recentCategoriesLength = 3;
        private double recentCategoryBoost = 0.3;
        private double itemAgeWeight = 0.1;
        private double maxInitialItemAgeHours = 168.0;
        private double clickDelayMedianMs = 8_000.0;
        private double clickDelaySigma = 1.0;
        private double likeProbability = 0.3;
        private double likeDelayMedianMs = 15_000.0;
        private double likeDelaySigma = 1.0;
        private double driftStdPerHour = 0.1;
        private double holdoutFraction = 0.0;
        // 2025-01-01T00:00:00Z: a fixed default keeps streams reproducible.
        private long startTimeMs = 1_735_689_600_000L;

        private Builder() {}

        /**
         * Sets a parameter by its configuration key ({@code freshrank.sim.<name>}).
         *
         * @throws IllegalArgumentException naming the key when it is unknown or the value does not
         *     parse
         */
        public Builder set(String key, String value) {
            Param p = PARAMS.get(key);
            if (p == null) {
                throw new IllegalArgumentException(
                        "unknown simulator key '" + key + "'; known keys: " + PARAMS.keySet());
            }
            try {
                p.set.accept(this, value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        String.format(Locale.ROOT, "%s: cannot parse '%s' as a number", key, value),
                        e);
            }
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder users(int v) {
            users = v;
            return this;
        }

        public Builder items(int v) {
            items = v;
            return this;
        }

        public Builder userSegments(int v) {
            userSegments = v;
            return this;
        }

        public Builder itemCategories(int v) {
            itemCategories = v;
            return this;
        }

        public Builder latentDim(int v) {
            latentDim = v;
            return this;
        }

        public Builder itemZipfExponent(double v) {
            itemZipfExponent = v;
            return this;
        }

        public Builder userZipfExponent(double v) {
            userZipfExponent = v;
            return this;
        }

        public Builder listSize(int v) {
            listSize = v;
            return this;
        }

        public Builder requestsPerSecond(double v) {
            requestsPerSecond = v;
            return this;
        }

        public Builder baseLogit(double v) {
            baseLogit = v;
            return this;
        }

        public Builder userBiasStd(double v) {
            userBiasStd = v;
            return this;
        }

        public Builder itemQualityStd(double v) {
            itemQualityStd = v;
            return this;
        }

        public Builder affinityStd(double v) {
            affinityStd = v;
            return this;
        }

        public Builder latentScale(double v) {
            latentScale = v;
            return this;
        }

        public Builder positionBias(double v) {
            positionBias = v;
            return this;
        }

        public Builder deviceTypes(int v) {
            deviceTypes = v;
            return this;
        }

        public Builder deviceEffectStd(double v) {
            deviceEffectStd = v;
            return this;
        }

        public Builder recentCategoriesLength(int v) {
            recentCategoriesLength = v;
            return this;
        }

        public Builder recentCategoryBoost(double v) {
            recentCategoryBoost = v;
            return this;
        }

        public Builder itemAgeWeight(double v) {
            itemAgeWeight = v;
            return this;
        }

        public Builder maxInitialItemAgeHours(double v) {
            maxInitialItemAgeHours = v;
            return this;
        }

        public Builder clickDelayMedianMs(double v) {
            clickDelayMedianMs = v;
            return this;
        }

        public Builder clickDelaySigma(double v) {
            clickDelaySigma = v;
            return this;
        }

        public Builder likeProbability(double v) {
            likeProbability = v;
            return this;
        }

        public Builder likeDelayMedianMs(double v) {
            likeDelayMedianMs = v;
            return this;
        }

        public Builder likeDelaySigma(double v) {
            likeDelaySigma = v;
            return this;
        }

        public Builder driftStdPerHour(double v) {
            driftStdPerHour = v;
            return this;
        }

        public Builder holdoutFraction(double v) {
            holdoutFraction = v;
            return this;
        }

        public Builder startTimeMs(long v) {
            startTimeMs = v;
            return this;
        }

        /** Validates and builds; see {@link SimulatorConfig#SimulatorConfig}. */
        public SimulatorConfig build() {
            return new SimulatorConfig(
                    seed,
                    users,
                    items,
                    userSegments,
                    itemCategories,
                    latentDim,
                    itemZipfExponent,
                    userZipfExponent,
                    listSize,
                    requestsPerSecond,
                    baseLogit,
                    userBiasStd,
                    itemQualityStd,
                    affinityStd,
                    latentScale,
                    positionBias,
                    deviceTypes,
                    deviceEffectStd,
                    recentCategoriesLength,
                    recentCategoryBoost,
                    itemAgeWeight,
                    maxInitialItemAgeHours,
                    clickDelayMedianMs,
                    clickDelaySigma,
                    likeProbability,
                    likeDelayMedianMs,
                    likeDelaySigma,
                    driftStdPerHour,
                    holdoutFraction,
                    startTimeMs);
        }
    }
}
