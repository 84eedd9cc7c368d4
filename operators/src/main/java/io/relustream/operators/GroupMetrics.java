package io.relustream.operators;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Metrics per record group, under a key-value metric group {@code group=<name>} (a label in
 * Prometheus), for at most {@code limit} groups per operator instance: further groups share the
 * overflow bucket {@value #OVERFLOW}, so a stream with unbounded group names cannot flood the
 * metric system. So does a group of more than {@value #MAX_NAME_LENGTH} characters (code points):
 * its name would be a label value on every one of its metrics, in every scrape; and so does a group
 * named {@value #OVERFLOW} itself. Every call of {@link #of} that gives the overflow bucket also
 * counts in the operator's counter {@code overflowGroupRecords}, which is registered by the first
 * such call: absent while no group has overflowed.
 *
 * <pre>{@code
 * GroupMetrics<ActivationMetrics> perGroup =
 *         new GroupMetrics<>(getRuntimeContext().getMetricGroup(), 100, ActivationMetrics::new);
 * perGroup.of(record.getGroup()).activated(counts);
 * }</pre>
 *
 * @param <M> what is kept per group, made from the group's metric group
 */
public final class GroupMetrics<M> {

    /** The name of the group that collects every group beyond the limit. */
    public static final String OVERFLOW = "_other";

    /** The longest group name, in characters (code points), that gets metrics of its own. */
    public static final int MAX_NAME_LENGTH = 256;

    /** The metric group key; in Prometheus the label name. */
    public static final String KEY = "group";

    private final MetricGroup parent;
    private final int limit;
    private final Function<MetricGroup, M> factory;
    private final Map<String, M> groups = new HashMap<>();
    private M overflow;
    private Counter overflowGroups;

    /**
     * @param parent the operator's metric group
     * @param limit how many groups get their own metrics; 0 puts every group in the overflow
     * @param factory registers the metrics of one group
     */
    public GroupMetrics(MetricGroup parent, int limit, Function<MetricGroup, M> factory) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        this.parent = parent;
        this.limit = limit;
        this.factory = factory;
    }

    /** The metrics of {@code group}, or of the overflow bucket past the limit. */
    public M of(String group) {
        M metrics = groups.get(group);
        if (metrics != null) {
            return metrics;
        }
        if (groups.size() < limit && !OVERFLOW.equals(group) && !tooLong(group)) {
            metrics = factory.apply(parent.addGroup(KEY, group));
            groups.put(group, metrics);
            return metrics;
        }
        if (overflow == null) {
            overflow = factory.apply(parent.addGroup(KEY, OVERFLOW));
            overflowGroups = parent.counter("overflowGroupRecords");
        }
        overflowGroups.inc();
        return overflow;
    }

    private static boolean tooLong(String group) {
        // Counting code points only where UTF-16 units could be too many.
        return group.length() > MAX_NAME_LENGTH
                && group.codePointCount(0, group.length()) > MAX_NAME_LENGTH;
    }
}
