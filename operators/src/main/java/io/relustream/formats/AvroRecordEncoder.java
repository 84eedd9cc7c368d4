package io.relustream.formats;

import io.relustream.avro.ActivationVector;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Encodes one Avro record type into message bytes in a {@link WireFormat}, with the current schema
 * as writer. Not thread-safe: one per operator instance.
 *
 * <pre>{@code
 * AvroRecordEncoder<ActivationStats> encoder =
 *         AvroRecordEncoder.of(ActivationStats.class, WireFormat.AVRO_SINGLE_OBJECT);
 * byte[] bytes = encoder.encode(stats);
 * }</pre>
 */
public final class AvroRecordEncoder<T extends SpecificRecordBase> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final WireFormat format;

    private transient SpecificDatumWriter<T> writer;
    private transient byte[] header;
    private transient ByteArrayOutputStream buffer;
    private transient BinaryEncoder encoder;

    private AvroRecordEncoder(Class<T> type, WireFormat format) {
        this.type = Objects.requireNonNull(type, "type");
        this.format = Objects.requireNonNull(format, "format");
    }

    /** An encoder of {@code type} records in {@code format}. */
    public static <T extends SpecificRecordBase> AvroRecordEncoder<T> of(
            Class<T> type, WireFormat format) {
        return new AvroRecordEncoder<>(type, format);
    }

    /** The bytes of one record. */
    public byte[] encode(T record) {
        if (record instanceof ActivationVector) {
            if (header == null) {
                header =
                        format == WireFormat.AVRO_SINGLE_OBJECT
                                ? singleObjectHeader(ActivationVector.getClassSchema())
                                : new byte[0];
            }
            // The job's busiest output: written without Avro's per-element machinery.
            try {
                return FastBinary.writeActivationVector((ActivationVector) record, header);
            } catch (NullPointerException nullField) {
                // A record built in code with a null where its schema has none: Avro's writer
                // below fails on it too, naming the field, which the fast one cannot.
            }
        }
        if (writer == null) {
            SpecificData model = SpecificData.getForClass(type);
            Schema schema = model.getSchema(type);
            writer = new SpecificDatumWriter<>(schema, model);
            header =
                    format == WireFormat.AVRO_SINGLE_OBJECT
                            ? singleObjectHeader(schema)
                            : new byte[0];
            buffer = new ByteArrayOutputStream(256);
        }
        buffer.reset();
        try {
            buffer.write(header);
            encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a " + type.getSimpleName(), e);
        }
        return buffer.toByteArray();
    }

    /** {@code C3 01} and the schema's CRC-64-AVRO fingerprint, little endian. */
    static byte[] singleObjectHeader(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        byte[] header = new byte[10];
        header[0] = (byte) 0xC3;
        header[1] = (byte) 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }
}
