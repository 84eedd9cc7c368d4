package io.relustream.avro.history;

import org.apache.avro.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The released versions of every record schema in {@code io.relustream.avro}, as kept on the
 * classpath.
 *
 * <p>Version {@code N} of record {@code R} is the resource {@code
 * io/relustream/avro/history/R/vN.avsc}; {@code io/relustream/avro/history/index.properties} says
 * how many versions of each record have been released ({@code R=N}). Released files are never
 * edited: a changed schema is released by adding {@code vN+1.avsc} and bumping the index. The tests
 * of this module check that the current schemas can read, and be read by, every released version,
 * and that no released file has changed since its release.
 *
 * <pre>{@code
 * List<Schema> versions = SchemaHistory.versions("FeatureVector");
 * Schema first = versions.get(0); // v1
 * Schema latest = versions.get(versions.size() - 1);
 * }</pre>
 *
 * <p>Every call reads and parses the resources again and returns new {@link Schema} objects; keep
 * the result if you need it more than once.
 */
public final class SchemaHistory {

    private static final String ROOT = "/io/relustream/avro/history/";
    private static final String NAMESPACE = "io.relustream.avro";

    private SchemaHistory() {}

    /** Names of the records that have released versions (e.g. {@code FeatureVector}), sorted. */
    public static List<String> recordNames() {
        return List.copyOf(index().keySet());
    }

    /**
     * All released versions of a record, oldest (v1) first.
     *
     * @param recordName simple name of the record, e.g. {@code FeatureVector}
     * @throws IllegalArgumentException if no versions of {@code recordName} have been released
     * @throws IllegalStateException if the history on the classpath is incomplete or malformed
     */
    public static List<Schema> versions(String recordName) {
        Objects.requireNonNull(recordName, "recordName");
        TreeMap<String, Integer> index = index();
        Integer count = index.get(recordName);
        if (count == null) {
            throw new IllegalArgumentException(
                    "Unknown record name '"
                            + recordName
                            + "'; known record names: "
                            + index.keySet());
        }
        List<Schema> versions = new ArrayList<>(count);
        for (int version = 1; version <= count; version++) {
            versions.add(load(recordName, version));
        }
        return List.copyOf(versions);
    }

    private static Schema load(String recordName, int version) {
        String resource = ROOT + recordName + "/v" + version + ".avsc";
        Schema schema;
        try (InputStream in = open(resource)) {
            schema = new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
        String expected = NAMESPACE + "." + recordName;
        if (!expected.equals(schema.getFullName())) {
            throw new IllegalStateException(
                    resource + " holds " + schema.getFullName() + ", expected " + expected);
        }
        return schema;
    }

    /** Record name to number of released versions, sorted by record name. */
    private static TreeMap<String, Integer> index() {
        String resource = ROOT + "index.properties";
        Properties properties = new Properties();
        try (InputStream in = open(resource)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
        TreeMap<String, Integer> index = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            String value = properties.getProperty(name).trim();
            if (!value.matches("[1-9][0-9]{0,8}")) {
                throw new IllegalStateException(
                        resource
                                + ": the number of released versions of "
                                + name
                                + " must be a positive integer, not '"
                                + value
                                + "'");
            }
            index.put(name, Integer.valueOf(value));
        }
        return index;
    }

    private static InputStream open(String resource) {
        InputStream in = SchemaHistory.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("Missing classpath resource " + resource);
        }
        return in;
    }
}
