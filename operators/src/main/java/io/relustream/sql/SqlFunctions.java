package io.relustream.sql;

import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.UserDefinedFunction;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ReLU-family SQL functions and their names.
 *
 * <pre>{@code
 * TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
 * SqlFunctions.registerAll(tableEnv);
 * tableEnv.executeSql(
 *         "SELECT `group`, window_start, ZERO_FRACTION(RELU(`values`)) AS zero_fraction"
 *                 + " FROM TABLE(TUMBLE(TABLE features, DESCRIPTOR(event_time), INTERVAL '10' SECOND))"
 *                 + " GROUP BY `group`, window_start, window_end");
 * }</pre>
 *
 * <p>Each function is also a public class for {@code CREATE FUNCTION}, e.g. {@code CREATE TEMPORARY
 * SYSTEM FUNCTION RELU AS 'io.relustream.sql.ReluFunction'}: see {@link #FUNCTIONS}. Scalar: {@code
 * RELU(x)}, {@code RELU_GRAD(x)}, {@code LEAKY_RELU(x, alpha)}, {@code ACTIVATION(spec, x)}, {@code
 * ACTIVATION_GRAD(spec, x)}. Aggregate: {@code ZERO_FRACTION(x)}, {@code DEAD_FEATURES(arr,
 * threshold)}, {@code ACTIVATION_STATS(arr [, dead_threshold])} and {@code ACTIVATION_STATS(spec, x
 * [, dead_threshold])}.
 */
public final class SqlFunctions {

    /** Every function's SQL name and class, in the order of the list above. */
    public static final Map<String, Class<? extends UserDefinedFunction>> FUNCTIONS;

    static {
        Map<String, Class<? extends UserDefinedFunction>> functions = new LinkedHashMap<>();
        functions.put("RELU", ReluFunction.class);
        functions.put("RELU_GRAD", ReluGradFunction.class);
        functions.put("LEAKY_RELU", LeakyReluFunction.class);
        functions.put("ACTIVATION", ActivationFunction.class);
        functions.put("ACTIVATION_GRAD", ActivationGradFunction.class);
        functions.put("ZERO_FRACTION", ZeroFractionFunction.class);
        functions.put("DEAD_FEATURES", DeadFeaturesFunction.class);
        functions.put("ACTIVATION_STATS", ActivationStatsFunction.class);
        FUNCTIONS = Collections.unmodifiableMap(functions);
    }

    private SqlFunctions() {}

    /**
     * Registers every function as a temporary system function under its SQL name, so that queries
     * of this environment can call it without a catalog or database prefix.
     */
    public static void registerAll(TableEnvironment tableEnv) {
        FUNCTIONS.forEach(tableEnv::createTemporarySystemFunction);
    }
}
