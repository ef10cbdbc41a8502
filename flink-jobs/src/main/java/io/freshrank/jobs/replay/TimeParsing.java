package io.freshrank.jobs.replay;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Parses the time formats of the replayed files into epoch milliseconds. Stateless. */
final class TimeParsing {
    private TimeParsing() {}

    /**
     * Epoch milliseconds (an optionally signed integer) or ISO-8601: an instant ({@code
     * 2019-11-24T00:03:13.44Z}), a date-time with offset ({@code 2019-11-24 00:03:13.442536+00:00},
     * a space instead of {@code T} is accepted), a local date-time or a date (both read as UTC).
     *
     * @throws DateTimeParseException when it is none of these
     */
    static long parseEpochMsOrIso(String text) {
        String s = text.trim();
        if (isInteger(s)) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new DateTimeParseException("epoch milliseconds out of range", s, 0, e);
            }
        }
        String iso = s.length() > 10 && s.charAt(10) == ' ' ? s.replace(' ', 'T') : s;
        if (iso.length() == 10) {
            return LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        char last = iso.charAt(iso.length() - 1);
        if (last == 'Z' || last == 'z') {
            return Instant.parse(iso.substring(0, iso.length() - 1) + "Z").toEpochMilli();
        }
        int t = iso.indexOf('T');
        if (t > 0 && (iso.indexOf('+', t) > 0 || iso.indexOf('-', t) > 0)) {
            return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
        }
        return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static boolean isInteger(String s) {
        if (s.isEmpty()) {
            return false;
        }
        int start = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        if (start == s.length()) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
