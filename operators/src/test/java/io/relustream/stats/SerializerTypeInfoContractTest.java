package io.relustream.stats;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeInformationTestBase;

/**
 * Flink's own contract tests of type information ({@link TypeInformationTestBase}: equality and
 * hash codes across instances and types, Java serialization, field counts) over the type
 * information of the accumulator and of the sample.
 */
class SerializerTypeInfoContractTest extends TypeInformationTestBase<TypeInformation<?>> {

    @Override
    protected TypeInformation<?>[] getTestData() {
        return new TypeInformation<?>[] {
            new ActivationStatsAccumulatorTypeInfo(), new ActivationSampleTypeInfo()
        };
    }
}
