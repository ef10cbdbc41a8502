package io.freshrank.jobs.replay;

import static io.freshrank.jobs.replay.ReplayFixtures.assertReplayContract;
import static io.freshrank.jobs.replay.ReplayFixtures.drain;
import static io.freshrank.jobs.replay.ReplayFixtures.fixture;
import static io.freshrank.jobs.replay.ReplayFixtures.impression;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshrank.jobs.sim.SimEvent;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.ActionType;
import io.freshrank.schema.avro.Impression;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generic CSV fixture: unsorted rows with ISO-8601 and epoch-ms times, a request of two rows, a
 * click time, a click label, a delayed conversion, a conversion before its impression, a bad time,
 * a repeated id and a bad label.
 */
class CsvReplayTest {
    private static final long T0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();

    private static CsvReplayConfig config() {
        return CsvReplayConfig.fromKeys(
                Map.of(
                        "impression-id", "imp_id",
                        "request-id", "req",
                        "time", "ts",
                        "position", "pos",
                        "click", "clicked",
                        "click-time", "click_ts",
                        "action-time", "conv_ts",
                        "categorical", "user,item",
                        "numeric", "price",
                        "sequence", "tags"));
    }

    @Test
    void replaysRowsSortedByTimeWithClicksAndDelayedConversionsAtTheirTimes() {
        CsvReplay replay =
                CsvReplay.open(fixture("csv/events.csv"), config(), ReplayOptions.defaults());
        List<SimEvent> events = drain(replay);
        assertReplayContract(events);
        assertThat(events)
                .extracting(CsvReplayTest::describe)
                .containsExactly(
                        "imp b1 r2/0 @0",
                        "CLICK b1 @5000",
                        "imp a1 r1/0 @10000",
                        "imp a2 r1/1 @10000",
                        "CLICK a1 @15000",
                        "imp c1 r3/0 @20000",
                        "CONVERSION b1 @3600000");

        Impression a2 = impression(events, "a2");
        assertThat(a2.getFeatures().getCategorical()).isEqualTo(Map.of("user", "u1", "item", "i2"));
        assertThat(a2.getFeatures().getNumeric()).isEqualTo(Map.of("price", 3.5f));
        assertThat(a2.getFeatures().getSequences()).isEqualTo(Map.of("tags", List.of("x", "y")));
        assertThat(impression(events, "b1").getFeatures().getNumeric()).isEmpty();

        ReplayStats s = replay.expected();
        System.out.println("CSV fixture: " + s);
        assertThat(s.dataset()).isEqualTo("csv");
        assertThat(s.requests()).isEqualTo(3);
        assertThat(s.impressions()).isEqualTo(4);
        assertThat(s.actions()).isEqualTo(Map.of("click", 2L, "conversion", 1L));
        assertThat(s.positives()).isEqualTo(Map.of("click", 2L, "conversion", 1L));
        assertThat(s.maxActionDelayMs()).isEqualTo(3_600_000L);
        assertThat(s.skippedRows())
                .isEqualTo(
                        Map.of(
                                "ACTION_BEFORE_IMPRESSION", 1L,
                                "BAD_TIME", 1L,
                                "DUPLICATE_ID", 1L,
                                "BAD_LABEL", 1L));
    }

    @Test
    void compressionAppliesToRealActionDelays() {
        List<SimEvent> events =
                drain(
                        CsvReplay.open(
                                fixture("csv/events.csv"),
                                config(),
                                ReplayOptions.defaults().withCompression(100)));
        assertReplayContract(events);
        Action conversion =
                events.stream()
                        .filter(e -> e instanceof SimEvent.ActionEvent)
                        .map(e -> ((SimEvent.ActionEvent) e).action())
                        .filter(a -> a.getType() == ActionType.CONVERSION)
                        .findFirst()
                        .orElseThrow();
        assertThat(conversion.getEventTimeMs()).isEqualTo(T0 + 36_000);
        assertThat(impression(events, "c1").getEventTimeMs()).isEqualTo(T0 + 200);
    }

    @Test
    void configErrorsNameTheSetting() {
        assertThatThrownBy(() -> CsvReplayConfig.fromKeys(Map.of("time", "ts")))
                .hasMessageContaining("'impression-id'");
        assertThatThrownBy(
                        () ->
                                CsvReplayConfig.fromKeys(
                                        Map.of("impression-id", "a", "time", "t", "colour", "x")))
                .hasMessageContaining("colour");
        assertThatThrownBy(
                        () ->
                                CsvReplayConfig.fromKeys(
                                        Map.of(
                                                "impression-id", "a",
                                                "time", "t",
                                                "categorical", "x",
                                                "numeric", "x")))
                .hasMessageContaining("listed twice");
        CsvReplayConfig missingColumn =
                CsvReplayConfig.fromKeys(Map.of("impression-id", "imp_id", "time", "when"));
        assertThatThrownBy(
                        () ->
                                CsvReplay.open(
                                                fixture("csv/events.csv"),
                                                missingColumn,
                                                ReplayOptions.defaults())
                                        .expected())
                .hasMessageContaining("no column 'when'");
    }

    @Test
    void timeParsingAcceptsEpochMillisAndIsoForms() {
        assertThat(TimeParsing.parseEpochMsOrIso("1704067200000")).isEqualTo(T0);
        assertThat(TimeParsing.parseEpochMsOrIso("2024-01-01T00:00:00Z")).isEqualTo(T0);
        assertThat(TimeParsing.parseEpochMsOrIso("2024-01-01T01:00:00+01:00")).isEqualTo(T0);
        assertThat(TimeParsing.parseEpochMsOrIso("2024-01-01 00:00:00.250")).isEqualTo(T0 + 250);
        assertThat(TimeParsing.parseEpochMsOrIso("2024-01-01")).isEqualTo(T0);
        assertThat(TimeParsing.parseEpochMsOrIso("2019-11-24 00:03:13.442536+00:00"))
                .isEqualTo(Instant.parse("2019-11-24T00:03:13.442Z").toEpochMilli());
        assertThatThrownBy(() -> TimeParsing.parseEpochMsOrIso("yesterday"))
                .isInstanceOf(java.time.format.DateTimeParseException.class);
    }

    @Test
    void csvSplittingHandlesQuotes() {
        assertThat(Delimited.splitCsv("a,\"b,c\",\"say \"\"hi\"\"\",", ','))
                .containsExactly("a", "b,c", "say \"hi\"", "");
        assertThat(Delimited.splitCsv("a,\"open", ',')).isNull();
        assertThat(Delimited.splitPlain("a\t\tb\t", '\t')).containsExactly("a", "", "b", "");
    }

    private static String describe(SimEvent e) {
        long t = e.eventTimeMs() - T0;
        if (e instanceof SimEvent.ImpressionEvent imp) {
            Impression i = imp.impression();
            return "imp "
                    + i.getImpressionId()
                    + " "
                    + i.getRequestId()
                    + "/"
                    + i.getPosition()
                    + " @"
                    + t;
        }
        Action a = ((SimEvent.ActionEvent) e).action();
        return a.getType() + " " + a.getImpressionId() + " @" + t;
    }
}
