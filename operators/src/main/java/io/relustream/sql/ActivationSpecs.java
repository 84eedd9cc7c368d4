package io.relustream.sql;

import io.relustream.activation.Activation;
import io.relustream.activation.Activations;
import io.relustream.activation.VectorActivation;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.Signature;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code ACTIVATION(spec, x)} and {@code ACTIVATION_GRAD(spec, x)} share: the spec, checked
 * while the query is planned, and the parsed activations, cached per spec at run time.
 */
final class ActivationSpecs {

    private static final String EXAMPLE = "'leaky_relu(alpha=0.1)'";

    // A spec is a literal, so there is one entry per call site; nothing to evict.
    private final Map<String, VectorActivation> parsed = new HashMap<>();

    /** The activation of {@code spec}, parsed once. */
    VectorActivation vector(String spec) {
        VectorActivation activation = parsed.get(spec);
        if (activation == null) {
            activation = Activations.parseVector(spec);
            parsed.put(spec, activation);
        }
        return activation;
    }

    /** The element-wise activation of {@code spec}; planning lets no other reach scalar values. */
    Activation elementWise(String spec) {
        VectorActivation activation = vector(spec);
        if (!(activation instanceof Activation)) {
            throw new IllegalArgumentException(
                    Activations.naming(
                            "Activation spec "
                                    + Activations.quoted(spec)
                                    + " is not element-wise; it needs an ARRAY",
                            spec));
        }
        return (Activation) activation;
    }

    /**
     * {@code F(spec, x)}: the spec a string literal the parser reads, {@code x} a values argument;
     * the result has the type of {@code x}, except that maxout gives a nullable ARRAY (NULL for an
     * array whose length is not a multiple of {@code k}).
     */
    static TypeInference typeInference() {
        return TypeInference.newBuilder()
                .inputTypeStrategy(
                        ArgumentTypes.sequence(
                                2,
                                ArgumentTypes.signatures(
                                        List.of(Signature.Argument.of("spec", "STRING")),
                                        ArgumentTypes.Values.SCALAR_OR_ARRAY,
                                        List.of()),
                                ActivationSpecs::spec,
                                ActivationSpecs::values))
                .outputTypeStrategy(ActivationSpecs::output)
                .build();
    }

    /** The spec argument at {@code index}, followed by the values argument. */
    static Optional<DataType> spec(CallContext context, int index, boolean throwOnFailure) {
        if (!ArgumentTypes.literalsKnown(context, index)) {
            return Optional.of(DataTypes.STRING().notNull());
        }
        if (ArgumentTypes.isUntypedNullBeingTyped(context, index, throwOnFailure)) {
            return Optional.of(DataTypes.STRING());
        }
        Optional<String> spec =
                ArgumentTypes.stringLiteral(
                        context, index, "activation spec", EXAMPLE, throwOnFailure);
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        VectorActivation activation;
        try {
            activation = Activations.parseVector(spec.get());
        } catch (IllegalArgumentException e) {
            return ArgumentTypes.fail(
                    context,
                    throwOnFailure,
                    // The parser's message names the characters its quoting escapes.
                    context.getName()
                            + ": invalid activation spec "
                            + Activations.quoted(spec.get())
                            + ": "
                            + e.getMessage());
        }
        if (!(activation instanceof Activation)) {
            DataType values = context.getArgumentDataTypes().get(index + 1);
            // An untyped NULL is a NULL array here, as the values argument takes it.
            if (!ArgumentTypes.isArray(values)
                    && !values.getLogicalType().is(LogicalTypeRoot.NULL)) {
                return ArgumentTypes.fail(
                        context,
                        throwOnFailure,
                        Activations.naming(
                                context.getName()
                                        + ": activation spec "
                                        + Activations.quoted(spec.get())
                                        + " works on groups of features and needs an ARRAY, not "
                                        + values.getLogicalType().asSummaryString(),
                                spec.get()));
            }
        }
        return Optional.of(DataTypes.STRING().notNull());
    }

    /**
     * The values argument after the spec: a scalar function's ({@link
     * ArgumentTypes#scalarValues()}), except that an untyped NULL given to an activation that takes
     * arrays only (maxout) is a NULL {@code ARRAY<DOUBLE>}, not the NULL DOUBLE it is for the
     * others, which no such activation takes.
     */
    private static Optional<DataType> values(
            CallContext context, int index, boolean throwOnFailure) {
        boolean untypedNull =
                context.getArgumentDataTypes().get(index).getLogicalType().is(LogicalTypeRoot.NULL);
        if (untypedNull && !elementWiseSpec(context, index - 1)) {
            return Optional.of(DataTypes.ARRAY(DataTypes.DOUBLE()).bridgedTo(List.class));
        }
        return ArgumentTypes.scalarValues().infer(context, index, throwOnFailure);
    }

    /** Whether the argument is a spec literal of an element-wise activation, or no spec at all. */
    private static boolean elementWiseSpec(CallContext context, int index) {
        if (!ArgumentTypes.literalsKnown(context, index)
                || !context.isArgumentLiteral(index)
                || context.isArgumentNull(index)) {
            return true;
        }
        try {
            return context.getArgumentValue(index, String.class)
                    .map(spec -> Activations.parseVector(spec) instanceof Activation)
                    .orElse(true);
        } catch (IllegalArgumentException | ClassCastException e) {
            // The spec's own check says what is wrong with it.
            return true;
        }
    }

    private static Optional<DataType> output(CallContext context) {
        DataType values = context.getArgumentDataTypes().get(1);
        Optional<String> spec = context.getArgumentValue(0, String.class);
        if (spec.isPresent() && !(Activations.parseVector(spec.get()) instanceof Activation)) {
            return Optional.of(values.nullable());
        }
        return Optional.of(values);
    }
}
