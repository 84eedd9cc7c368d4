package io.relustream.stats;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Flink type information of {@link ActivationStatsAccumulator}, which Flink picks up from the
 * class's {@code @TypeInfo} annotation; it hands out {@link ActivationStatsAccumulatorSerializer},
 * so window state of the accumulator works with generic types disabled.
 *
 * <pre>{@code
 * TypeInformation<ActivationStatsAccumulator> type =
 *         TypeInformation.of(ActivationStatsAccumulator.class); // this class
 * }</pre>
 */
public final class ActivationStatsAccumulatorTypeInfo
        extends TypeInformation<ActivationStatsAccumulator> {

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
    public Class<ActivationStatsAccumulator> getTypeClass() {
        return ActivationStatsAccumulator.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<ActivationStatsAccumulator> createSerializer(SerializerConfig config) {
        return ActivationStatsAccumulatorSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "ActivationStatsAccumulatorTypeInfo";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ActivationStatsAccumulatorTypeInfo;
    }

    @Override
    public int hashCode() {
        // Stable across JVMs, unlike the identity hash of the class.
        return ActivationStatsAccumulator.class.getName().hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof ActivationStatsAccumulatorTypeInfo;
    }

    /** Named by the {@code @TypeInfo} annotation on {@link ActivationStatsAccumulator}. */
    public static final class Factory extends TypeInfoFactory<ActivationStatsAccumulator> {
        @Override
        public TypeInformation<ActivationStatsAccumulator> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return new ActivationStatsAccumulatorTypeInfo();
        }
    }
}
