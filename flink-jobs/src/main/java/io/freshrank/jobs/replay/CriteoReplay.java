package io.freshrank.jobs.replay;

import io.freshrank.schema.avro.ActionType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Criteo display-advertising logs: the Kaggle challenge's {@code train.txt} (TSV, no header: {@code
 * label, I1..I13, C1..C26}; rows whose trailing fields are empty may lack them and are padded to 40
 * columns) or a CSV with a header naming {@code label, I1..I13, C1..C26} (such as the DeepCTR
 * sample). The format is detected from the first line: a header starting with {@code label} means
 * CSV.
 *
 * <p>Criteo has no time at all (rows are in chronological order): row {@code k} gets the synthetic
 * original time {@code syntheticStartMs + k * 1000 / syntheticRowsPerSecond} ({@link
 * ReplayOptions}), then the usual compression. Each row is a request with one impression at
 * position 0; label 1 becomes a CLICK {@link ReplayOptions#clickDelayMs()} later (synthetic).
 *
 * <p>Features (slot names of {@code criteo.spec.json}): numeric {@code I1..I13} through {@link
 * #signedLog1p} (log1p for the counts, which are {@code >= 0} except I2's few small negatives),
 * categorical {@code C1..C26} (hashed values as given); empty fields are absent. Request ids are
 * {@code criteo-<row>} (row counted from 0). Rows with a label other than 0/1, a non-numeric
 * integer feature or more columns than 40 (or the header), or fewer than 14, are skipped and
 * counted.
 */
public final class CriteoReplay extends AbstractDatasetReplay {
    public static final String SPEC = specResourceOf("criteo");

    static final int NUMERIC = 13;
    static final int CATEGORICAL = 26;
    static final int COLUMNS = 1 + NUMERIC + CATEGORICAL;

    private final Path file;

    private CriteoReplay(Path file, ReplayOptions options) {
        super("criteo", SPEC, options);
        this.file = file;
    }

    /** A replay of the Criteo file {@code path} (Kaggle TSV or CSV with header). */
    public static CriteoReplay open(Path path, ReplayOptions options) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no Criteo file at " + path);
        }
        return new CriteoReplay(path, options);
    }

    /**
     * {@code sign(x) * ln(1 + |x|)}: the transform of Criteo's integer features (log1p for counts
     * {@code >= 0}; keeps negatives ordered and finite).
     */
    public static double signedLog1p(double x) {
        return FeatureMaps.signedLog1p(x);
    }

    @Override
    RequestSource openSource() {
        return new Source(file, options);
    }

    private static final class Source extends LineSource {
        private final long startMs;
        private final double msPerRow;
        private final long clickDelayMs;

        /** Column of label, I1..I13, C1..C26 in the file. */
        private final int[] columns = new int[COLUMNS];

        private int maxColumns = COLUMNS;
        private boolean csv;
        private boolean started;
        private long row;

        Source(Path file, ReplayOptions options) {
            super(file);
            this.startMs = options.syntheticStartMs();
            this.msPerRow = 1000.0 / options.syntheticRowsPerSecond();
            this.clickDelayMs = options.clickDelayMs();
            for (int i = 0; i < COLUMNS; i++) {
                columns[i] = i;
            }
        }

        @Override
        ShownRequest parse(String line) {
            if (!started) {
                started = true;
                if (line.toLowerCase(Locale.ROOT).startsWith("label")) {
                    readHeader(line);
                    return null;
                }
            }
            String[] f = csv ? Delimited.splitCsv(line, ',') : Delimited.splitPlain(line, '\t');
            if (f == null || f.length > maxColumns || f.length < 1 + NUMERIC) {
                return skip("BAD_COLUMNS");
            }
            String label = field(f, 0).trim();
            if (label.equals("0.0")) {
                label = "0";
            } else if (label.equals("1.0")) {
                label = "1";
            }
            if (!label.equals("0") && !label.equals("1")) {
                return skip("BAD_LABEL");
            }
            FeatureMaps fm = new FeatureMaps();
            for (int i = 1; i <= NUMERIC; i++) {
                String v = field(f, i).trim();
                if (v.isEmpty()) {
                    continue;
                }
                try {
                    fm.numeric("I" + i, signedLog1p(Double.parseDouble(v)));
                } catch (NumberFormatException e) {
                    return skip("BAD_NUMBER");
                }
            }
            for (int i = 1; i <= CATEGORICAL; i++) {
                fm.categorical("C" + i, field(f, NUMERIC + i).trim());
            }
            long r = row++;
            long t = startMs + (long) Math.floor(r * msPerRow);
            List<ShownRequest.OriginalAction> actions =
                    label.equals("1")
                            ? List.of(
                                    new ShownRequest.OriginalAction(
                                            ActionType.CLICK, t + clickDelayMs, 1f))
                            : List.of();
            String requestId = "criteo-" + r;
            return new ShownRequest(
                    requestId,
                    t,
                    List.of(
                            new ShownRequest.Item(
                                    ShownRequest.impressionId(requestId, 0),
                                    0,
                                    fm.build(),
                                    actions)));
        }

        /** Field {@code logical} (0 = label, 1..13 = I, 14..39 = C); missing trailing = empty. */
        private String field(String[] f, int logical) {
            int c = columns[logical];
            return c < f.length ? f[c] : "";
        }

        private void readHeader(String line) {
            csv = line.indexOf('\t') < 0;
            String[] names = csv ? Delimited.splitCsv(line, ',') : Delimited.splitPlain(line, '\t');
            if (names == null) {
                throw new IllegalArgumentException(in.name() + ": unreadable header");
            }
            Map<String, Integer> h = Delimited.header(names);
            maxColumns = names.length;
            columns[0] = Delimited.require(h, "label", in.name());
            for (int i = 1; i <= NUMERIC; i++) {
                columns[i] = Delimited.require(h, "I" + i, in.name());
            }
            for (int i = 1; i <= CATEGORICAL; i++) {
                columns[NUMERIC + i] = Delimited.require(h, "C" + i, in.name());
            }
        }
    }
}
