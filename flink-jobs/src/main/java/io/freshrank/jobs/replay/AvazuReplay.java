package io.freshrank.jobs.replay;

import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Features;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Avazu click-through logs (Kaggle): CSV with a header {@code id,click,hour,C1,banner_pos,...}, the
 * hour as {@code YYMMDDHH} (UTC). The data only has the hour, so the rows of one hour (a run of
 * consecutive rows with the same hour value) are spread uniformly over it in file order: the {@code
 * i}-th of {@code n} rows gets {@code hour + floor(i * 3600000 / n)} ms. One hour of rows is
 * buffered at a time. Each row is a request with one impression at position 0 ({@code banner_pos}
 * is a layout slot, kept as a feature); click 1 becomes a CLICK {@link
 * ReplayOptions#clickDelayMs()} later (synthetic).
 *
 * <p>Features (slot names of {@code avazu.spec.json}): every column other than {@code id}, {@code
 * click} and {@code hour} as a categorical slot named like the column ({@code C1}, {@code
 * banner_pos}, {@code site_id}, ..., {@code C21}), plus {@code hour_of_day} (00-23) and {@code
 * day_of_week} (MONDAY..SUNDAY) derived from the hour. Request ids are {@code avazu-<id>}. Rows
 * with a wrong column count, a bad hour, a click other than 0/1 or an empty id are skipped and
 * counted.
 */
public final class AvazuReplay extends AbstractDatasetReplay {
    public static final String SPEC = specResourceOf("avazu");

    private static final long HOUR_MS = 3_600_000L;

    private final Path file;

    private AvazuReplay(Path file, ReplayOptions options) {
        super("avazu", SPEC, options);
        this.file = file;
    }

    /** A replay of the Avazu CSV {@code path}. */
    public static AvazuReplay open(Path path, ReplayOptions options) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no Avazu file at " + path);
        }
        return new AvazuReplay(path, options);
    }

    /** Epoch ms of an Avazu hour {@code YYMMDDHH} (UTC); throws {@link DateTimeException}. */
    static long parseHour(String yymmddhh) {
        String s = yymmddhh.trim();
        if (s.length() != 8) {
            throw new DateTimeException("hour must be YYMMDDHH: " + s.length() + " characters");
        }
        try {
            int yy = Integer.parseInt(s.substring(0, 2));
            int mm = Integer.parseInt(s.substring(2, 4));
            int dd = Integer.parseInt(s.substring(4, 6));
            int hh = Integer.parseInt(s.substring(6, 8));
            return LocalDateTime.of(2000 + yy, mm, dd, hh, 0)
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
        } catch (NumberFormatException e) {
            throw new DateTimeException("hour must be YYMMDDHH digits", e);
        }
    }

    @Override
    RequestSource openSource() {
        return new Source(file, options.clickDelayMs());
    }

    private record Row(String id, long hourMs, boolean clicked, Features features) {}

    private static final class Source implements RequestSource {
        private final LineFile in;
        private final RowSkips skips = new RowSkips();
        private final long clickDelayMs;
        private final int columns;
        private final int id;
        private final int click;
        private final int hour;
        private final String[] names;
        private final Deque<ShownRequest> ready = new ArrayDeque<>();
        private final List<Row> block = new ArrayList<>();
        private Row carry;
        private boolean eof;

        Source(Path file, long clickDelayMs) {
            this.in = new LineFile(file);
            boolean ok = false;
            try {
                this.clickDelayMs = clickDelayMs;
                String header = in.next();
                if (header == null) {
                    throw new IllegalArgumentException(file + " is empty: expected a header");
                }
                names = Delimited.splitCsv(header, ',');
                if (names == null) {
                    throw new IllegalArgumentException(file + ": unreadable header");
                }
                for (int i = 0; i < names.length; i++) {
                    names[i] = names[i].trim();
                }
                Map<String, Integer> h = Delimited.header(names);
                this.columns = names.length;
                this.id = Delimited.require(h, "id", in.name());
                this.click = Delimited.require(h, "click", in.name());
                this.hour = Delimited.require(h, "hour", in.name());
                ok = true;
            } finally {
                if (!ok) {
                    in.close();
                }
            }
        }

        @Override
        public ShownRequest next() {
            if (ready.isEmpty()) {
                readBlock();
            }
            return ready.poll();
        }

        /** Reads the next run of rows with one hour value and gives them their times. */
        private void readBlock() {
            block.clear();
            if (carry != null) {
                block.add(carry);
                carry = null;
            }
            while (!eof) {
                Row r = nextRow();
                if (r == null) {
                    eof = true;
                } else if (block.isEmpty() || block.get(0).hourMs() == r.hourMs()) {
                    block.add(r);
                } else {
                    carry = r;
                    break;
                }
            }
            int n = block.size();
            for (int i = 0; i < n; i++) {
                Row r = block.get(i);
                long t = r.hourMs() + i * HOUR_MS / n;
                List<ShownRequest.OriginalAction> actions =
                        r.clicked()
                                ? List.of(
                                        new ShownRequest.OriginalAction(
                                                ActionType.CLICK, t + clickDelayMs, 1f))
                                : List.of();
                String requestId = "avazu-" + r.id();
                ready.add(
                        new ShownRequest(
                                requestId,
                                t,
                                List.of(
                                        new ShownRequest.Item(
                                                ShownRequest.impressionId(requestId, 0),
                                                0,
                                                r.features(),
                                                actions))));
            }
            block.clear();
        }

        private Row nextRow() {
            String line;
            while ((line = in.next()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Row r = parseRow(line);
                if (r != null) {
                    return r;
                }
            }
            return null;
        }

        private Row parseRow(String line) {
            String[] f = Delimited.splitCsv(line, ',');
            if (f == null || f.length != columns) {
                skip("BAD_COLUMNS");
                return null;
            }
            String rowId = f[id].trim();
            if (rowId.isEmpty()) {
                skip("MISSING_ID");
                return null;
            }
            String label = f[click].trim();
            if (!label.equals("0") && !label.equals("1")) {
                skip("BAD_LABEL");
                return null;
            }
            long hourMs;
            try {
                hourMs = parseHour(f[hour]);
            } catch (DateTimeException e) {
                skip("BAD_TIME");
                return null;
            }
            FeatureMaps fm = new FeatureMaps();
            for (int i = 0; i < columns; i++) {
                if (i != id && i != click && i != hour) {
                    fm.categorical(names[i], f[i].trim());
                }
            }
            LocalDateTime at = LocalDateTime.ofEpochSecond(hourMs / 1000, 0, ZoneOffset.UTC);
            fm.categorical("hour_of_day", String.format(Locale.ROOT, "%02d", at.getHour()))
                    .categorical("day_of_week", at.getDayOfWeek().name());
            return new Row(rowId, hourMs, label.equals("1"), fm.build());
        }

        private void skip(String reason) {
            skips.skip(reason, in.name(), in.lineNumber());
        }

        @Override
        public RowSkips skips() {
            return skips;
        }

        @Override
        public void close() {
            in.close();
        }
    }
}
