package io.freshrank.jobs.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits delimited lines. TSV fields are taken verbatim; CSV fields may be quoted RFC 4180 style
 * ({@code "a,b"}, {@code ""} for a quote inside quotes), but a quoted field cannot span lines.
 */
final class Delimited {
    private Delimited() {}

    /** Splits on {@code delimiter} keeping empty fields, without quote handling. */
    static String[] splitPlain(String line, char delimiter) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == delimiter) {
                out.add(line.substring(from, i));
                from = i + 1;
            }
        }
        out.add(line.substring(from));
        return out.toArray(new String[0]);
    }

    /** Splits a CSV line; returns null when a quoted field is not closed (the row is malformed). */
    static String[] splitCsv(String line, char delimiter) {
        if (line.indexOf('"') < 0) {
            return splitPlain(line, delimiter);
        }
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
            } else if (c == delimiter) {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
            i++;
        }
        if (quoted) {
            return null;
        }
        out.add(field.toString());
        return out.toArray(new String[0]);
    }

    /** Column name to index of a header row (names trimmed); the first of duplicates wins. */
    static Map<String, Integer> header(String[] names) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            index.putIfAbsent(names[i].trim(), i);
        }
        return index;
    }

    /**
     * The index of a required column; the error names the file, the column and what the header has.
     */
    static int require(Map<String, Integer> header, String column, String file) {
        Integer i = header.get(column);
        if (i == null) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "%s has no column '%s' in its header; columns: %s",
                            file,
                            column,
                            header.keySet()));
        }
        return i;
    }
}
