package io.freshrank.jobs.replay;

import io.freshrank.schema.avro.ActionType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open Bandit Dataset (ZOZOTOWN, Saito et al., arXiv:2008.07146), {@code
 * <policy>/<campaign>/<campaign>.csv} with {@code item_context.csv} next to it. A row is one logged
 * recommendation: {@code ,timestamp,item_id,position,click,propensity_score,user_feature_0..3,
 * user-item_affinity_0..N}. Each row is its own request with one impression at position {@code
 * position - 1} (the data's positions 1-3 are left, centre, right); a click becomes a CLICK {@link
 * ReplayOptions#clickDelayMs()} after it (synthetic: the data has no click times). Files are
 * time-ordered; several files (a policy directory, or the whole dataset) are merged by time.
 *
 * <p>Features (slot names of {@code openbandit.spec.json}): categorical {@code item_id} and {@code
 * campaign} (item ids are per campaign, so the item id value is {@code <campaign>:<item_id>}),
 * {@code position} (1-3 as in the data), {@code user_feature_0..3}, {@code item_feature_1..3} (from
 * item_context.csv); sequence {@code affinity_items} (the items the user has a non-zero affinity
 * with, i.e. past clicks); numeric {@code user_item_affinity} (log1p of the affinity with the shown
 * item), {@code item_feature_0} (as given, already standardised) and {@code propensity_score} (the
 * logging policy's probability of this item at this position, kept as a feature; see the package
 * doc for what that means).
 *
 * <p>Request ids are {@code obd-<policy>-<campaign>-<row>} (row counted from 0 in the file).
 * Malformed rows (column count, time, position, click, numbers) are skipped and counted.
 */
public final class OpenBanditReplay extends AbstractDatasetReplay {
    private static final Logger LOG = LoggerFactory.getLogger(OpenBanditReplay.class);

    public static final String SPEC = specResourceOf("openbandit");

    private static final String AFFINITY_PREFIX = "user-item_affinity_";
    private static final int USER_FEATURES = 4;
    private static final int ITEM_FEATURES = 4;

    private final List<Path> files;

    private OpenBanditReplay(List<Path> files, ReplayOptions options) {
        super("openbandit", SPEC, options);
        this.files = List.copyOf(files);
    }

    /**
     * A replay of {@code path}: one campaign CSV, or a directory under which every {@code
     * <campaign>/<campaign>.csv} (file named like its folder) is replayed, merged by time.
     */
    public static OpenBanditReplay open(Path path, ReplayOptions options) {
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(path)) {
            files.add(path);
        } else if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path, 3)) {
                s.filter(Files::isRegularFile)
                        .filter(OpenBanditReplay::isCampaignFile)
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + path, e);
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(
                    "no Open Bandit campaign file (<campaign>/<campaign>.csv) at " + path);
        }
        return new OpenBanditReplay(files, options);
    }

    /** The campaign files replayed, in merge-tie order. */
    public List<Path> files() {
        return files;
    }

    private static boolean isCampaignFile(Path p) {
        Path parent = p.getParent();
        return parent != null
                && parent.getFileName() != null
                && p.getFileName().toString().equals(parent.getFileName() + ".csv");
    }

    @Override
    RequestSource openSource() {
        List<RequestSource> sources = new ArrayList<>();
        try {
            for (Path f : files) {
                sources.add(new FileSource(f, options.clickDelayMs()));
            }
        } catch (RuntimeException e) {
            sources.forEach(RequestSource::close);
            throw e;
        }
        return sources.size() == 1 ? sources.get(0) : new MergedSource(sources);
    }

    /** item_id -> the item's feature columns (item_feature_0..3), from item_context.csv. */
    static Map<String, String[]> readItemContext(Path file) {
        Map<String, String[]> items = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            LOG.warn("no {}: Open Bandit item features will be absent", file);
            return items;
        }
        try (LineFile in = new LineFile(file)) {
            String header = in.next();
            if (header == null) {
                return items;
            }
            Map<String, Integer> h = Delimited.header(Delimited.splitCsv(header, ','));
            int id = Delimited.require(h, "item_id", in.name());
            int[] cols = new int[ITEM_FEATURES];
            for (int k = 0; k < ITEM_FEATURES; k++) {
                cols[k] = Delimited.require(h, "item_feature_" + k, in.name());
            }
            String line;
            while ((line = in.next()) != null) {
                String[] f = Delimited.splitCsv(line, ',');
                if (f == null || f.length != h.size()) {
                    LOG.warn("ignoring malformed line {}:{}", in.name(), in.lineNumber());
                    continue;
                }
                String[] features = new String[ITEM_FEATURES];
                for (int k = 0; k < ITEM_FEATURES; k++) {
                    features[k] = f[cols[k]].trim();
                }
                items.put(f[id].trim(), features);
            }
        }
        return items;
    }

    /** One campaign file. */
    private static final class FileSource extends LineSource {
        private final String campaign;
        private final String prefix;
        private final long clickDelayMs;
        private final Map<String, String[]> itemContext;
        private final int columns;
        private final int time;
        private final int item;
        private final int position;
        private final int click;
        private final int propensity;
        private final int[] userFeatures = new int[USER_FEATURES];
        private final Map<String, Integer> affinityByItem = new HashMap<>();
        private long row;

        FileSource(Path file, long clickDelayMs) {
            super(file);
            boolean ok = false;
            try {
                Path dir = file.toAbsolutePath().getParent();
                Path policyDir = dir.getParent();
                this.campaign = stripCsv(file.getFileName().toString());
                String policy =
                        policyDir == null || policyDir.getFileName() == null
                                ? "unknown"
                                : policyDir.getFileName().toString();
                this.prefix = "obd-" + policy + "-" + campaign + "-";
                this.clickDelayMs = clickDelayMs;
                this.itemContext = readItemContext(dir.resolve("item_context.csv"));
                String header = in.next();
                if (header == null) {
                    throw new IllegalArgumentException(file + " is empty: expected a header");
                }
                String[] names = Delimited.splitCsv(header, ',');
                Map<String, Integer> h = Delimited.header(names);
                this.columns = names.length;
                this.time = Delimited.require(h, "timestamp", in.name());
                this.item = Delimited.require(h, "item_id", in.name());
                this.position = Delimited.require(h, "position", in.name());
                this.click = Delimited.require(h, "click", in.name());
                this.propensity = Delimited.require(h, "propensity_score", in.name());
                for (int k = 0; k < USER_FEATURES; k++) {
                    userFeatures[k] = Delimited.require(h, "user_feature_" + k, in.name());
                }
                h.forEach(
                        (name, i) -> {
                            if (name.startsWith(AFFINITY_PREFIX)) {
                                affinityByItem.put(name.substring(AFFINITY_PREFIX.length()), i);
                            }
                        });
                ok = true;
            } finally {
                if (!ok) {
                    in.close();
                }
            }
        }

        private static String stripCsv(String name) {
            return name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        }

        @Override
        ShownRequest parse(String line) {
            long r = row++;
            String[] f = Delimited.splitCsv(line, ',');
            if (f == null || f.length != columns) {
                return skip("BAD_COLUMNS");
            }
            long t;
            try {
                t = TimeParsing.parseEpochMsOrIso(f[time]);
            } catch (DateTimeParseException e) {
                return skip("BAD_TIME");
            }
            String itemId = f[item].trim();
            if (itemId.isEmpty()) {
                return skip("MISSING_ID");
            }
            int pos;
            double prop;
            try {
                pos = Integer.parseInt(f[position].trim());
                prop = Double.parseDouble(f[propensity].trim());
            } catch (NumberFormatException e) {
                return skip("BAD_NUMBER");
            }
            if (pos < 1) {
                return skip("BAD_POSITION");
            }
            String label = f[click].trim();
            if (!label.equals("0") && !label.equals("1")) {
                return skip("BAD_LABEL");
            }
            FeatureMaps fm =
                    new FeatureMaps()
                            .categorical("item_id", campaign + ":" + itemId)
                            .categorical("campaign", campaign)
                            .categorical("position", Integer.toString(pos))
                            .numeric("propensity_score", prop);
            for (int k = 0; k < USER_FEATURES; k++) {
                fm.categorical("user_feature_" + k, f[userFeatures[k]].trim());
            }
            List<String> affinityItems = new ArrayList<>();
            double shownAffinity = 0;
            for (Map.Entry<String, Integer> e : affinityByItem.entrySet()) {
                String v = f[e.getValue()].trim();
                double a;
                try {
                    a = v.isEmpty() ? 0 : Double.parseDouble(v);
                } catch (NumberFormatException ex) {
                    return skip("BAD_NUMBER");
                }
                if (a != 0) {
                    affinityItems.add(campaign + ":" + e.getKey());
                }
                if (e.getKey().equals(itemId)) {
                    shownAffinity = a;
                }
            }
            affinityItems.sort(null);
            fm.sequence("affinity_items", affinityItems)
                    .numeric("user_item_affinity", FeatureMaps.signedLog1p(shownAffinity));
            String[] ctx = itemContext.get(itemId);
            if (ctx != null) {
                try {
                    if (!ctx[0].isEmpty()) {
                        fm.numeric("item_feature_0", Double.parseDouble(ctx[0]));
                    }
                } catch (NumberFormatException e) {
                    // item_context.csv is not this row: its bad number leaves the feature absent
                    LOG.debug(
                            "item {} of campaign {} has a non-numeric item_feature_0",
                            itemId,
                            campaign);
                }
                for (int k = 1; k < ITEM_FEATURES; k++) {
                    fm.categorical("item_feature_" + k, ctx[k]);
                }
            }
            List<ShownRequest.OriginalAction> actions =
                    label.equals("1")
                            ? List.of(
                                    new ShownRequest.OriginalAction(
                                            ActionType.CLICK, t + clickDelayMs, 1f))
                            : List.of();
            String requestId = prefix + r;
            return new ShownRequest(
                    requestId,
                    t,
                    List.of(
                            new ShownRequest.Item(
                                    ShownRequest.impressionId(requestId, pos - 1),
                                    pos - 1,
                                    fm.build(),
                                    actions)));
        }
    }
}
