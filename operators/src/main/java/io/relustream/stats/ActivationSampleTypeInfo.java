package io.relustream.stats;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

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
public final class ActivationSampleTypeInfo extends SerializerTypeInfo<ActivationSample> {

    private static final long serialVersionUID = 1L;

    public ActivationSampleTypeInfo() {
        super(ActivationSample.class, ActivationSampleSerializer.INSTANCE);
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
