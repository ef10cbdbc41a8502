package io.freshrank.jobs.replay;

import io.freshrank.schema.avro.ActionType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MIND (Microsoft News Recommendation, Wu et al., ACL 2020) {@code behaviors.tsv}: one line is one
 * request (an impression log of the news shown to a user), {@code impression_id TAB user_id TAB
 * time TAB history TAB candidates}, time as {@code M/D/YYYY h:mm:ss AM|PM} (read as UTC), history
 * space-separated news ids, candidates {@code N123-1 N456-0 ...} (1 = clicked).
 *
 * <p>Every candidate is an impression at position = its index in the list; a label 1 becomes a
 * CLICK {@link ReplayOptions#clickDelayMs()} after the impression. MIND has no click times: the
 * delay is synthetic. The file is not in time order: the lines are sorted by time (stable, file
 * order within a second) before they are replayed, so the whole file is read (lines kept as text,
 * parsed when replayed) and {@code limit} takes the earliest requests.
 *
 * <p>Features (slot names of {@code mind.spec.json}): categorical {@code user_id}, {@code news_id},
 * {@code position}, and {@code category} / {@code subcategory} when the optional {@code news.tsv}
 * next to the behaviors file knows the news id (the shared subset's news.tsv covers about 4% of
 * shown ids: unknown ids have no category, absent rather than guessed); sequence {@code history}
 * (the last 50 ids of the user's click history); numeric {@code history_length} and {@code
 * list_size} (log1p of the history length and of the number of candidates).
 *
 * <p>Malformed lines (wrong column count, bad time, a candidate without a 0/1 label, no candidates)
 * are skipped and counted.
 */
public final class MindReplay extends AbstractDatasetReplay {
    private static final Logger LOG = LoggerFactory.getLogger(MindReplay.class);

    /** Ids of the user's history kept in the {@code history} slot (the most recent ones). */
    public static final int HISTORY_LENGTH = 50;

    public static final String SPEC = specResourceOf("mind");

    static final DateTimeFormatter TIME =
            new DateTimeFormatterBuilder()
                    .parseCaseInsensitive()
                    .appendPattern("M/d/yyyy h:mm:ss a")
                    .toFormatter(Locale.US);

    private final Path behaviors;
    private final Path news;
    private volatile Map<String, String[]> newsCategories;

    private MindReplay(Path behaviors, Path news, ReplayOptions options) {
        super("mind", SPEC, options);
        this.behaviors = behaviors;
        this.news = news;
    }

    /**
     * A replay of {@code path}: a directory holding {@code behaviors.tsv} (and optionally {@code
     * news.tsv}), or a behaviors file (a {@code news.tsv} next to it is used when present).
     */
    public static MindReplay open(Path path, ReplayOptions options) {
        Path b = Files.isDirectory(path) ? path.resolve("behaviors.tsv") : path;
        if (!Files.isRegularFile(b)) {
            throw new IllegalArgumentException("no MIND behaviors file at " + b);
        }
        Path dir = b.toAbsolutePath().getParent();
        Path n = dir == null ? null : dir.resolve("news.tsv");
        return new MindReplay(b, n != null && Files.isRegularFile(n) ? n : null, options);
    }

    /** The news file used for categories, or null. */
    public Path newsFile() {
        return news;
    }

    /** Parses MIND's time format as UTC epoch ms; throws {@link DateTimeParseException}. */
    static long parseTime(String text) {
        return LocalDateTime.parse(text.trim(), TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    @Override
    RequestSource openSource() {
        Map<String, String[]> categories = categories();
        RowSkips skips = new RowSkips();
        List<TimedLine> lines = new ArrayList<>();
        try (LineFile in = new LineFile(behaviors)) {
            String line;
            while ((line = in.next()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = Delimited.splitPlain(line, '\t');
                if (f.length != 5) {
                    skips.skip("BAD_COLUMNS", in.name(), in.lineNumber());
                    continue;
                }
                long t;
                try {
                    t = parseTime(f[2]);
                } catch (DateTimeParseException e) {
                    skips.skip("BAD_TIME", in.name(), in.lineNumber());
                    continue;
                }
                lines.add(new TimedLine(t, in.lineNumber(), f));
            }
        }
        lines.sort(Comparator.comparingLong(TimedLine::timeMs)); // stable: file order on ties
        return new Source(lines, categories, skips, behaviors.toString(), options.clickDelayMs());
    }

    private Map<String, String[]> categories() {
        Map<String, String[]> c = newsCategories;
        if (c == null) {
            c = news == null ? Map.of() : readNews(news);
            newsCategories = c;
        }
        return c;
    }

    /** news_id -> {category, subcategory} from the first three columns of news.tsv. */
    static Map<String, String[]> readNews(Path file) {
        Map<String, String[]> out = new HashMap<>();
        long bad = 0;
        try (LineFile in = new LineFile(file)) {
            String line;
            while ((line = in.next()) != null) {
                int a = line.indexOf('\t');
                int b = a < 0 ? -1 : line.indexOf('\t', a + 1);
                int c = b < 0 ? -1 : line.indexOf('\t', b + 1);
                if (a <= 0 || b < 0) {
                    bad++;
                    continue;
                }
                String id = line.substring(0, a);
                String category = line.substring(a + 1, b);
                String subcategory = c < 0 ? line.substring(b + 1) : line.substring(b + 1, c);
                out.put(id, new String[] {category, subcategory});
            }
        }
        LOG.info(
                "MIND news file {}: {} news ids, {} malformed lines ignored",
                file,
                out.size(),
                bad);
        return out;
    }

    private record TimedLine(long timeMs, long lineNumber, String[] fields) {}

    /** Replays the sorted lines, parsing each when it is due. */
    private static final class Source implements RequestSource {
        private final List<TimedLine> lines;
        private final Map<String, String[]> categories;
        private final RowSkips skips;
        private final String file;
        private final long clickDelayMs;
        private int next;

        Source(
                List<TimedLine> lines,
                Map<String, String[]> categories,
                RowSkips skips,
                String file,
                long clickDelayMs) {
            this.lines = lines;
            this.categories = categories;
            this.skips = skips;
            this.file = file;
            this.clickDelayMs = clickDelayMs;
        }

        @Override
        public ShownRequest next() {
            while (next < lines.size()) {
                TimedLine l = lines.get(next++);
                ShownRequest r = parse(l);
                if (r != null) {
                    return r;
                }
            }
            return null;
        }

        private ShownRequest parse(TimedLine l) {
            String[] f = l.fields();
            String impressionId = f[0].trim();
            String user = f[1].trim();
            if (impressionId.isEmpty() || user.isEmpty()) {
                skips.skip("MISSING_ID", file, l.lineNumber());
                return null;
            }
            String[] candidates = words(f[4]);
            if (candidates.length == 0) {
                skips.skip("NO_CANDIDATES", file, l.lineNumber());
                return null;
            }
            String[] history = words(f[3]);
            List<String> recent =
                    List.of(
                            Arrays.copyOfRange(
                                    history,
                                    Math.max(0, history.length - HISTORY_LENGTH),
                                    history.length));
            double historyLength = Math.log1p(history.length);
            double listSize = Math.log1p(candidates.length);
            String requestId = "mind-" + impressionId;
            List<ShownRequest.Item> items = new ArrayList<>(candidates.length);
            for (int pos = 0; pos < candidates.length; pos++) {
                String c = candidates[pos];
                int dash = c.lastIndexOf('-');
                String label = dash < 0 ? "" : c.substring(dash + 1);
                if (dash <= 0 || !(label.equals("0") || label.equals("1"))) {
                    skips.skip("BAD_CANDIDATE", file, l.lineNumber());
                    return null;
                }
                String newsId = c.substring(0, dash);
                String[] cat = categories.get(newsId);
                FeatureMaps fm =
                        new FeatureMaps()
                                .categorical("user_id", user)
                                .categorical("news_id", newsId)
                                .categorical("position", Integer.toString(pos))
                                .sequence("history", recent)
                                .numeric("history_length", historyLength)
                                .numeric("list_size", listSize);
                if (cat != null) {
                    fm.categorical("category", cat[0]).categorical("subcategory", cat[1]);
                }
                List<ShownRequest.OriginalAction> actions =
                        label.equals("1")
                                ? List.of(
                                        new ShownRequest.OriginalAction(
                                                ActionType.CLICK, l.timeMs() + clickDelayMs, 1f))
                                : List.of();
                items.add(
                        new ShownRequest.Item(
                                ShownRequest.impressionId(requestId, pos),
                                pos,
                                fm.build(),
                                actions));
            }
            return new ShownRequest(requestId, l.timeMs(), items);
        }

        private static String[] words(String s) {
            String t = s.trim();
            return t.isEmpty() ? new String[0] : t.split(" +");
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

    @Override
    public String toString() {
        return "MindReplay[" + behaviors + (news == null ? "" : ", " + news) + "]";
    }
}
