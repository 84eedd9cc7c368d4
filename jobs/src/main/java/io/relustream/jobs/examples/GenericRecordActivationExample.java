package io.relustream.jobs.examples;

import io.relustream.activation.Activations;
import io.relustream.operators.GenericRecordActivationFunction;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@link GenericRecordActivationFunction} on Avro records of your own schema: choose the numeric
 * fields to activate, and each gets an activation and a derivative field beside it.
 *
 * <p>Runs on a local Flink started in-process, on built-in records: run {@code main} from the IDE,
 * or through {@code ExamplesTest}, which runs every example and checks what it prints.
 */
public final class GenericRecordActivationExample {

    /** A user's record: a sensor's reading with a score and an embedding of floats. */
    private static final String READING =
            "{\"type\": \"record\", \"name\": \"Reading\", \"namespace\": \"com.example\","
                    + " \"fields\": ["
                    + " {\"name\": \"sensor\", \"type\": \"string\"},"
                    + " {\"name\": \"score\", \"type\": \"double\"},"
                    + " {\"name\": \"embedding\","
                    + " \"type\": {\"type\": \"array\", \"items\": \"float\"}}]}";

    private GenericRecordActivationExample() {}

    public static void main(String[] args) throws Exception {
        // Generic types off, as in every job of these operators: GenericRecords travel with the
        // Avro type information of their schema, never through Kryo.
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);

        Schema readingSchema = new Schema.Parser().parse(READING);
        // A stream of GenericRecords needs its schema: GenericRecordAvroTypeInfo carries it.
        DataStream<GenericRecord> readings =
                env.fromData(
                        List.of(
                                reading(readingSchema, "s1", -0.5, 7.0f, 2.5f, -1.0f),
                                reading(readingSchema, "s2", 3.0, 0.5f)),
                        new GenericRecordAvroTypeInfo(readingSchema));

        GenericRecordActivationFunction relu =
                GenericRecordActivationFunction.builder(readingSchema)
                        .activation(Activations.relu6())
                        .fields("score", "embedding") // adds score_relu6, score_grad, ...
                        .build(); // bad field types fail here, by name
        DataStream<GenericRecord> out = readings.process(relu); // output schema carried to Flink

        System.out.println(
                "fields: "
                        + relu.outputSchema().getFields().stream()
                                .map(Schema.Field::name)
                                .collect(Collectors.joining(", ")));
        for (GenericRecord record : out.executeAndCollect(10)) {
            System.out.println(
                    record.getSchema().getFields().stream()
                            .map(field -> field.name() + "=" + record.get(field.name()))
                            .collect(Collectors.joining(" ")));
        }
    }

    private static GenericRecord reading(
            Schema schema, String sensor, double score, float... embedding) {
        GenericData.Array<Float> values =
                new GenericData.Array<>(embedding.length, schema.getField("embedding").schema());
        for (float value : embedding) {
            values.add(value);
        }
        GenericRecord record = new GenericData.Record(schema);
        record.put("sensor", sensor);
        record.put("score", score);
        record.put("embedding", values);
        return record;
    }
}
