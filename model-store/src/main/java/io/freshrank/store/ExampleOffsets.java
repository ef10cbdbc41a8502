package io.freshrank.store;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text form of the {@link SnapshotManifest#EXAMPLES_OFFSETS} provenance entry: per partition of
 * the examples topic, the next offset to read after the examples trained into a version (Kafka's
 * committed-offset convention: the newest trained example's offset + 1), as {@code
 * partition:offset} pairs in partition order, e.g. {@code 0:1234,1:987}.
 */
public final class ExampleOffsets {
    private ExampleOffsets() {}

    /** {@code nextOffsets} (partition -> next offset) as text; {@code ""} when empty. */
    public static String format(Map<Integer, Long> nextOffsets) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, Long> e : new TreeMap<>(nextOffsets).entrySet()) {
            if (e.getKey() < 0 || e.getValue() < 0) {
                throw new IllegalArgumentException(
                        "partitions and offsets are >= 0, got " + e.getKey() + ":" + e.getValue());
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(e.getKey()).append(':').append(e.getValue());
        }
        return sb.toString();
    }

    /**
     * Parses {@link #format}'s text (whitespace around pairs is ignored).
     *
     * @return partition -> next offset, in partition order
     * @throws IllegalArgumentException naming the bad pair if the text is not that form
     */
    public static Map<Integer, Long> parse(String text) {
        Map<Integer, Long> out = new TreeMap<>();
        if (text.isBlank()) {
            return Collections.unmodifiableMap(out);
        }
        for (String pair : text.split(",", -1)) {
            String p = pair.trim();
            int colon = p.indexOf(':');
            try {
                if (colon < 1) {
                    throw new NumberFormatException("no partition:offset");
                }
                int partition = Integer.parseInt(p.substring(0, colon));
                long offset = Long.parseLong(p.substring(colon + 1));
                if (partition < 0 || offset < 0) {
                    throw new NumberFormatException("negative");
                }
                if (out.put(partition, offset) != null) {
                    throw new NumberFormatException("partition " + partition + " twice");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        SnapshotManifest.EXAMPLES_OFFSETS
                                + " must be partition:offset pairs such as 0:1234,1:987; bad pair '"
                                + p
                                + "' ("
                                + e.getMessage()
                                + ")",
                        e);
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
