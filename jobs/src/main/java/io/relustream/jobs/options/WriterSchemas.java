package io.relustream.jobs.options;

import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordDecoder;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@code --writer-schemas} option: {@code .avsc} files (or folders of them) holding newer
 * {@code FeatureVector} schemas that producers write with before this job was rebuilt; the job
 * resolves them by fingerprint. Each is checked when the option is read: it must parse, be a record
 * named {@code FeatureVector} in any namespace (as Avro resolves a writer's record, by its name
 * without the namespace), and be readable by the job's own schema.
 *
 * <pre>{@code
 * --writer-schemas /etc/relu-stream/FeatureVector-v2.avsc,/etc/relu-stream/more/
 * }</pre>
 */
public final class WriterSchemas {

    /** Double.valueOf's message for a text that is not a number ({@code ""}: "empty String"). */
    private static final Pattern NOT_A_NUMBER =
            Pattern.compile("For input string: \"(.*)\"", Pattern.DOTALL);

    /** Enum.valueOf's message for a field order that is none of Avro's. */
    private static final String NO_ORDER =
            "No enum constant " + Schema.Field.Order.class.getCanonicalName() + ".";

    /** Avro's message for a file without a schema. */
    private static final String NO_SCHEMA = "Cannot parse <null> schema";

    /** The start of Avro's message for a file with more after its schema. */
    private static final String DANGLING = "dangling content after end of schema";

    private static final String ONE_SCHEMA = "a writer schema file holds one FeatureVector schema";

    private final List<String> paths;
    private final List<Schema> schemas;

    private WriterSchemas(List<String> paths, List<Schema> schemas) {
        this.paths = List.copyOf(paths);
        this.schemas = List.copyOf(schemas);
    }

    /** No extra writer schemas. */
    public static WriterSchemas none() {
        return new WriterSchemas(List.of(), List.of());
    }

    /**
     * Reads comma-separated files and folders.
     *
     * @throws IllegalArgumentException naming the path and what is wrong with it
     */
    public static WriterSchemas load(String commaSeparated) {
        List<String> paths =
                Arrays.stream(commaSeparated.split(",", -1))
                        .map(String::strip)
                        .collect(Collectors.toList());
        List<Schema> schemas = new ArrayList<>();
        for (String path : paths) {
            if (path.isEmpty()) {
                throw new IllegalArgumentException(
                        "'" + commaSeparated + "' has an empty path; separate paths with commas");
            }
            for (Path file : files(path)) {
                schemas.add(read(file));
            }
        }
        return new WriterSchemas(paths, schemas);
    }

    private static List<Path> files(String path) {
        Path given = OptionConverters.path(path);
        if (Files.isRegularFile(given)) {
            return List.of(given);
        }
        if (!Files.isDirectory(given)) {
            throw new IllegalArgumentException("'" + path + "' is neither a file nor a folder");
        }
        try (Stream<Path> entries = Files.list(given)) {
            List<Path> files =
                    entries.filter(p -> p.getFileName().toString().endsWith(".avsc"))
                            .sorted()
                            .collect(Collectors.toList());
            if (files.isEmpty()) {
                throw new IllegalArgumentException("'" + path + "' holds no .avsc file");
            }
            for (Path file : files) {
                // A named pipe would be opened and waited on for ever, a folder is not read
                // recursively: as given alone, only regular files (or links to them) are schemas.
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException(
                            "'"
                                    + file
                                    + "' is not a regular file; every .avsc entry of a folder must"
                                    + " be one");
                }
            }
            return files;
        } catch (IOException e) {
            throw new IllegalArgumentException("'" + path + "' cannot be read: " + e.getMessage());
        }
    }

    private static Schema read(Path file) {
        Schema schema;
        try {
            schema = new Schema.Parser().parse(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("'" + file + "' cannot be read: " + e.getMessage());
        } catch (AvroRuntimeException e) {
            String notOne = notOneSchema(file, e);
            if (notOne != null) {
                throw new IllegalArgumentException("'" + file + "' " + notOne);
            }
            // Parse errors, and also duplicate fields and bad defaults, which Avro reports
            // with exceptions of their own.
            throw new IllegalArgumentException(
                    "'" + file + "' is not an Avro schema: " + e.getMessage());
        } catch (RuntimeException e) {
            // What Avro leaves to Java: a string default of a float or double read with
            // Double.valueOf, a field's order with Enum.valueOf. Their messages name neither the
            // file nor what is allowed.
            throw new IllegalArgumentException(
                    "'" + file + "' is not an Avro schema: " + javaExceptionReason(e));
        }
        try {
            // Also refuses an event_time in another unit, which the fingerprint cannot tell from
            // the job's own schema.
            AvroRecordDecoder.checkReadable(FeatureVector.class, schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + file + "': " + e.getMessage());
        }
        return schema;
    }

    /**
     * What {@code file} holds when Avro refused it for holding no schema ("Cannot parse <null>
     * schema") or more than one ("dangling content after end of schema: " and all that follows, a
     * whole schema maybe): read again as a sequence of JSON values, as Avro reads them; null for
     * every other refusal.
     */
    private static String notOneSchema(Path file, AvroRuntimeException e) {
        String message = String.valueOf(e.getMessage());
        if (!(e instanceof SchemaParseException)
                || !(message.equals(NO_SCHEMA) || message.startsWith(DANGLING))) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException unreadable) {
            return "cannot be read: " + unreadable.getMessage();
        }
        if (bytes.length == 0) {
            return "is empty; " + ONE_SCHEMA + ", as JSON";
        }
        List<JsonNode> values = new ArrayList<>();
        // Read as Avro reads schemas: comments allowed.
        ObjectMapper json =
                new ObjectMapper(
                        JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build());
        // Value by value from a parser: a reader's readValues would take a first value that is
        // an array (a union) for a sequence, and give its branches as the values.
        try (JsonParser read = json.createParser(bytes)) {
            while (read.nextToken() != null) {
                values.add(json.readTree(read));
            }
        } catch (IOException notJson) {
            JsonLocation where =
                    notJson instanceof JsonProcessingException
                            ? ((JsonProcessingException) notJson).getLocation()
                            : null;
            if (values.size() == 1 && where != null) {
                return "holds text after its schema that is not JSON, at line "
                        + where.getLineNr()
                        + ", column "
                        + where.getColumnNr()
                        + "; "
                        + ONE_SCHEMA
                        + " and nothing else";
            }
            if (values.size() < 2) {
                return null;
            }
        }
        if (values.isEmpty()) {
            return "holds no schema, only white space or comments; " + ONE_SCHEMA + ", as JSON";
        }
        if (values.size() == 1) {
            return null;
        }
        return "holds "
                + values.size()
                + " schemas, the second "
                + describe(values.get(1))
                + "; a writer schema file holds one: give each schema a file of its own";
    }

    /** A schema in JSON: the full name of a named one, the type of any other. */
    private static String describe(JsonNode schema) {
        JsonNode name = schema.path("name");
        if (schema.isObject() && name.isTextual()) {
            JsonNode namespace = schema.path("namespace");
            return name.asText().contains(".")
                            || !namespace.isTextual()
                            || namespace.asText().isEmpty()
                    ? name.asText()
                    : namespace.asText() + "." + name.asText();
        }
        if (schema.isArray()) {
            return "a union";
        }
        JsonNode type = schema.isObject() ? schema.path("type") : schema;
        return type.isTextual() ? "of type \"" + type.asText() + "\"" : "that is no schema";
    }

    /** Why Avro refused a schema with one of Java's exceptions, in the words of the others. */
    private static String javaExceptionReason(RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof NumberFormatException) {
            Matcher input = NOT_A_NUMBER.matcher(message);
            String value = input.matches() ? input.group(1) : "";
            return "a float or double field has the default \""
                    + value
                    + "\", which is not a number; use a JSON number, or \"NaN\", \"Infinity\" or"
                    + " \"-Infinity\"";
        }
        if (message.startsWith(NO_ORDER)) {
            // Avro reads the order in upper case, as the constant's name.
            return "a field has the order \""
                    + message.substring(NO_ORDER.length()).toLowerCase(Locale.ROOT)
                    + "\"; use \"ascending\", \"descending\" or \"ignore\"";
        }
        return message;
    }

    /** The schemas, in the order of the paths (files of a folder sorted by name). */
    public List<Schema> schemas() {
        return schemas;
    }

    /** Whether there are none. */
    public boolean isEmpty() {
        return paths.isEmpty();
    }

    /** The paths as given, comma-separated. */
    @Override
    public String toString() {
        return String.join(",", paths);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WriterSchemas && ((WriterSchemas) other).paths.equals(paths);
    }

    @Override
    public int hashCode() {
        return Objects.hash(paths);
    }
}
