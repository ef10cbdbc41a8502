package io.freshrank.deploy.local;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place on a terminal ({@code \r}), or printed as a plain line
 * every few seconds when the output is not a terminal (CI logs).
 */
public final class ProgressBar {
    private static final int WIDTH = 28;
    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastPlainPrint;

    public ProgressBar(PrintStream out) {
        this.out = out;
        this.terminal = System.console() != null;
    }

    /** Redraws the bar at {@code fraction} (0..1) with {@code status} text after it. */
    public void update(double fraction, String status) {
        double f = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(f * WIDTH);
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        String line =
                String.format(
                        Locale.ROOT,
                        "[%s%s] %3.0f%% %5.0fs | %s",
                        "#".repeat(filled),
                        ".".repeat(WIDTH - filled),
                        f * 100,
                        elapsed,
                        status);
        if (terminal) {
            out.print("\r" + line + "  ");
            out.flush();
        } else if (elapsed - lastPlainPrint >= 10 || f >= 1) {
            lastPlainPrint = (long) elapsed;
            out.println(line);
        }
    }

    /** Ends the bar's line. */
    public void done() {
        if (terminal) {
            out.println();
        }
    }
}
