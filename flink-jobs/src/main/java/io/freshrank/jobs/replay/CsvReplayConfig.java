package io.freshrank.jobs.replay;

import io.freshrank.schema.avro.ActionType;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which columns of a generic CSV (with a header row) mean what, for {@link CsvReplay}. Immutable;
 * validated by the compact constructor. {@link #fromKeys} builds one from {@code key -> value}
 * settings (the command-line form, see {@link #KEYS}); errors name the key.
 *
 * @param name dataset name reported in the stats (default {@code csv})
 * @param delimiter field delimiter (default {@code ,}; {@code \t} for TSV)
 * @param impressionIdColumn unique id of a shown item; required
 * @param requestIdColumn groups the items of one shown list; null: each row is its own request
 * @param timeColumn when the item was shown: epoch milliseconds or ISO-8601; required
 * @param positionColumn 0-based position in the list; null: 0
 * @param clickColumn a 0/1 (or true/false) click label; a click is placed {@link
 *     ReplayOptions#clickDelayMs()} after the impression (used when the click-time column is absent
 *     or empty); null: none
 * @param clickTimeColumn when the item was clicked (epoch ms or ISO-8601), empty if not; null: none
 * @param actionTimeColumn when a delayed action (e.g. a conversion) happened, empty if not; null:
 *     none
 * @param actionType the type of the action in {@code actionTimeColumn} (default CONVERSION)
 * @param categoricalColumns columns used as categorical slots named like the column
 * @param numericColumns columns used as numeric slots named like the column
 * @param sequenceColumns columns holding space-separated values, used as sequence slots
 * @param log1pNumeric whether numeric values go through {@code sign(x) * ln(1 + |x|)}
 */
public record CsvReplayConfig(
        String name,
        char delimiter,
        String impressionIdColumn,
        String requestIdColumn,
        String timeColumn,
        String positionColumn,
        String clickColumn,
        String clickTimeColumn,
        String actionTimeColumn,
        ActionType actionType,
        List<String> categoricalColumns,
        List<String> numericColumns,
        List<String> sequenceColumns,
        boolean log1pNumeric) {

    /** The keys {@link #fromKeys} understands. */
    public static final Set<String> KEYS =
            Set.of(
                    "name",
                    "delimiter",
                    "impression-id",
                    "request-id",
                    "time",
                    "position",
                    "click",
                    "click-time",
                    "action-time",
                    "action-type",
                    "categorical",
                    "numeric",
                    "sequence",
                    "log1p-numeric");

    public CsvReplayConfig {
        if (name == null || name.isBlank()) {
            name = "csv";
        }
        require(impressionIdColumn, "impression-id");
        require(timeColumn, "time");
        if (actionType == null) {
            actionType = ActionType.CONVERSION;
        }
        if (actionType == ActionType.UNKNOWN) {
            throw new IllegalArgumentException(
                    "csv action-type must be CLICK, LIKE, CONVERSION or DWELL; got UNKNOWN");
        }
        categoricalColumns = List.copyOf(categoricalColumns);
        numericColumns = List.copyOf(numericColumns);
        sequenceColumns = List.copyOf(sequenceColumns);
        Set<String> slots = new HashSet<>();
        for (List<String> l : List.of(categoricalColumns, numericColumns, sequenceColumns)) {
            for (String c : l) {
                if (!slots.add(c)) {
                    throw new IllegalArgumentException(
                            "csv column '"
                                    + c
                                    + "' is listed twice among categorical, numeric and sequence"
                                    + " columns; a column is one slot");
                }
            }
        }
    }

    /**
     * A config from {@code key -> value} settings: {@code impression-id}, {@code time} (required),
     * {@code request-id}, {@code position}, {@code click}, {@code click-time}, {@code action-time},
     * {@code action-type}, {@code categorical}, {@code numeric}, {@code sequence} (comma-separated
     * column lists), {@code delimiter} ({@code ,}, {@code tab} or one character), {@code
     * log1p-numeric} (true/false), {@code name}.
     */
    public static CsvReplayConfig fromKeys(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown csv setting(s) " + unknown + "; known: " + new TreeSet<>(KEYS));
        }
        String d = settings.getOrDefault("delimiter", ",");
        char delimiter;
        if (d.equalsIgnoreCase("tab") || d.equals("\\t") || d.equals("\t")) {
            delimiter = '\t';
        } else if (d.length() == 1) {
            delimiter = d.charAt(0);
        } else {
            throw new IllegalArgumentException(
                    "csv delimiter must be one character or 'tab'; got '" + d + "'");
        }
        ActionType type = ActionType.CONVERSION;
        if (settings.containsKey("action-type")) {
            try {
                type = ActionType.valueOf(settings.get("action-type").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "csv action-type must be one of "
                                + Arrays.toString(ActionType.values())
                                + "; got '"
                                + settings.get("action-type")
                                + "'",
                        e);
            }
        }
        String log1p = settings.getOrDefault("log1p-numeric", "false");
        if (!log1p.equalsIgnoreCase("true") && !log1p.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(
                    "csv log1p-numeric must be true or false; got '" + log1p + "'");
        }
        return new CsvReplayConfig(
                settings.get("name"),
                delimiter,
                settings.get("impression-id"),
                settings.get("request-id"),
                settings.get("time"),
                settings.get("position"),
                settings.get("click"),
                settings.get("click-time"),
                settings.get("action-time"),
                type,
                list(settings.get("categorical")),
                list(settings.get("numeric")),
                list(settings.get("sequence")),
                Boolean.parseBoolean(log1p));
    }

    private static List<String> list(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static void require(String column, String key) {
        if (column == null || column.isBlank()) {
            throw new IllegalArgumentException(
                    "csv setting '" + key + "' (the column name) is required");
        }
    }
}
