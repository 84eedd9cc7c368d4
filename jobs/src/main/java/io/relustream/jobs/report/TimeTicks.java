package io.relustream.jobs.report;

import io.relustream.jobs.options.Durations;

import java.awt.Graphics2D;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tick marks of a time axis, in UTC, at round times: every 10 seconds, 5 minutes, 6 hours, a day.
 *
 * <pre>{@code
 * TimeTicks ticks = TimeTicks.fitting(start, end, 900, graphics);
 * ticks.times();  // epoch millis, multiples of the step
 * ticks.labels(); // "10:05", "10:10", ...
 * }</pre>
 *
 * <p>The step is the smallest one whose labels, side by side, fit the axis, from a millisecond on.
 * Labels carry seconds only when the step is shorter than a minute, milliseconds when it is shorter
 * than a second, and the date when the axis reaches from one day into another (UTC), however short
 * it is (the chart's subtitle tells the date otherwise); past steps of 112 days, ticks fall on new
 * year's days, every 1, 2, 5, 10, ... years, labelled with the year.
 */
final class TimeTicks {

    private static final long SECOND = 1_000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private static final long[] STEPS = {
        // Windows may be as short as a millisecond: their axis spans a few milliseconds.
        1,
        2,
        5,
        10,
        20,
        50,
        100,
        200,
        500,
        SECOND,
        2 * SECOND,
        5 * SECOND,
        10 * SECOND,
        15 * SECOND,
        30 * SECOND,
        MINUTE,
        2 * MINUTE,
        5 * MINUTE,
        10 * MINUTE,
        15 * MINUTE,
        30 * MINUTE,
        HOUR,
        2 * HOUR,
        3 * HOUR,
        6 * HOUR,
        12 * HOUR,
        DAY,
        2 * DAY,
        7 * DAY,
        14 * DAY,
        28 * DAY,
        56 * DAY,
        112 * DAY
    };

    /** Free space between two labels, in pixels. */
    private static final double LABEL_GAP = 28;

    private final List<Long> times;
    private final List<String> labels;

    private TimeTicks(List<Long> times, List<String> labels) {
        this.times = times;
        this.labels = labels;
    }

    /**
     * Ticks in {@code [from, to]} (epoch millis, {@code from < to}) for an axis {@code pixels}
     * long, with labels measured in the font of {@code g}.
     */
    static TimeTicks fitting(long from, long to, double pixels, Graphics2D g) {
        boolean manyDays = Math.floorDiv(from, DAY) != Math.floorDiv(to, DAY);
        for (long step : STEPS) {
            DateTimeFormatter format = format(step, manyDays);
            long first = Math.floorDiv(from + step - 1, step) * step;
            long count = first > to ? 0 : (to - first) / step + 1;
            double label = Charts.textWidth(g, format.format(Instant.ofEpochMilli(first)));
            // A longer step may have no tick in the range at all: one label, which cannot run
            // into another, is better than none.
            if (count == 1 || (count > 1 && count * (label + LABEL_GAP) <= pixels)) {
                List<Long> times = new ArrayList<>();
                List<String> labels = new ArrayList<>();
                for (long time = first; time <= to; time += step) {
                    times.add(time);
                    labels.add(format.format(Instant.ofEpochMilli(time)));
                }
                return new TimeTicks(List.copyOf(times), List.copyOf(labels));
            }
        }
        return years(from, to, pixels, g);
    }

    /**
     * Ticks on the first of January of every 1, 2, 5, 10, 20, ... years: an axis spanning years has
     * no room for a tick every 112 days, whose labels would run into each other.
     */
    private static TimeTicks years(long from, long to, double pixels, Graphics2D g) {
        long fromYear = year(from);
        long toYear = year(to);
        // "u", not "uuuu": the axis of a window ending in 9999 reaches 10000, which "uuuu" writes
        // "+10000".
        DateTimeFormatter format = DateTimeFormatter.ofPattern("u", Locale.ROOT);
        for (long years = 1; ; years = nextRoundYears(years)) {
            long first = Math.floorDiv(fromYear + years - 1, years) * years;
            if (first == fromYear && newYear(first) < from) {
                first += years;
            }
            long count = first > toYear ? 0 : (toYear - first) / years + 1;
            double label = Charts.textWidth(g, format.format(Year.of((int) first)));
            // A single tick always fits; years only grow, so this ends.
            if (count <= 1 || count * (label + LABEL_GAP) <= pixels) {
                List<Long> times = new ArrayList<>();
                List<String> labels = new ArrayList<>();
                for (long year = first; year <= toYear; year += years) {
                    times.add(newYear(year));
                    labels.add(format.format(Year.of((int) year)));
                }
                return new TimeTicks(List.copyOf(times), List.copyOf(labels));
            }
        }
    }

    /** 1, 2, 5, 10, 20, 50, ... */
    private static long nextRoundYears(long years) {
        long power = 1;
        while (power * 10 <= years) {
            power *= 10;
        }
        long multiple = years / power;
        return multiple == 1 ? 2 * power : multiple == 2 ? 5 * power : 10 * power;
    }

    private static long year(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).getYear();
    }

    /** The first millisecond of the year, UTC. */
    private static long newYear(long year) {
        return LocalDate.of((int) year, 1, 1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
    }

    /** The tick times in epoch millis, ascending. */
    List<Long> times() {
        return times;
    }

    /** The labels of {@link #times()}, in the same order. */
    List<String> labels() {
        return labels;
    }

    /**
     * The first and last of some times (epoch millis) for subtitles: {@code 2025-03-01 10:15:00 to
     * 2025-03-01 10:20:00}, both with milliseconds when either is not a whole second (windows of 1
     * ms would read {@code 10:00:00 to 10:00:00}).
     */
    static String span(long first, long last) {
        String pattern =
                first % SECOND == 0 && last % SECOND == 0
                        ? "yyyy-MM-dd HH:mm:ss"
                        : "yyyy-MM-dd HH:mm:ss.SSS";
        DateTimeFormatter format =
                DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
        return format.format(Instant.ofEpochMilli(first))
                + " to "
                + format.format(Instant.ofEpochMilli(last));
    }

    /** A duration for subtitles: {@code 10s}, {@code 1500ms}, {@code 5m}. */
    static String duration(Duration duration) {
        return Durations.format(duration);
    }

    private static DateTimeFormatter format(long step, boolean manyDays) {
        String pattern;
        if (step >= DAY) {
            pattern = "yyyy-MM-dd";
        } else {
            String time = step < SECOND ? "HH:mm:ss.SSS" : step < MINUTE ? "HH:mm:ss" : "HH:mm";
            pattern = manyDays ? "MM-dd " + time : time;
        }
        return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
    }
}
