package io.relustream.sql;

import io.relustream.activation.Activations;
import io.relustream.activation.Rectifier;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.Signature;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * {@code LEAKY_RELU(x, alpha)}: {@code x} for {@code x > 0}, else {@code alpha * x}, of a DOUBLE, a
 * FLOAT or every element of an ARRAY of them.
 *
 * <pre>{@code
 * CREATE TEMPORARY SYSTEM FUNCTION LEAKY_RELU AS 'io.relustream.sql.LeakyReluFunction';
 * SELECT LEAKY_RELU(score, 0.01), LEAKY_RELU(embedding, 0.2) FROM readings;
 * }</pre>
 *
 * <p>{@code alpha} must be a numeric literal, finite and {@code >= 0}; anything else fails when the
 * query is planned, and so does a number no double stands for ({@code 1e-400} would read as 0, as
 * {@code ACTIVATION('leaky_relu(alpha=1e-400)', x)} refuses it too). A column is not accepted: a
 * per-row slope would make every row's activation a different function, which the statistics
 * downstream cannot name, and a bad slope could then only fail the running job. The result has the
 * type of {@code x} (other numbers are cast to DOUBLE; arrays must hold DOUBLE or FLOAT); NULL
 * gives NULL, also per array element; {@code LEAKY_RELU(-inf, a) = -inf} for {@code a > 0}; zero
 * outputs are {@code +0.0}. The derivative is {@code ACTIVATION_GRAD('leaky_relu(alpha=..)', x)}.
 */
public final class LeakyReluFunction extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    // The last slope seen: alpha is a literal, so one call site always passes the same one.
    private transient Number cachedAlpha;
    private transient Rectifier cached;

    public Double eval(Double x, Number alpha) {
        return Kernels.apply(activation(alpha), false, x);
    }

    public Float eval(Float x, Number alpha) {
        return Kernels.apply(activation(alpha), false, x);
    }

    public Double[] eval(Double[] x, Number alpha) {
        return Kernels.apply(activation(alpha), false, x);
    }

    public Float[] eval(Float[] x, Number alpha) {
        return Kernels.apply(activation(alpha), false, x);
    }

    /** An ARRAY of DOUBLE or FLOAT as Flink passes it: {@code Double} or {@code Float} elements. */
    public List<? extends Number> eval(List<? extends Number> x, Number alpha) {
        return Kernels.apply(activation(alpha), false, x);
    }

    private Rectifier activation(Number alpha) {
        if (cached == null || !alpha.equals(cachedAlpha)) {
            cached = Activations.leakyRelu(ArgumentTypes.writtenValue(alpha));
            cachedAlpha = alpha;
        }
        return cached;
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return TypeInference.newBuilder()
                .inputTypeStrategy(
                        ArgumentTypes.sequence(
                                2,
                                ArgumentTypes.signatures(
                                        List.of(),
                                        ArgumentTypes.Values.SCALAR_OR_ARRAY,
                                        List.of(Signature.Argument.of("alpha", "DOUBLE"))),
                                ArgumentTypes.scalarValues(),
                                LeakyReluFunction::alpha))
                .outputTypeStrategy(TypeStrategies.argument(0))
                .build();
    }

    private static Optional<DataType> alpha(
            CallContext context, int index, boolean throwOnFailure) {
        if (!ArgumentTypes.literalsKnown(context, index)) {
            return Optional.of(ArgumentTypes.literalType(context, index));
        }
        if (ArgumentTypes.isUntypedNullBeingTyped(context, index, throwOnFailure)) {
            return Optional.of(DataTypes.DOUBLE());
        }
        Optional<Double> alpha =
                ArgumentTypes.numericLiteral(context, index, "alpha", "0.01", throwOnFailure);
        if (alpha.isEmpty()) {
            return Optional.empty();
        }
        Optional<BigDecimal> written = ArgumentTypes.unreadableDecimal(context, index, alpha.get());
        try {
            if (written.isPresent()) {
                // Refused in the parser's words, as ACTIVATION refuses the spec of that number:
                // the double it reads as (0, an infinity, a widened FLOAT) is not what was written.
                Activations.parse("leaky_relu(alpha=" + written.get() + ")");
            }
            Activations.leakyRelu(alpha.get());
        } catch (IllegalArgumentException e) {
            return ArgumentTypes.fail(
                    context, throwOnFailure, context.getName() + ": " + e.getMessage());
        }
        return Optional.of(ArgumentTypes.literalType(context, index));
    }
}
