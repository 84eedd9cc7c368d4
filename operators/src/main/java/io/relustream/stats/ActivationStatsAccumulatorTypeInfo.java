package io.relustream.stats;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

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
        extends SerializerTypeInfo<ActivationStatsAccumulator> {

    private static final long serialVersionUID = 1L;

    public ActivationStatsAccumulatorTypeInfo() {
        super(ActivationStatsAccumulator.class, ActivationStatsAccumulatorSerializer.INSTANCE);
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
