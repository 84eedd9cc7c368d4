package io.relustream.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples of a Prometheus text exposition, for tests. */
final class PrometheusText {

    private static final Pattern SAMPLE =
            Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample: metric name, labels, value. */
    static final class Sample {
        final String name;
        final Map<String, String> labels;
        final double value;

        Sample(String name, Map<String, String> labels, double value) {
            this.name = name;
            this.labels = labels;
            this.value = value;
        }

        @Override
        public String toString() {
            return name + labels + " " + value;
        }
    }

    final List<Sample> samples = new ArrayList<>();

    PrometheusText(String exposition) {
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line.strip());
            if (!sample.matches()) {
                throw new IllegalArgumentException("Not a sample: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(3) != null) {
                Matcher label = LABEL.matcher(sample.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(4))));
        }
    }

    /** The samples of {@code name} whose labels include every given {@code key, value} pair. */
    List<Sample> find(String name, String... labelPairs) {
        List<Sample> found = new ArrayList<>();
        for (Sample sample : samples) {
            if (!sample.name.equals(name)) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < labelPairs.length; i += 2) {
                matches &= labelPairs[i + 1].equals(sample.labels.get(labelPairs[i]));
            }
            if (matches) {
                found.add(sample);
            }
        }
        return found;
    }

    /** The one value of {@code name} with the given labels. */
    double value(String name, String... labelPairs) {
        List<Sample> found = find(name, labelPairs);
        if (found.size() != 1) {
            throw new AssertionError(
                    "Expected one sample of "
                            + name
                            + " "
                            + List.of(labelPairs)
                            + ", found "
                            + found
                            + "; samples of that name: "
                            + find(name));
        }
        return found.get(0).value;
    }

    /** The label names of every sample of {@code name}. */
    Set<String> labelNames(String name) {
        Set<String> names = new TreeSet<>();
        find(name).forEach(sample -> names.addAll(sample.labels.keySet()));
        return names;
    }

    /** Every metric name exposed. */
    List<String> names() {
        return samples.stream()
                .map(s -> s.name)
                .distinct()
                .sorted()
                .collect(java.util.stream.Collectors.toList());
    }
}
