package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The windows of each group, one record per group and window, in time order: what the charts draw.
 *
 * <pre>{@code
 * StatsSeries series = StatsSeries.of(records);   // records in the order they were read
 * series.groups();                                // ["layer-0", "layer-1"]
 * series.windows("layer-0");                      // by window start
 * }</pre>
 *
 * <p>A window re-fires when late records arrive within the job's allowed lateness: the same group
 * and window start come again with updated statistics. The record read later wins, as it holds
 * every record of the window; {@link #superseded()} counts the ones it replaced. The job keys its
 * statistics by group, so one group's records are in one partition, in the order they were emitted.
 */
final class StatsSeries {

    private final Map<String, List<ActivationStats>> byGroup;
    private final int superseded;

    private StatsSeries(Map<String, List<ActivationStats>> byGroup, int superseded) {
        this.byGroup = byGroup;
        this.superseded = superseded;
    }

    /** The first millisecond of the year 10000: no time axis label has room for more digits. */
    private static final long YEAR_10000 = 253_402_300_800_000L;

    /**
     * Whether a record's window can be drawn: it starts at or after the epoch (the job refuses
     * earlier event times), ends after it starts, and ends before the year 10000. Any other comes
     * from a file written by hand, and its times would overflow the axes' arithmetic.
     */
    static boolean drawable(ActivationStats record) {
        long start = record.getWindowStart().toEpochMilli();
        long end = record.getWindowEnd().toEpochMilli();
        return start >= 0 && end > start && end < YEAR_10000;
    }

    /** The series of {@code records}, given in the order they were read. */
    static StatsSeries of(List<ActivationStats> records) {
        Map<String, TreeMap<Instant, ActivationStats>> latest = new TreeMap<>();
        int superseded = 0;
        for (ActivationStats record : records) {
            TreeMap<Instant, ActivationStats> windows =
                    latest.computeIfAbsent(record.getGroup(), group -> new TreeMap<>());
            if (windows.put(record.getWindowStart(), record) != null) {
                superseded++;
            }
        }
        Map<String, List<ActivationStats>> byGroup = new LinkedHashMap<>();
        latest.forEach((group, windows) -> byGroup.put(group, List.copyOf(windows.values())));
        return new StatsSeries(byGroup, superseded);
    }

    /** The same series with only the given groups (those it has). */
    StatsSeries only(Collection<String> groups) {
        Map<String, List<ActivationStats>> kept = new LinkedHashMap<>();
        byGroup.forEach(
                (group, windows) -> {
                    if (groups.contains(group)) {
                        kept.put(group, windows);
                    }
                });
        return new StatsSeries(kept, superseded);
    }

    /** The group names, sorted. */
    List<String> groups() {
        return List.copyOf(byGroup.keySet());
    }

    /** One record per window of {@code group}, by window start. */
    List<ActivationStats> windows(String group) {
        return Objects.requireNonNull(byGroup.get(group), group);
    }

    /** Whether there is no record at all. */
    boolean isEmpty() {
        return byGroup.isEmpty();
    }

    /** Records replaced by a later record of the same group and window. */
    int superseded() {
        return superseded;
    }

    /** The distinct window ends of every group, ascending, in epoch millis. */
    List<Long> windowEnds() {
        Set<Long> ends = new TreeSet<>();
        byGroup.values()
                .forEach(
                        windows -> windows.forEach(w -> ends.add(w.getWindowEnd().toEpochMilli())));
        return new ArrayList<>(ends);
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

    /** The length of the first window (every window of a job has the same). */
    Duration windowLength() {
        ActivationStats first = byGroup.values().iterator().next().get(0);
        return Duration.between(first.getWindowStart(), first.getWindowEnd());
    }

    /**
     * A group's name as charts and messages show it: as written, unless it would not read as one
     * name (empty, blank at an end, a control character such as a line break, or a comma, which
     * lists separate): then quoted, with Java's escapes ({@code ""}, {@code "a,b"}, {@code "\n"}).
     */
    static String shown(String group) {
        boolean plain =
                !group.isEmpty()
                        && group.strip().length() == group.length()
                        && group.indexOf(',') < 0
                        && group.chars().noneMatch(Character::isISOControl);
        if (plain) {
            return group;
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : group.toCharArray()) {
            switch (c) {
                case '"':
                    quoted.append("\\\"");
                    break;
                case '\\':
                    quoted.append("\\\\");
                    break;
                case '\n':
                    quoted.append("\\n");
                    break;
                case '\r':
                    quoted.append("\\r");
                    break;
                case '\t':
                    quoted.append("\\t");
                    break;
                default:
                    if (Character.isISOControl(c)) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
            }
        }
        return quoted.append('"').toString();
    }

    /** The activation specs of the records, sorted. */
    Set<String> activations() {
        Set<String> specs = new TreeSet<>();
        byGroup.values().forEach(windows -> windows.forEach(w -> specs.add(w.getActivation())));
        return specs;
    }
}
