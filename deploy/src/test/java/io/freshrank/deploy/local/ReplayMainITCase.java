package io.freshrank.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReplayMain} end to end on the real stack (KRaft broker child JVM, MiniCluster at
 * parallelism 2): a synthetic MIND file (unsorted, 12-hour times) goes through the producer and the
 * bounded label join; every shown item comes out as exactly one example with the file's click
 * label, then the trainer scores every example.
 */
class ReplayMainITCase {

    @Test
    void replaysAMindFileThroughTheJoinAndTheTrainer(@TempDir Path dir) throws Exception {
        Path mind = dir.resolve("mind");
        Files.createDirectories(mind);
        int[] expected = writeMind(mind.resolve("behaviors.tsv"), 60);
        Files.writeString(mind.resolve("news.tsv"), "N1\tsports\tsoccer\tt\ta\tu\t[]\t[]\n");

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        ReplayMain.Report report =
                ReplayMain.run(
                        ReplayMain.Options.parse(
                                new String[] {
                                    "--dataset", "mind",
                                    "--path", mind.toString(),
                                    "--compression", "60",
                                    "--checkpoint-ms", "1000",
                                    "--timeout-s", "40",
                                    "--train"
                                }),
                        out);
        String printed = buf.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(report.expected().impressions()).as(printed).isEqualTo(expected[0]);
        assertThat(report.expected().clickedImpressions()).isEqualTo(expected[1]);
        assertThat(report.joinFinished()).as(printed).isTrue();
        assertThat(report.examples()).as(printed).isEqualTo(expected[0]);
        assertThat(report.distinctExamples()).isEqualTo(expected[0]);
        assertThat(report.positiveClicks()).as(printed).isEqualTo(expected[1]);
        assertThat(report.deadLetters()).as(printed).isEmpty();
        assertThat(report.matches()).isTrue();
        assertThat(report.exitCode()).isZero();
        assertThat(report.lists())
                .as("one list per MIND line, holding its shown items: %s", printed)
                .isEqualTo(new ReplayMain.ListCounts(60, 60, expected[0], 0, expected[2]));
        assertThat(report.predictions()).as(printed).isEqualTo(expected[0]);
        assertThat(report.training()).isNotNull();
        assertThat(printed).contains("mind", "OK: every shown item");
    }

    @Test
    void aMissingPathIsSkipped(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Path missing = dir.resolve("nope");
        ReplayMain.Report report =
                ReplayMain.run(
                        ReplayMain.Options.parse(
                                new String[] {"--dataset", "mind", "--path", missing.toString()}),
                        new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(report.skipped()).isTrue();
        assertThat(report.exitCode()).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8))
                .isEqualTo("skipping: " + missing + " not found" + System.lineSeparator());
    }

    /**
     * Writes {@code lines} MIND requests at shuffled times over two days; returns {shown items,
     * clicked items, items of the longest request}.
     */
    private static int[] writeMind(Path file, int lines) throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        List<String> out = new ArrayList<>();
        int shown = 0;
        int clicked = 0;
        int largest = 0;
        for (int i = 0; i < lines; i++) {
            int minute = random.nextInt(2 * 24 * 60);
            int day = 12 + minute / (24 * 60);
            int hour24 = minute / 60 % 24;
            int hour12 = hour24 % 12 == 0 ? 12 : hour24 % 12;
            String time =
                    String.format(
                            Locale.ROOT,
                            "11/%d/2019 %d:%02d:%02d %s",
                            day,
                            hour12,
                            minute % 60,
                            random.nextInt(60),
                            hour24 < 12 ? "AM" : "PM");
            int n = 2 + random.nextInt(6);
            largest = Math.max(largest, n);
            StringBuilder candidates = new StringBuilder();
            for (int k = 0; k < n; k++) {
                boolean click = k == 0 || random.nextInt(8) == 0;
                candidates
                        .append(k == 0 ? "" : " ")
                        .append("N")
                        .append(random.nextInt(30))
                        .append(click ? "-1" : "-0");
                shown++;
                clicked += click ? 1 : 0;
            }
            out.add(
                    String.join(
                            "\t",
                            Integer.toString(i + 1),
                            "U" + random.nextInt(15),
                            time,
                            "N" + random.nextInt(30) + " N" + random.nextInt(30),
                            candidates));
        }
        Files.write(file, out);
        return new int[] {shown, clicked, largest};
    }
}
