package io.freshrank.jobs.replay;

import io.freshrank.schema.avro.ActionType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A generic delimited file with a header, its columns described by a {@link CsvReplayConfig}: each
 * row is one shown item with its own time; rows are sorted by time (stable: file order on ties) and
 * consecutive rows of the same request id and time form one request. A row's click is a CLICK at
 * the click-time column's time, or {@link ReplayOptions#clickDelayMs()} after the impression when
 * only a click label is given; a non-empty action-time column gives an action of the configured
 * type (e.g. a delayed CONVERSION) at its own time, so the join sees real delays.
 *
 * <p>The whole file is parsed into memory (to sort it). Features are slots named like their
 * columns; there is no built-in spec (the caller provides one). Rows with a wrong column count, an
 * empty or repeated impression id, a bad time, label, position or number are skipped and counted;
 * an action time before its impression drops only the action (counted as {@code
 * ACTION_BEFORE_IMPRESSION}).
 */
public final class CsvReplay extends AbstractDatasetReplay {
    private final Path file;
    private final CsvReplayConfig config;

    private CsvReplay(Path file, CsvReplayConfig config, ReplayOptions options) {
        super(config.name(), null, options);
        this.file = file;
        this.config = config;
    }

    /** A replay of the delimited file {@code path} described by {@code config}. */
    public static CsvReplay open(Path path, CsvReplayConfig config, ReplayOptions options) {
        Objects.requireNonNull(config, "config");
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no CSV file at " + path);
        }
        return new CsvReplay(path, config, options);
    }

    public CsvReplayConfig config() {
        return config;
    }

    @Override
    RequestSource openSource() {
        RowSkips skips = new RowSkips();
        List<Row> rows = new ArrayList<>();
        try (LineFile in = new LineFile(file)) {
            Columns c = Columns.read(in, config);
            Set<String> ids = new HashSet<>();
            String line;
            while ((line = in.next()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Row r = parse(line, c, ids, skips, in);
                if (r != null) {
                    rows.add(r);
                }
            }
        }
        rows.sort(Comparator.comparingLong(Row::timeMs)); // stable: file order on ties
        return new Source(group(rows), skips);
    }

    private Row parse(String line, Columns c, Set<String> ids, RowSkips skips, LineFile in) {
        String[] f = Delimited.splitCsv(line, config.delimiter());
        if (f == null || f.length != c.count) {
            skips.skip("BAD_COLUMNS", in.name(), in.lineNumber());
            return null;
        }
        String impressionId = f[c.impressionId].trim();
        if (impressionId.isEmpty()) {
            skips.skip("MISSING_ID", in.name(), in.lineNumber());
            return null;
        }
        String requestId = c.requestId < 0 ? impressionId : f[c.requestId].trim();
        if (requestId.isEmpty()) {
            skips.skip("MISSING_ID", in.name(), in.lineNumber());
            return null;
        }
        long t;
        long clickTime = Long.MIN_VALUE;
        long actionTime = Long.MIN_VALUE;
        try {
            t = TimeParsing.parseEpochMsOrIso(f[c.time]);
            if (c.clickTime >= 0 && !f[c.clickTime].isBlank()) {
                clickTime = TimeParsing.parseEpochMsOrIso(f[c.clickTime]);
            }
            if (c.actionTime >= 0 && !f[c.actionTime].isBlank()) {
                actionTime = TimeParsing.parseEpochMsOrIso(f[c.actionTime]);
            }
        } catch (DateTimeParseException e) {
            skips.skip("BAD_TIME", in.name(), in.lineNumber());
            return null;
        }
        Boolean clicked = c.click < 0 ? Boolean.FALSE : label(f[c.click]);
        if (clicked == null) {
            skips.skip("BAD_LABEL", in.name(), in.lineNumber());
            return null;
        }
        int position = 0;
        FeatureMaps fm = new FeatureMaps();
        try {
            if (c.position >= 0 && !f[c.position].isBlank()) {
                position = Integer.parseInt(f[c.position].trim());
            }
            for (int k = 0; k < c.numeric.length; k++) {
                String v = f[c.numeric[k]].trim();
                if (!v.isEmpty()) {
                    double x = Double.parseDouble(v);
                    fm.numeric(
                            config.numericColumns().get(k),
                            config.log1pNumeric() ? FeatureMaps.signedLog1p(x) : x);
                }
            }
        } catch (NumberFormatException e) {
            skips.skip("BAD_NUMBER", in.name(), in.lineNumber());
            return null;
        }
        if (position < 0) {
            skips.skip("BAD_POSITION", in.name(), in.lineNumber());
            return null;
        }
        if (!ids.add(impressionId)) {
            skips.skip("DUPLICATE_ID", in.name(), in.lineNumber());
            return null;
        }
        for (int k = 0; k < c.categorical.length; k++) {
            fm.categorical(config.categoricalColumns().get(k), f[c.categorical[k]].trim());
        }
        for (int k = 0; k < c.sequence.length; k++) {
            String v = f[c.sequence[k]].trim();
            if (!v.isEmpty()) {
                fm.sequence(config.sequenceColumns().get(k), Arrays.asList(v.split(" +")));
            }
        }
        List<ShownRequest.OriginalAction> actions = new ArrayList<>(2);
        if (clickTime != Long.MIN_VALUE) {
            addAction(actions, ActionType.CLICK, clickTime, t, skips, in);
        } else if (clicked) {
            actions.add(
                    new ShownRequest.OriginalAction(
                            ActionType.CLICK, t + options.clickDelayMs(), 1f));
        }
        if (actionTime != Long.MIN_VALUE) {
            addAction(actions, config.actionType(), actionTime, t, skips, in);
        }
        return new Row(
                requestId, t, new ShownRequest.Item(impressionId, position, fm.build(), actions));
    }

    private static void addAction(
            List<ShownRequest.OriginalAction> actions,
            ActionType type,
            long time,
            long impressionTime,
            RowSkips skips,
            LineFile in) {
        if (time < impressionTime) {
            skips.skip("ACTION_BEFORE_IMPRESSION", in.name(), in.lineNumber());
            return;
        }
        actions.add(new ShownRequest.OriginalAction(type, time, 1f));
    }

    /** 1/0, true/false, 1.0/0.0; empty = 0; null when it is none of these. */
    private static Boolean label(String v) {
        String s = v.trim();
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "1.0", "true" -> {
                return Boolean.TRUE;
            }
            case "", "0", "0.0", "false" -> {
                return Boolean.FALSE;
            }
            default -> {
                return null;
            }
        }
    }

    /** Consecutive rows (after sorting) with the same request id and time form one request. */
    private static List<ShownRequest> group(List<Row> rows) {
        List<ShownRequest> out = new ArrayList<>();
        int i = 0;
        while (i < rows.size()) {
            Row first = rows.get(i);
            int j = i + 1;
            while (j < rows.size()
                    && rows.get(j).timeMs() == first.timeMs()
                    && rows.get(j).requestId().equals(first.requestId())) {
                j++;
            }
            List<ShownRequest.Item> items = new ArrayList<>(j - i);
            for (int k = i; k < j; k++) {
                items.add(rows.get(k).item());
            }
            items.sort(Comparator.comparingInt(ShownRequest.Item::position));
            out.add(new ShownRequest(first.requestId(), first.timeMs(), items));
            i = j;
        }
        return out;
    }

    private record Row(String requestId, long timeMs, ShownRequest.Item item) {}

    /** Column indices resolved from the header. */
    private static final class Columns {
        int count;
        int impressionId;
        int requestId = -1;
        int time;
        int position = -1;
        int click = -1;
        int clickTime = -1;
        int actionTime = -1;
        int[] categorical;
        int[] numeric;
        int[] sequence;

        static Columns read(LineFile in, CsvReplayConfig config) {
            String header = in.next();
            if (header == null) {
                throw new IllegalArgumentException(in.name() + " is empty: expected a header");
            }
            String[] names = Delimited.splitCsv(header, config.delimiter());
            if (names == null) {
                throw new IllegalArgumentException(in.name() + ": unreadable header");
            }
            Map<String, Integer> h = Delimited.header(names);
            Columns c = new Columns();
            c.count = names.length;
            c.impressionId = Delimited.require(h, config.impressionIdColumn(), in.name());
            c.time = Delimited.require(h, config.timeColumn(), in.name());
            c.requestId = optional(h, config.requestIdColumn(), in);
            c.position = optional(h, config.positionColumn(), in);
            c.click = optional(h, config.clickColumn(), in);
            c.clickTime = optional(h, config.clickTimeColumn(), in);
            c.actionTime = optional(h, config.actionTimeColumn(), in);
            c.categorical = all(h, config.categoricalColumns(), in);
            c.numeric = all(h, config.numericColumns(), in);
            c.sequence = all(h, config.sequenceColumns(), in);
            return c;
        }

        private static int optional(Map<String, Integer> h, String column, LineFile in) {
            return column == null ? -1 : Delimited.require(h, column, in.name());
        }

        private static int[] all(Map<String, Integer> h, List<String> columns, LineFile in) {
            int[] out = new int[columns.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Delimited.require(h, columns.get(i), in.name());
            }
            return out;
        }
    }

    /** Replays the grouped requests from memory. */
    private static final class Source implements RequestSource {
        private final List<ShownRequest> requests;
        private final RowSkips skips;
        private int next;

        Source(List<ShownRequest> requests, RowSkips skips) {
            this.requests = requests;
            this.skips = skips;
        }

        @Override
        public ShownRequest next() {
            return next < requests.size() ? requests.get(next++) : null;
        }

        @Override
        public RowSkips skips() {
            return skips;
        }

        @Override
        public void close() {
            // everything is in memory
        }
    }
}
