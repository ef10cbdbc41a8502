package io.freshrank.jobs.sim;

import io.freshrank.metrics.AucCalculator;
import io.freshrank.metrics.LogLoss;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Features;
import io.freshrank.schema.avro.Impression;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Synthetic ranking traffic with a known click model: users and items with biases and latent
 * factors, a learnable segment x category affinity table, Zipf item popularity, position bias,
 * log-normal click and like delays and drifting item quality (the model is documented on {@link
 * SimulatorConfig}). Every impression carries its true click probability as {@code
 * oracleProbability}, so evaluation can report the best AUC any model could reach.
 *
 * <p>The stream: requests arrive as a Poisson process at {@code requestsPerSecond} of event time;
 * each picks a user, a device and {@code listSize} distinct candidates by item popularity, shown at
 * positions 0..listSize-1 in the order drawn (independent of relevance, so position effects are
 * identifiable). A click is drawn with the true probability and happens after a log-normal delay; a
 * like follows a click with {@code likeProbability} after its own delay. Delayed actions wait in a
 * priority queue and are merged in, so {@link #next()} returns events in non-decreasing event time
 * (ties in generation order). The user's {@code recent_categories} feature is updated when a click
 * is emitted, so features only ever see clicks that already happened.
 *
 * <p>Identifiers: request {@code req-<n>}, impression {@code req-<n>-<position>}, actions {@code
 * req-<n>-<position>-click} and {@code ...-like} (at most one of each per impression). Raw feature
 * values are {@code u<k>}, {@code i<k>}, {@code s<k>}, {@code c<k>}, {@code d<k>} and the position
 * as a decimal string.
 *
 * <p>Pure and deterministic: equal configs (and request limits) give equal event sequences; no
 * clock, no I/O. Not thread-safe. Memory is proportional to users + items + pending actions.
 */
public final class TrafficSimulator implements Iterator<SimEvent> {
    /** Feature names; they match the slots of {@code FeatureSpec.simulator()}. */
    public static final String USER_ID = "user_id";

    public static final String ITEM_ID = "item_id";
    public static final String USER_SEGMENT = "user_segment";
    public static final String ITEM_CATEGORY = "item_category";
    public static final String POSITION = "position";
    public static final String DEVICE = "device";
    public static final String RECENT_CATEGORIES = "recent_categories";
    public static final String ITEM_AGE_HOURS = "item_age_hours";

    private static final double MS_PER_HOUR = 3_600_000.0;
    private static final int CANDIDATE_DRAWS_PER_SLOT = 32;

    private final SimulatorConfig config;
    private final long maxRequests;
    private final SimRandom traffic;
    private final SimRandom drift;

    private final int[] userSegment;
    private final double[] userBias;
    private final double[] userLatent;
    private final double[] userCdf;
    private final int[][] recentCategories;
    private final int[] recentCount;

    private final int[] itemCategory;
    private final double[] itemQuality;
    private final double[] itemLatent;
    private final long[] itemCreatedMs;
    private final double[] itemCdf;
    private final int[] itemByRank;

    private final double[][] affinity;
    private final double[] deviceOffset;
    private final double[] positionOffset;
    private final double latentNorm;

    private final String[] userIds;
    private final String[] itemIds;
    private final String[] segmentIds;
    private final String[] categoryIds;
    private final String[] deviceIds;
    private final String[] positionIds;

    private final PriorityQueue<Pending> pending =
            new PriorityQueue<>(
                    Comparator.comparingLong(Pending::timeMs).thenComparingLong(Pending::seq));
    private final int[] candidates;
    private final boolean[] chosen;

    private long seq;
    private double nextRequestTimeMs;
    private long driftStepsApplied;
    private long requests;
    private long impressions;
    private long actions;
    private boolean stopped;

    /** An unbounded stream; see {@link #stopRequests()}. */
    public TrafficSimulator(SimulatorConfig config) {
        this(config, Long.MAX_VALUE);
    }

    /**
     * A stream of {@code maxRequests} requests followed by every action they cause; {@link
     * #hasNext()} turns false after the last action.
     */
    public TrafficSimulator(SimulatorConfig config, long maxRequests) {
        if (maxRequests < 0) {
            throw new IllegalArgumentException("maxRequests must be >= 0; got " + maxRequests);
        }
        this.config = config;
        this.maxRequests = maxRequests;
        // Separate streams: the world does not change when traffic parameters do.
        SimRandom world = new SimRandom(config.seed());
        this.traffic = new SimRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
        this.drift = new SimRandom(config.seed() ^ 0xC2B2AE3D27D4EB4FL);

        int dim = config.latentDim();
        this.latentNorm = dim == 0 ? 0.0 : config.latentScale() / Math.sqrt(dim);

        int nUsers = config.users();
        this.userSegment = new int[nUsers];
        this.userBias = new double[nUsers];
        this.userLatent = new double[nUsers * dim];
        this.recentCategories = new int[nUsers][config.recentCategoriesLength()];
        this.recentCount = new int[nUsers];
        this.userIds = new String[nUsers];
        for (int u = 0; u < nUsers; u++) {
            userSegment[u] = world.nextInt(config.userSegments());
            userBias[u] = config.userBiasStd() * world.nextGaussian();
            for (int k = 0; k < dim; k++) {
                userLatent[u * dim + k] = world.nextGaussian();
            }
            userIds[u] = "u" + u;
        }
        // User activity: Zipf over users in index order (users are exchangeable, so index order
        // is as random as any permutation).
        this.userCdf = SimRandom.zipfCdf(nUsers, config.userZipfExponent());

        int nItems = config.items();
        this.itemCategory = new int[nItems];
        this.itemQuality = new double[nItems];
        this.itemLatent = new double[nItems * dim];
        this.itemCreatedMs = new long[nItems];
        this.itemIds = new String[nItems];
        for (int i = 0; i < nItems; i++) {
            itemCategory[i] = world.nextInt(config.itemCategories());
            itemQuality[i] = config.itemQualityStd() * world.nextGaussian();
            for (int k = 0; k < dim; k++) {
                itemLatent[i * dim + k] = world.nextGaussian();
            }
            double ageHours = world.nextDouble() * config.maxInitialItemAgeHours();
            itemCreatedMs[i] = config.startTimeMs() - (long) (ageHours * MS_PER_HOUR);
            itemIds[i] = "i" + i;
        }
        // Popularity rank is a random permutation, independent of quality and category.
        this.itemByRank = new int[nItems];
        for (int i = 0; i < nItems; i++) {
            int j = world.nextInt(i + 1);
            itemByRank[i] = itemByRank[j];
            itemByRank[j] = i;
        }
        this.itemCdf = SimRandom.zipfCdf(nItems, config.itemZipfExponent());

        this.affinity = new double[config.userSegments()][config.itemCategories()];
        for (double[] row : affinity) {
            for (int c = 0; c < row.length; c++) {
                row[c] = config.affinityStd() * world.nextGaussian();
            }
        }
        this.deviceOffset = new double[config.deviceTypes()];
        for (int d = 0; d < deviceOffset.length; d++) {
            deviceOffset[d] = config.deviceEffectStd() * world.nextGaussian();
        }
        this.positionOffset = new double[config.listSize()];
        for (int p = 0; p < positionOffset.length; p++) {
            positionOffset[p] = -config.positionBias() * Math.log1p(p);
        }

        this.segmentIds = ids("s", config.userSegments());
        this.categoryIds = ids("c", config.itemCategories());
        this.deviceIds = ids("d", config.deviceTypes());
        this.positionIds = new String[config.listSize()];
        for (int p = 0; p < positionIds.length; p++) {
            positionIds[p] = String.valueOf(p);
        }

        this.candidates = new int[config.listSize()];
        this.chosen = new boolean[nItems];
        this.nextRequestTimeMs = config.startTimeMs();
    }

    /** Generates {@code requests} requests and every action they cause, in event-time order. */
    public static List<SimEvent> generate(SimulatorConfig config, long requests) {
        TrafficSimulator sim = new TrafficSimulator(config, requests);
        List<SimEvent> out = new ArrayList<>();
        while (sim.hasNext()) {
            out.add(sim.next());
        }
        return out;
    }

    /**
     * Click-through rate, oracle AUC and oracle log loss of a sample. An impression counts as
     * clicked when a CLICK action for it is in the sample; impressions without an oracle
     * probability are left out of the oracle metrics.
     */
    public static SampleStats measure(Iterable<? extends SimEvent> events) {
        Map<String, Integer> index = new HashMap<>();
        List<Float> oracle = new ArrayList<>();
        for (SimEvent e : events) {
            if (e instanceof SimEvent.ImpressionEvent imp) {
                index.put(imp.impressionId(), oracle.size());
                Float p = imp.impression().getOracleProbability();
                oracle.add(p == null ? Float.NaN : p);
            }
        }
        boolean[] clicked = new boolean[oracle.size()];
        long likes = 0;
        long orphans = 0;
        for (SimEvent e : events) {
            if (e instanceof SimEvent.ActionEvent act) {
                Integer i = index.get(act.impressionId());
                if (i == null) {
                    orphans++;
                } else if (act.action().getType() == ActionType.CLICK) {
                    clicked[i] = true;
                } else if (act.action().getType() == ActionType.LIKE) {
                    likes++;
                }
            }
        }
        AucCalculator auc = new AucCalculator();
        double sumLoss = 0;
        double sumOracle = 0;
        long clicks = 0;
        for (int i = 0; i < clicked.length; i++) {
            if (clicked[i]) {
                clicks++;
            }
            float p = oracle.get(i);
            if (!Float.isNaN(p)) {
                auc.add(p, clicked[i]);
                sumLoss += LogLoss.of(p, clicked[i] ? 1 : 0);
                sumOracle += p;
            }
        }
        long n = clicked.length;
        long withOracle = auc.count();
        return new SampleStats(
                n,
                clicks,
                likes,
                orphans,
                n == 0 ? Double.NaN : clicks / (double) n,
                withOracle == 0 ? Double.NaN : sumOracle / withOracle,
                auc.auc(),
                withOracle == 0 ? Double.NaN : sumLoss / withOracle);
    }

    public SimulatorConfig config() {
        return config;
    }

    /** Whether another event follows: more requests may come, or actions are still pending. */
    @Override
    public boolean hasNext() {
        return !pending.isEmpty() || moreRequests();
    }

    /** The next event in event-time order. */
    @Override
    public SimEvent next() {
        while (moreRequests()
                && (pending.isEmpty() || pending.peek().timeMs() > nextRequestTime())) {
            generateRequest();
        }
        Pending p = pending.poll();
        if (p == null) {
            throw new NoSuchElementException(
                    "the simulated stream ended after " + requests + " requests");
        }
        if (p.clickedCategory() >= 0) {
            rememberClick(p.user(), p.clickedCategory());
        }
        return p.event();
    }

    /**
     * Stops generating requests; the actions already scheduled still come out of {@link #next()},
     * then {@link #hasNext()} turns false.
     */
    public void stopRequests() {
        stopped = true;
    }

    /** Requests generated so far. */
    public long requests() {
        return requests;
    }

    /** Impressions generated so far (returned or still queued). */
    public long impressions() {
        return impressions;
    }

    /** Actions generated so far (returned or still queued). */
    public long actions() {
        return actions;
    }

    /** Events generated but not yet returned by {@link #next()}. */
    public int pendingEvents() {
        return pending.size();
    }

    /**
     * The terms of the true logit a factorization model over the spec's features can learn from
     * (global, user, item, segment x category, position, device, item age) at the item's current
     * quality: the oracle minus the per-user x per-item latent term and the recency boost. Lets
     * tests check how much of the signal is learnable.
     */
    double learnableLogit(int user, int item, int position, int device, long eventTimeMs) {
        return config.baseLogit()
                + userBias[user]
                + itemQuality[item]
                + affinity[userSegment[user]][itemCategory[item]]
                + positionOffset[position]
                + deviceOffset[device]
                - config.itemAgeWeight() * Math.log1p(ageHours(item, eventTimeMs));
    }

    private boolean moreRequests() {
        return !stopped && requests < maxRequests;
    }

    private long nextRequestTime() {
        return (long) nextRequestTimeMs;
    }

    private void generateRequest() {
        long t = nextRequestTime();
        nextRequestTimeMs += traffic.nextExponential(1000.0 / config.requestsPerSecond());
        applyDrift(t);

        long n = requests++;
        String requestId = "req-" + n;
        int user = traffic.nextFromCdf(userCdf);
        int device = traffic.nextInt(config.deviceTypes());
        boolean holdout =
                config.holdoutFraction() > 0 && traffic.nextDouble() < config.holdoutFraction();
        pickCandidates();

        int segment = userSegment[user];
        int recentN = recentCount[user];
        int[] recent = recentCategories[user];
        for (int pos = 0; pos < candidates.length; pos++) {
            int item = candidates[pos];
            int category = itemCategory[item];
            double age = ageHours(item, t);
            double logit =
                    config.baseLogit()
                            + userBias[user]
                            + itemQuality[item]
                            + affinity[segment][category]
                            + latentTerm(user, item)
                            + positionOffset[pos]
                            + deviceOffset[device]
                            - config.itemAgeWeight() * Math.log1p(age);
            List<String> recentIds = new ArrayList<>(recentN);
            for (int k = 0; k < recentN; k++) {
                recentIds.add(categoryIds[recent[k]]);
                if (recent[k] == category) {
                    logit += config.recentCategoryBoost();
                }
            }
            double p = 1.0 / (1.0 + Math.exp(-logit));

            Map<String, String> categorical = new HashMap<>(8);
            categorical.put(USER_ID, userIds[user]);
            categorical.put(ITEM_ID, itemIds[item]);
            categorical.put(USER_SEGMENT, segmentIds[segment]);
            categorical.put(ITEM_CATEGORY, categoryIds[category]);
            categorical.put(POSITION, positionIds[pos]);
            categorical.put(DEVICE, deviceIds[device]);
            Map<String, List<String>> sequences = new HashMap<>(2);
            sequences.put(RECENT_CATEGORIES, recentIds);
            Map<String, Float> numeric = new HashMap<>(2);
            numeric.put(ITEM_AGE_HOURS, (float) Math.log1p(age));

            String impressionId = requestId + "-" + pos;
            Impression impression =
                    new Impression(
                            impressionId,
                            requestId,
                            t,
                            pos,
                            new Features(categorical, sequences, numeric),
                            (float) p,
                            holdout);
            enqueue(t, new SimEvent.ImpressionEvent(impression), user, -1);
            impressions++;

            if (traffic.nextDouble() < p) {
                long clickTime = t + delayMs(config.clickDelayMedianMs(), config.clickDelaySigma());
                enqueue(
                        clickTime,
                        new SimEvent.ActionEvent(
                                new Action(
                                        impressionId + "-click",
                                        impressionId,
                                        ActionType.CLICK,
                                        clickTime,
                                        1.0f)),
                        user,
                        category);
                actions++;
                if (traffic.nextDouble() < config.likeProbability()) {
                    long likeTime =
                            clickTime
                                    + delayMs(config.likeDelayMedianMs(), config.likeDelaySigma());
                    enqueue(
                            likeTime,
                            new SimEvent.ActionEvent(
                                    new Action(
                                            impressionId + "-like",
                                            impressionId,
                                            ActionType.LIKE,
                                            likeTime,
                                            1.0f)),
                            user,
                            -1);
                    actions++;
                }
            }
        }
    }

    /** Fills {@link #candidates} with distinct items drawn by popularity. */
    private void pickCandidates() {
        int[] byRank = itemByRank;
        for (int pos = 0; pos < candidates.length; pos++) {
            int item = -1;
            for (int draw = 0; draw < CANDIDATE_DRAWS_PER_SLOT; draw++) {
                int c = byRank[traffic.nextFromCdf(itemCdf)];
                if (!chosen[c]) {
                    item = c;
                    break;
                }
            }
            if (item < 0) {
                // Only when nearly every item is in the list already (items close to listSize
                // under steep popularity): take the next free item after a random one.
                int start = traffic.nextInt(chosen.length);
                for (int k = 0; k < chosen.length && item < 0; k++) {
                    int c = (start + k) % chosen.length;
                    if (!chosen[c]) {
                        item = c;
                    }
                }
            }
            chosen[item] = true;
            candidates[pos] = item;
        }
        for (int c : candidates) {
            chosen[c] = false;
        }
    }

    private double latentTerm(int user, int item) {
        int dim = config.latentDim();
        double dot = 0;
        for (int k = 0; k < dim; k++) {
            dot += userLatent[user * dim + k] * itemLatent[item * dim + k];
        }
        return latentNorm * dot;
    }

    private double ageHours(int item, long t) {
        return Math.max(0.0, (t - itemCreatedMs[item]) / MS_PER_HOUR);
    }

    private long delayMs(double median, double sigma) {
        return Math.max(1L, Math.round(traffic.nextLogNormal(median, sigma)));
    }

    /**
     * Advances item quality to event time {@code t}: an Ornstein-Uhlenbeck process sampled every
     * {@link SimulatorConfig#DRIFT_STEP_MS}, {@code q <- rho q + sigma sqrt(1 - rho^2) z}, with rho
     * chosen so one hour of steps adds about {@code driftStdPerHour} of noise while the stationary
     * distribution stays N(0, itemQualityStd). k steps at once compose exactly (rho^k).
     */
    private void applyDrift(long t) {
        long step = (t - config.startTimeMs()) / SimulatorConfig.DRIFT_STEP_MS;
        long k = step - driftStepsApplied;
        if (k <= 0) {
            return;
        }
        driftStepsApplied = step;
        double sigma = config.itemQualityStd();
        double d = config.driftStdPerHour();
        if (d == 0.0 || sigma == 0.0) {
            return;
        }
        double stepHours = SimulatorConfig.DRIFT_STEP_MS / MS_PER_HOUR;
        double rho1 = Math.sqrt(Math.max(0.0, 1.0 - d * d * stepHours / (sigma * sigma)));
        double rhoK = Math.pow(rho1, (double) k);
        double noise = sigma * Math.sqrt(Math.max(0.0, 1.0 - rhoK * rhoK));
        for (int i = 0; i < itemQuality.length; i++) {
            itemQuality[i] = rhoK * itemQuality[i] + noise * drift.nextGaussian();
        }
    }

    /** Moves {@code category} to the front of the user's distinct recent clicked categories. */
    private void rememberClick(int user, int category) {
        int[] recent = recentCategories[user];
        if (recent.length == 0) {
            return;
        }
        int n = recentCount[user];
        int at = 0;
        while (at < n && recent[at] != category) {
            at++;
        }
        int shiftFrom = at < n ? at : Math.min(n, recent.length - 1);
        System.arraycopy(recent, 0, recent, 1, shiftFrom);
        recent[0] = category;
        if (at == n && n < recent.length) {
            recentCount[user] = n + 1;
        }
    }

    private void enqueue(long timeMs, SimEvent event, int user, int clickedCategory) {
        pending.add(new Pending(timeMs, seq++, event, user, clickedCategory));
    }

    private static String[] ids(String prefix, int n) {
        String[] out = new String[n];
        Arrays.setAll(out, k -> prefix + k);
        return out;
    }

    /**
     * A generated event waiting for its event time; a click remembers its user and category so the
     * user's recent categories update when it is emitted ({@code clickedCategory} is -1 otherwise).
     */
    private record Pending(long timeMs, long seq, SimEvent event, int user, int clickedCategory) {}
}
