package io.relustream.stats;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Flink type information of {@link ActivationSample}, which Flink picks up from the class's
 * {@code @TypeInfo} annotation; it hands out {@link ActivationSampleSerializer}.
 *
 * <pre>{@code
 * TypeInformation<ActivationSample> type =
 *         TypeInformation.of(ActivationSample.class); // this class
 * }</pre>
 */
public final class ActivationSampleTypeInfo extends TypeInformation<ActivationSample> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<ActivationSample> getTypeClass() {
        return ActivationSample.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<ActivationSample> createSerializer(SerializerConfig config) {
        return ActivationSampleSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "ActivationSampleTypeInfo";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ActivationSampleTypeInfo;
    }

    @Override
    public int hashCode() {
        // Stable across JVMs, unlike the identity hash of the class.
        return ActivationSample.class.getName().hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof ActivationSampleTypeInfo;
    }

    /** Named by the {@code @TypeInfo} annotation on {@link ActivationSample}. */
    public static final class Factory extends TypeInfoFactory<ActivationSample> {
        @Override
        public TypeInformation<ActivationSample> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return new ActivationSampleTypeInfo();
        }
    }
}
