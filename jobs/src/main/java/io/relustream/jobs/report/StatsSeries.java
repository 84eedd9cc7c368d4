package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;
import io.relustream.stats.GroupNames;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The windows of each group, one record per group and window, in time order: what the charts draw.
 *
 * <pre>{@code
 * StatsSeries series = StatsSeries.of(records);   // records in the order they were read
 * series.groups();                                // ["layer-0", "layer-1"]
 * series.lines();                                 // one per group and window length
 * series.windows(series.lines().get(0));          // by window start
 * }</pre>
 *
 * <p>A window is a group, a window start and a window end: jobs of different window lengths may
 * write one topic, and a group's windows of each length are a line of their own ({@link Line}). A
 * window re-fires when late records arrive within the job's allowed lateness: the same window comes
 * again with updated statistics. The record read later wins, as it holds every record of the
 * window; {@link #superseded()} counts the ones it replaced. The job keys its statistics by group,
 * so one group's records are in one partition, in the order they were emitted.
 */
final class StatsSeries {

    /** The windows of one length of one group: one line of the chart, one heatmap panel. */
    static final class Line {
        final String group;
        final Duration length;
        private final boolean oneOfSeveral;

        private Line(String group, Duration length, boolean oneOfSeveral) {
            this.group = group;
            this.length = length;
            this.oneOfSeveral = oneOfSeveral;
        }

        /**
         * The group's name as {@link #shown(String)} shows it, followed by the window length when
         * the group has windows of several lengths: {@code layer-0 (10s)}.
         */
        String label() {
            return shown(group) + (oneOfSeveral ? " (" + TimeTicks.duration(length) + ")" : "");
        }
    }

    private final Map<Line, List<ActivationStats>> byLine;

    /** Per group, the records a later one of the same window replaced. */
    private final Map<String, Integer> superseded;

    private StatsSeries(Map<Line, List<ActivationStats>> byLine, Map<String, Integer> superseded) {
        this.byLine = byLine;
        this.superseded = superseded;
    }

    /** The first millisecond of the year 10000: no time axis label has room for more digits. */
    private static final long YEAR_10000 = 253_402_300_800_000L;

    /** 8,000 years of the Gregorian calendar (20 of its 400-year cycles of 146,097 days). */
    private static final long MAX_WINDOW_MILLIS = Duration.ofDays(20 * 146_097L).toMillis();

    /**
     * Whether a record's window can be drawn: it ends after the epoch, ends after it starts, ends
     * before the year 10000 and lasts less than 8,000 years. The end is exclusive, so a window
     * ending at the epoch ({@code window_end} 0) lies wholly before 1970 and is not drawn; one
     * ending a millisecond later holds the epoch. A job's windows end after the epoch (it refuses
     * event times before it), but may start before it: a sliding window of records from the first
     * seconds of 1970. Other windows, from files written by hand or windows of millennia, would
     * overflow the axes' arithmetic.
     */
    static boolean drawable(ActivationStats record) {
        long start = record.getWindowStart().toEpochMilli();
        long end = record.getWindowEnd().toEpochMilli();
        return end > 0 && end > start && end < YEAR_10000 && start > end - MAX_WINDOW_MILLIS;
    }

    /** The series of {@code records}, given in the order they were read. */
    static StatsSeries of(List<ActivationStats> records) {
        // Group, then window length, then window start: one window per key.
        Map<String, TreeMap<Duration, TreeMap<Instant, ActivationStats>>> latest = new TreeMap<>();
        Map<String, Integer> superseded = new TreeMap<>();
        for (ActivationStats record : records) {
            TreeMap<Instant, ActivationStats> windows =
                    latest.computeIfAbsent(record.getGroup(), group -> new TreeMap<>())
                            .computeIfAbsent(
                                    Duration.between(
                                            record.getWindowStart(), record.getWindowEnd()),
                                    length -> new TreeMap<>());
            if (windows.put(record.getWindowStart(), record) != null) {
                superseded.merge(record.getGroup(), 1, Integer::sum);
            }
        }
        Map<Line, List<ActivationStats>> byLine = new LinkedHashMap<>();
        latest.forEach(
                (group, lengths) ->
                        lengths.forEach(
                                (length, windows) ->
                                        byLine.put(
                                                new Line(group, length, lengths.size() > 1),
                                                List.copyOf(windows.values()))));
        return new StatsSeries(byLine, superseded);
    }

    /**
     * The same series with only the given groups (those it has), and only their superseded records.
     */
    StatsSeries only(Collection<String> groups) {
        Map<Line, List<ActivationStats>> kept = new LinkedHashMap<>();
        byLine.forEach(
                (line, windows) -> {
                    if (groups.contains(line.group)) {
                        kept.put(line, windows);
                    }
                });
        Map<String, Integer> keptSuperseded = new TreeMap<>(superseded);
        keptSuperseded.keySet().retainAll(groups);
        return new StatsSeries(kept, keptSuperseded);
    }

    /** The group names, sorted. */
    List<String> groups() {
        return byLine.keySet().stream().map(line -> line.group).distinct().toList();
    }

    /** The lines: by group, then window length. */
    List<Line> lines() {
        return List.copyOf(byLine.keySet());
    }

    /** One record per window of {@code line}, by window start. */
    List<ActivationStats> windows(Line line) {
        return Objects.requireNonNull(byLine.get(line), line.group);
    }

    /**
     * The time between two windows of {@code line}: the smallest gap between its window ends (the
     * slide of sliding windows, the length of tumbling ones), but never more than its length. A
     * job's slide is never longer than its window, so a wider gap is a missing window, also where
     * no two of the line's windows are one window apart.
     */
    long windowStep(Line line) {
        List<ActivationStats> windows = windows(line);
        long step = Math.max(1, line.length.toMillis());
        for (int i = 1; i < windows.size(); i++) {
            step =
                    Math.min(
                            step,
                            windows.get(i).getWindowEnd().toEpochMilli()
                                    - windows.get(i - 1).getWindowEnd().toEpochMilli());
        }
        return step;
    }

    /** Whether there is no record at all. */
    boolean isEmpty() {
        return byLine.isEmpty();
    }

    /** Records of the series' groups replaced by a later record of the same group and window. */
    int superseded() {
        return superseded.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The distinct window ends of every group, ascending, in epoch millis. */
    List<Long> windowEnds() {
        Set<Long> ends = new TreeSet<>();
        byLine.values()
                .forEach(
                        windows -> windows.forEach(w -> ends.add(w.getWindowEnd().toEpochMilli())));
        return new ArrayList<>(ends);
    }

    /**
     * The distinct windows of every group, as subtitles count them: windows of different lengths
     * are different windows, also where they end together.
     */
    int windowCount() {
        Set<Map.Entry<Instant, Instant>> windows = new HashSet<>();
        for (List<ActivationStats> line : byLine.values()) {
            for (ActivationStats w : line) {
                windows.add(Map.entry(w.getWindowStart(), w.getWindowEnd()));
            }
        }
        return windows.size();
    }

    /**
     * The time between two windows: the smallest gap between distinct window ends (the slide of
     * sliding windows, the length of tumbling ones), or the length of the window when there is only
     * one.
     */
    long windowStep() {
        List<Long> ends = windowEnds();
        long step = Long.MAX_VALUE;
        for (int i = 1; i < ends.size(); i++) {
            step = Math.min(step, ends.get(i) - ends.get(i - 1));
        }
        return step == Long.MAX_VALUE ? Math.max(1, windowLength().toMillis()) : step;
    }

    /** The shortest window length. */
    Duration windowLength() {
        return byLine.keySet().stream().map(line -> line.length).min(Duration::compareTo).get();
    }

    /** The window lengths as titles show them, shortest first: {@code 10s} or {@code 10s, 1m}. */
    String windowLengths() {
        return byLine.keySet().stream()
                .map(line -> line.length)
                .distinct()
                .sorted()
                .map(TimeTicks::duration)
                .collect(Collectors.joining(", "));
    }

    /** A group's name as charts and messages show it: {@link GroupNames#shown(String)}. */
    static String shown(String group) {
        return GroupNames.shown(group);
    }

    /** The activation specs of the records, sorted. */
    Set<String> activations() {
        Set<String> specs = new TreeSet<>();
        byLine.values().forEach(windows -> windows.forEach(w -> specs.add(w.getActivation())));
        return specs;
    }
}
