package io.freshrank.jobs.replay;

import java.nio.file.Path;

/**
 * A {@link RequestSource} over the lines of one file: blank lines are ignored, every other line is
 * handed to {@link #parse}, which returns a request or null after counting the skip with {@link
 * #skip}.
 */
abstract class LineSource implements RequestSource {
    protected final LineFile in;
    private final RowSkips skips = new RowSkips();

    LineSource(Path file) {
        this.in = new LineFile(file);
    }

    /** The request of {@code line}, or null when the line is skipped (counted with skip()). */
    abstract ShownRequest parse(String line);

    @Override
    public ShownRequest next() {
        String line;
        while ((line = in.next()) != null) {
            if (line.isBlank()) {
                continue;
            }
            ShownRequest r = parse(line);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** Counts the current line as skipped for {@code reason}; returns null for convenience. */
    final ShownRequest skip(String reason) {
        skips.skip(reason, in.name(), in.lineNumber());
        return null;
    }

    @Override
    public final RowSkips skips() {
        return skips;
    }

    @Override
    public void close() {
        in.close();
    }
}
